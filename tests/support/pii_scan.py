"""Reading what the Temporal server holds about a workflow without any codec, and searching it
for personal data in its usual spellings and encodings (tests of "no PII reaches Temporal")."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowExecution
from temporalio.common import TypedSearchAttributes
from temporalio.testing import WorkflowEnvironment

from security.codec import ENCODING, KEY_ID_METADATA


def spellings(value: str) -> set[str]:
    """The value as typed and as code commonly rewrites it: case, accents stripped."""
    unaccented = "".join(
        c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c)
    )
    return {
        form
        for base in (value, unaccented, unicodedata.normalize("NFD", value))
        for form in (base, base.lower(), base.upper(), base.casefold())
    }


def _encodings(needle: str) -> set[bytes]:
    """How a string shows up in bytes: UTF-8, or JSON-escaped (ASCII or not)."""
    return {
        needle.encode(),
        json.dumps(needle)[1:-1].encode(),
        json.dumps(needle, ensure_ascii=False)[1:-1].encode(),
    }


def find_pii(haystacks: Iterable[tuple[str, bytes]], needles: set[str]) -> list[str]:
    """'where: value' for every needle found in any haystack."""
    patterns = {needle: _encodings(needle) for needle in needles}
    return sorted(
        f"{where}: {needle!r}"
        for where, data in haystacks
        for needle, forms in patterns.items()
        if any(form in data for form in forms)
    )


def iter_payloads(message: Message, path: str = "") -> Iterator[tuple[str, Payload]]:
    """Every Payload inside a protobuf message, with the field path leading to it."""
    if isinstance(message, Payload):
        yield path, message
        return
    for descriptor, value in message.ListFields():
        name = f"{path}.{descriptor.name}" if path else descriptor.name
        if isinstance(value, Message):
            yield from iter_payloads(value, name)
        elif hasattr(value, "items"):  # a map field
            for key, item in value.items():
                if isinstance(item, Message):
                    yield from iter_payloads(item, f"{name}[{key}]")
        elif isinstance(value, Iterable) and not isinstance(value, str | bytes):
            for index, item in enumerate(value):
                if isinstance(item, Message):
                    yield from iter_payloads(item, f"{name}[{index}]")


@dataclass
class Exposure:
    """What the Temporal server holds about one workflow, read without any codec."""

    workflow_id: str
    history_json: str
    events: list[tuple[str, bytes]]
    description: bytes
    listing: list[bytes]
    search_attributes: TypedSearchAttributes
    # Payloads of the history, except search attributes (never encrypted: the server indexes them).
    payloads: list[tuple[str, Payload]] = field(default_factory=list)

    def haystacks(self) -> Iterator[tuple[str, bytes]]:
        yield "workflow id", self.workflow_id.encode()
        yield "history JSON", self.history_json.encode()
        yield from self.events
        yield "describe()", self.description
        for index, raw in enumerate(self.listing):
            yield f"list_workflows()[{index}]", raw
        for pair in self.search_attributes:
            yield f"search attribute {pair.key.name}", str(pair.value).encode()

    def unencrypted(self) -> list[str]:
        return [
            path
            for path, payload in self.payloads
            if (
                payload.metadata.get("encoding") != ENCODING
                or KEY_ID_METADATA not in payload.metadata
            )
            and not _patch_marker(path, payload)
        ]


def _patch_marker(path: str, payload: Payload) -> bool:
    """The id of a `workflow.patched` marker, which the SDK's core records itself, outside the
    payload codec: a constant of our code ("staged-writes"), never data."""
    if "details[patch-data]" not in path:
        return False
    try:
        value = json.loads(payload.data)
    except ValueError:
        return False
    patch_id = value.get("id") if isinstance(value, dict) else None
    return isinstance(patch_id, str) and re.fullmatch(r"[a-z]+(-[a-z]+)*", patch_id) is not None


async def read_exposure(plain: Client, workflow_id: str) -> Exposure:
    handle = plain.get_workflow_handle(workflow_id)
    history = await handle.fetch_history()
    events: list[tuple[str, bytes]] = []
    payloads: list[tuple[str, Payload]] = []
    for event in history.events:
        where = f"event {event.event_id} ({event.WhichOneof('attributes')})"
        events.append((where, event.SerializeToString()))
        payloads.extend(
            (f"{where} {path}", payload)
            for path, payload in iter_payloads(event)
            if "search_attributes" not in path
        )
    description = await handle.describe()
    executions = await list_executions(plain, workflow_id)
    return Exposure(
        workflow_id=workflow_id,
        history_json=history.to_json(),
        events=events,
        description=description.raw_description.SerializeToString(),
        listing=[execution.raw_info.SerializeToString() for execution in executions],
        search_attributes=description.typed_search_attributes,
        payloads=payloads,
    )


async def list_executions(client: Client, workflow_id: str) -> list[WorkflowExecution]:
    return [e async for e in client.list_workflows(f'WorkflowId="{workflow_id}"')]


async def plain_client(env: WorkflowEnvironment) -> Client:
    """A client with the default data converter: it sees what the server stores."""
    return await Client.connect(
        env.client.service_client.config.target_host, namespace=env.client.namespace
    )
