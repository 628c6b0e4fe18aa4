"""A dossier's budget, strategy, analysis report and the client's view of it."""
