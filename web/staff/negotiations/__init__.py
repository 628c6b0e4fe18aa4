"""The negotiation section of the dossier page and its actions."""
