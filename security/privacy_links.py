"""The signed link to a file made for a data-subject request (their access package, their
portable data): names the download's opaque id; valid settings.privacy_download_days. The
page also refuses a file already downloaded once or shredded."""

from __future__ import annotations

from security.negotiation_links import IdLink

DOWNLOAD_LINK_PATH = "/espace/mes-donnees"
DOWNLOAD_LINK = IdLink(
    "privacy-download", DOWNLOAD_LINK_PATH, "d", lambda settings: settings.privacy_download_days
)
