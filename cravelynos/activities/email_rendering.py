"""Jinja2 rendering of client emails (French, HTML + text) from templates/email/."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from cravelynos.activities.email_delivery import RenderedEmail

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"

SUBJECTS: dict[str, str] = {
    "acknowledgement": "Votre dossier {reference} est ouvert",
    "document_reminder": "Dossier {reference} : des pièces nous manquent encore",
    "closure": "Dossier {reference} : clôture et conservation de vos données",
    "analysis_ready": "Dossier {reference} : votre analyse budgétaire est prête",
    "analysis_reminder": "Dossier {reference} : votre analyse budgétaire attend votre réponse",
}


@lru_cache(maxsize=1)
def email_environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render_email(template: str, recipient: str, context: dict[str, Any]) -> RenderedEmail:
    subject = SUBJECTS[template].format(**context)
    env = email_environment()
    values = {**context, "subject": subject}
    return RenderedEmail(
        recipient=recipient,
        subject=subject,
        text=env.get_template(f"email/{template}.txt").render(values),
        html=env.get_template(f"email/{template}.html").render(values),
    )
