"""Staff pages of a dossier's budget: entry, analysis, strategy, approval, allowances."""
