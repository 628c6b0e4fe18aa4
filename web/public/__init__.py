"""Pages behind a client's signed link: no session, no cookie, rate limited."""
