"""Where a breach's scope is computed from."""

from __future__ import annotations

from domain.labelled_enum import LabelledEnum


class ScopeSource(LabelledEnum):
    ACCOUNT = "account", "Un compte du personnel compromis, sur une période"
    TABLES = "tables", "Des tables de la base de données"
    DOCUMENTS = "documents", "Le stockage des pièces (documents des dossiers et des demandes)"
    BACKUP = "backup", "Une sauvegarde (toutes les données)"
