"""The pages of personal-data breaches: the register, declaring one or raising a suspicion,
a breach's page and its steps."""
