"""The dossier search index (models/search_token.py): written at intake, rewritten whenever a
client's name, phone or email changes, emptied when the client is erased; read by the list.

A query (domain/search_terms.py) is cut into terms; a dossier matches when every term matches
it: a word through a token of its client's name or of one of its creditors' names, a phone or
an email through its client's, a reference piece through the dossier's reference. Nothing is
decrypted to search: the query's words are hashed under the same key and looked up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, delete, false, or_
from sqlmodel import Session, col, select

from config.settings import Settings
from domain.search_terms import SearchTerm, email_key, name_tokens, phone_key, query_terms
from models.client import Client
from models.dossier import Dossier, DossierCreditor
from models.search_token import ClientSearchToken
from security.blind_index import BlindIndexer
from security.datakeys import ClientCipher

# One blind-index purpose per kind of value, so a word never matches a phone's token.
NAME_INDEX = "search.name"
EMAIL_INDEX = "search.email"
PHONE_INDEX = "search.phone"
CREDITOR_INDEX = "search.creditor"
CREDITOR_KIND = "creditor"


@dataclass(frozen=True)
class ClientDetails:
    """The indexed details, in clear, as the client's fields hold them."""

    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None


def client_tokens(
    details: ClientDetails, hasher: Callable[[str, str], str]
) -> list[tuple[str, str]]:
    """(kind, token) for each indexed word of the client's details, without repeats."""
    tokens: set[tuple[str, str]] = set()
    for kind, value in (("first_name", details.first_name), ("last_name", details.last_name)):
        tokens.update((kind, hasher(NAME_INDEX, word)) for word in name_tokens(value or ""))
    if details.email:
        tokens.add(("email", hasher(EMAIL_INDEX, email_key(details.email))))
    phone = phone_key(details.phone) if details.phone else None
    if phone is not None:
        tokens.add(("phone", hasher(PHONE_INDEX, phone)))
    return sorted(tokens)


def creditor_tokens(name: str, hasher: Callable[[str, str], str]) -> list[str]:
    return sorted({hasher(CREDITOR_INDEX, word) for word in name_tokens(name)})


def index_client(
    session: Session, client_id: str, details: ClientDetails, settings: Settings
) -> None:
    """Replace the client's personal tokens (their creditors' are left as they are)."""
    session.exec(
        delete(ClientSearchToken).where(  # type: ignore[call-overload]
            col(ClientSearchToken.client_id) == client_id,
            col(ClientSearchToken.dossier_creditor_id).is_(None),
        )
    )
    for kind, token in client_tokens(details, BlindIndexer(settings)):
        session.add(ClientSearchToken(client_id=client_id, kind=kind, token=token))
    session.flush()


def index_creditor(
    session: Session, client_id: str, creditor: DossierCreditor, settings: Settings
) -> None:
    """The tokens of one dossier creditor's name, from the moment it is entered (a staged
    creditor the workflow never accepts is swept with its tokens: the foreign key cascades)."""
    assert creditor.id is not None  # flushed
    for token in creditor_tokens(creditor.name, BlindIndexer(settings)):
        session.add(
            ClientSearchToken(
                client_id=client_id,
                dossier_creditor_id=creditor.id,
                kind=CREDITOR_KIND,
                token=token,
            )
        )


def forget_client(session: Session, client_id: str) -> None:
    """Every token of the client, creditors' included: an erased person is not searchable."""
    session.exec(
        delete(ClientSearchToken).where(col(ClientSearchToken.client_id) == client_id)  # type: ignore[call-overload]
    )


def client_details(client: Client, cipher: ClientCipher) -> ClientDetails:
    def read(name: str) -> str | None:
        return cipher.decrypt("client", name, client.id, getattr(client, f"{name}_enc"))

    return ClientDetails(read("first_name"), read("last_name"), read("email"), read("phone"))


def reindex_client(
    session: Session, client: Client, settings: Settings, hasher: BlindIndexer | None = None
) -> int:
    """All the client's tokens rewritten from their decrypted details and their dossiers'
    creditors; none for an erased client. Returns how many were written."""
    forget_client(session, client.id)
    if client.wrapped_key is None:
        return 0
    hasher = hasher or BlindIndexer(settings)
    details = client_details(client, ClientCipher.for_client(client, settings))
    rows = [
        ClientSearchToken(client_id=client.id, kind=kind, token=token)
        for kind, token in client_tokens(details, hasher)
    ]
    creditors = session.exec(
        select(DossierCreditor.id, DossierCreditor.name)
        .join(Dossier, col(Dossier.id) == col(DossierCreditor.dossier_id))
        .where(Dossier.client_id == client.id)
    ).all()
    for creditor_id, name in creditors:
        rows.extend(
            ClientSearchToken(
                client_id=client.id,
                dossier_creditor_id=creditor_id,
                kind=CREDITOR_KIND,
                token=token,
            )
            for token in creditor_tokens(name, hasher)
        )
    session.add_all(rows)
    session.flush()
    return len(rows)


def search_condition(query: str, dialect: str, settings: Settings) -> ColumnElement[bool]:
    """The dossiers every term of `query` matches."""
    hasher = BlindIndexer(settings)
    terms = query_terms(query)
    if not terms:
        return false()
    return and_(*(_term_condition(term, dialect, hasher) for term in terms))


def _term_condition(term: SearchTerm, dialect: str, hasher: BlindIndexer) -> ColumnElement[bool]:
    hashes: list[str] = []
    if term.word:
        hashes += [hasher(NAME_INDEX, term.word), hasher(CREDITOR_INDEX, term.word)]
    if term.phone:
        hashes.append(hasher(PHONE_INDEX, term.phone))
    if term.email:
        hashes.append(hasher(EMAIL_INDEX, term.email))
    ways: list[ColumnElement[bool]] = []
    if hashes:
        # One range of the (token, client_id) index per term; a client has one dossier (intake
        # opens a new client each time), so their creditors' tokens are their dossier's.
        clients = select(ClientSearchToken.client_id).where(
            col(ClientSearchToken.token).in_(hashes)
        )
        ways.append(col(Dossier.client_id).in_(clients))
    if term.reference:
        # Through a subquery that only reads references: the scan reads the (small) index on
        # the reference rather than every dossier row.
        pieces = select(col(Dossier.reference)).where(reference_contains(term.reference, dialect))
        ways.append(col(Dossier.reference).in_(pieces))
    return or_(*ways) if ways else false()


def reference_contains(piece: str, dialect: str) -> ColumnElement[bool]:
    """reference contains `piece` (references are stored upper-case), wildcards taken literally.

    SQLite's LIKE ignores case; GLOB compares as stored, like PostgreSQL's LIKE."""
    if dialect == "sqlite":
        pattern = "".join(f"[{c}]" if c in "*?[" else c for c in piece)
        return col(Dossier.reference).op("GLOB")(f"*{pattern}*")
    escaped = piece.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return col(Dossier.reference).like(f"%{escaped}%", escape="\\")


def reindex_batch(
    session: Session, settings: Settings, after: str, size: int
) -> tuple[str | None, int, int]:
    """Reindex the next `size` clients by id after `after` ("" to start); returns the last id
    done (None when there were none left), how many clients and how many tokens were written.
    Each client's tokens are replaced, so running it again changes nothing."""
    clients = session.exec(
        select(Client).where(col(Client.id) > after).order_by(col(Client.id)).limit(size)
    ).all()
    hasher = BlindIndexer(settings)
    tokens = sum(reindex_client(session, client, settings, hasher) for client in clients)
    return (clients[-1].id if clients else None), len(clients), tokens


def index_unindexed(session: Session, settings: Settings) -> int:
    """Index the clients (not erased) that have no token at all, e.g. created before the index
    existed; returns how many. For small databases (the demo's): `reindex-search` is the tool
    for a large one."""
    indexed = select(ClientSearchToken.client_id)
    clients = session.exec(
        select(Client).where(col(Client.wrapped_key).is_not(None), col(Client.id).not_in(indexed))
    ).all()
    hasher = BlindIndexer(settings)
    for client in clients:
        reindex_client(session, client, settings, hasher)
    return len(clients)
