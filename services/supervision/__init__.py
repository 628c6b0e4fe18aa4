"""The supervision dashboard's reads from the database: SLA board and outbox health. They show
references, codes and counts only, never a person's data."""
