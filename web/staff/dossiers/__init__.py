"""Staff pages of dossiers: list, intake, the dossier page and its actions, documents."""
