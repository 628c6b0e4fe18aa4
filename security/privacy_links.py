"""The signed links of data-subject requests, each naming an opaque id:
- download link: a file made for the person (their access package, their portable data), valid
  settings.privacy_download_days; the page also refuses a file already taken or shredded;
- confirmation link: a request filed on the site, sent to the address the person gave; valid
  as long as the request waits for it (48 hours);
- rights link: in every email to a client, the way to exercise their rights without proving
  who they are again (the link came to their own mailbox); valid settings.rights_link_days."""

from __future__ import annotations

from domain.privacy.request import CONFIRMATION_HOURS
from security.negotiation_links import IdLink

DOWNLOAD_LINK_PATH = "/espace/mes-donnees"
DOWNLOAD_LINK = IdLink(
    "privacy-download", DOWNLOAD_LINK_PATH, "d", lambda settings: settings.privacy_download_days
)

CONFIRM_LINK_PATH = "/droits/confirmer"
# In whole days, at least the hours the request waits: past them, the page finds it discarded.
CONFIRM_LINK = IdLink(
    "privacy-confirm", CONFIRM_LINK_PATH, "r", lambda _: -(-CONFIRMATION_HOURS // 24)
)

RIGHTS_LINK_PATH = "/droits/lien"
RIGHTS_LINK = IdLink(
    "privacy-rights", RIGHTS_LINK_PATH, "c", lambda settings: settings.rights_link_days
)
