"""The embedded stack (`cravelynos dev`): SMTP catcher, dev mailbox, demo data."""
