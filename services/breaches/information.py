"""What each affected person is told of a breach, from the breach's own texts (decrypted here,
never stored elsewhere in clear): the same words by email and by letter."""

from __future__ import annotations

from typing import Any

from config.settings import Settings
from domain.privacy.processing import category_notices
from models.breach import Breach
from services.breaches.records import cipher_of


def information_context(row: Breach, data_categories: str, settings: Settings) -> dict[str, Any]:
    """What a person whose data of `data_categories` (comma-separated) was touched is told,
    from the breach's own texts (decrypted here, never stored elsewhere in clear)."""
    cipher = cipher_of(row, settings)
    notices = category_notices()
    categories = [c for c in data_categories.split(",") if c]
    return {
        "reference": row.reference,
        "what_happened": cipher.decrypt("breach", "what_happened", row.id, row.what_happened_enc),
        "what_we_did": cipher.decrypt("breach", "what_we_did", row.id, row.what_we_did_enc),
        "what_you_can_do": cipher.decrypt(
            "breach", "what_you_can_do", row.id, row.what_you_can_do_enc
        ),
        "consequences": cipher.decrypt("breach", "consequences", row.id, row.consequences_enc),
        "categories": [notices[c].title if c in notices else c for c in categories],
        "dpo_email": settings.dpo_email,
    }
