"""Every column of every table belongs to exactly one data category."""

from __future__ import annotations

from sqlmodel import SQLModel

import models  # noqa: F401  (registers the tables)
from models.categories import Category

PERSONAL_COLUMNS = {
    ("client", "email_enc"): Category.ACCOUNT,
    ("client", "last_name_enc"): Category.ACCOUNT,
    ("dossier_creditor", "account_reference_enc"): Category.FINANCIAL,
    ("document", "filename_enc"): Category.DOCUMENTS,
    ("email_outbox", "html_enc"): Category.CORRESPONDENCE,
    ("audit_entry", "actor"): Category.AUDIT,
}


def test_every_column_has_one_known_category() -> None:
    known = {category.value for category in Category}
    missing = [
        f"{table.name}.{column.name}"
        for table in SQLModel.metadata.tables.values()
        for column in table.columns
        if column.info.get("category") not in known
    ]
    assert missing == []


def test_personal_columns_are_in_the_expected_category() -> None:
    tables = SQLModel.metadata.tables
    for (table, column), category in PERSONAL_COLUMNS.items():
        assert tables[table].columns[column].info["category"] == category.value


def test_encrypted_columns_hold_text_tokens_only() -> None:
    """Encrypted values are stored as opaque text tokens, never as a clear typed column."""
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            if column.name.endswith("_enc"):
                assert column.nullable, f"{table.name}.{column.name} must allow erasure"
