"""HTML templates printed to PDF with WeasyPrint: the analysis report, letters by post, consent
receipts. Relative links (images, stylesheets) resolve in templates/report/."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from weasyprint import CSS, HTML

from rendering.environment import document_environment
from templates import TEMPLATES_DIR

REPORT_DIR = TEMPLATES_DIR / "report"


def render_pdf(
    template: str, context: Mapping[str, Any], stylesheets: Sequence[Path] = ()
) -> bytes:
    html = document_environment().get_template(template).render(context)
    document = HTML(string=html, base_url=str(REPORT_DIR))
    pdf: bytes = document.write_pdf(stylesheets=[CSS(filename=str(path)) for path in stylesheets])
    return pdf


def html_to_pdf(html: str) -> bytes:
    """A document already rendered (and kept as it was sent), printed to PDF."""
    pdf: bytes = HTML(string=html, base_url=str(REPORT_DIR)).write_pdf()
    return pdf
