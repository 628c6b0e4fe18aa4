"""Personal-data breaches: declaration, scope, assessment, notifications to the CNIL, the
information of the people, the register."""
