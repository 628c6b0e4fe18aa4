"""The rows an activity is about: a missing one fails the activity for good, since no retry
brings it back (the workflow decides what follows)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlmodel import Session
from temporalio.exceptions import ApplicationError

from models.dossier import Dossier
from models.negotiation import Negotiation, NegotiationOffer

Row = TypeVar("Row")


def row_or_fail(
    session: Session, model: type[Row], row_id: Any, error_type: str, message: str = ""
) -> Row:
    row = session.get(model, row_id)
    if row is None:
        raise ApplicationError(
            message or f"{model.__name__} {row_id} not found", type=error_type, non_retryable=True
        )
    return row


def get_dossier(session: Session, dossier_id: str) -> Dossier:
    return row_or_fail(session, Dossier, dossier_id, "DossierNotFound")


def get_negotiation(session: Session, negotiation_id: str) -> Negotiation:
    return row_or_fail(session, Negotiation, negotiation_id, "NegotiationNotFound")


def get_offer(session: Session, offer_id: str) -> NegotiationOffer:
    return row_or_fail(
        session,
        NegotiationOffer,
        offer_id,
        "OfferNotFound",
        "Cette offre est introuvable : elle a peut-être été supprimée.",
    )
