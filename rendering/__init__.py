"""How things read: the Jinja environments of pages, emails and PDF reports, with one registry
of labels and filters."""
