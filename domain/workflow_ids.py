"""Temporal workflow ids of dossiers, negotiations and data-subject requests: one place for the
web app, the gateway, the workflows that start children, the demo and the benchmarks."""

from __future__ import annotations


def dossier_workflow_id(dossier_id: str) -> str:
    return f"dossier:{dossier_id}"


def negotiation_workflow_id(negotiation_id: str) -> str:
    return f"negotiation:{negotiation_id}"


def privacy_request_workflow_id(request_id: str) -> str:
    return f"privacy-request:{request_id}"


def breach_workflow_id(breach_id: str) -> str:
    return f"breach:{breach_id}"
