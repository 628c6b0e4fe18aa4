"""Creditor negotiation rules: states, what may be shared, consent validity. Pure, no I/O."""
