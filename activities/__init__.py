"""Side effects: persistence, email, documents, anonymisation. Each one idempotent."""
