"""A message to a creditor as it is rendered: one context for the email, the letter and the
case worker's preview, so what is previewed is what leaves."""

from __future__ import annotations

from domain.negotiation.message_content import CreditorMessageContent
from domain.negotiation.sharing import SHARE_CATEGORY_SHORT_FR
from rendering.email import RenderedEmail, render_email


def message_context(content: CreditorMessageContent) -> dict[str, object]:
    return {
        "content": content,
        "reference": content.reference,
        "kind_label": content.kind_label.lower(),
        "categories": [c.value for c in content.categories],
        "category_labels": [SHARE_CATEGORY_SHORT_FR[c] for c in content.categories],
    }


def render_creditor_email(content: CreditorMessageContent, address: str) -> RenderedEmail:
    return render_email("creditor_message", address, message_context(content))
