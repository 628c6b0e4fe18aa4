"""Data-subject requests (GDPR Art. 15 to 21): their clock and rules, free of I/O."""
