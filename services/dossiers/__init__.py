"""Dossiers: intake, access checks, queries, read models, the data around workflow actions."""
