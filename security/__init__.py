"""Key ring, field encryption, payload codec, passwords, signed tokens, audit chain."""
