"""SQLModel tables, one module per family, and their migrations. Importing this package
registers every table on SQLModel.metadata (migrations, create_all in tests)."""

from models import (  # noqa: F401
    allowance_parameters,
    audit,
    breach,
    budget,
    client,
    creditor_directory,
    document,
    dossier,
    dossier_note,
    intake_request,
    negotiation,
    outbox,
    privacy_request,
    rate_limit,
    search_token,
    staff,
    staff_link,
    staff_session,
    staged_write,
    statistics,
)
