"""What a data-subject request's answer does to the data: the files it links to (the access
package, Art. 15; the portable data, Art. 20), stored encrypted until the person downloads
them, and the erasure (Art. 17). Idempotent: one file per request and kind, and an erasure a
retry finds done."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.contracts import privacy_request as io
from config.settings import Settings
from domain.clock import as_utc, utcnow
from domain.privacy.request import Right
from models.database import session_scope
from models.privacy_request import PrivacyRequest
from services.audit import append_audit
from services.privacy_requests.access_package import build_access_package
from services.privacy_requests.downloads import existing_download, store_download
from services.privacy_requests.erasure import execute_erasure
from services.privacy_requests.package_files import package_zip
from services.privacy_requests.portability import build_portable_data, portability_zip
from services.privacy_requests.restriction import lift, restrict

UNKNOWN_EXPORT = "UnknownExport"


class PrivacyExportActivities:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @activity.defn(name=io.PREPARE_PRIVACY_EXPORT.name)
    def prepare_privacy_export(self, request: io.ExportRequest) -> io.ExportReady:
        if request.kind not in (Right.ACCESS.value, Right.PORTABILITY.value):
            raise ApplicationError(
                f"no export for {request.kind}", type=UNKNOWN_EXPORT, non_retryable=True
            )
        now = utcnow()
        with session_scope(self.settings) as session:
            row = session.get(PrivacyRequest, request.request_id)
            if row is None:
                raise ApplicationError(
                    "privacy request not found", type=UNKNOWN_EXPORT, non_retryable=True
                )
            found = existing_download(session, row.id, request.kind)
            if found is not None:
                return io.ExportReady(found.id, found.size_bytes)
            if request.kind == Right.ACCESS.value:
                content = package_zip(build_access_package(session, self.settings, row, now))
            else:
                data, documents = build_portable_data(session, self.settings, row)
                content = portability_zip(row.reference, data, documents)
            download = store_download(session, self.settings, row, request.kind, content, now)
            if row.client_id:
                append_audit(
                    session,
                    "system",
                    "client.read",
                    "client",
                    row.client_id,
                    reason=f"privacy_request.{request.kind}",
                    detail={"privacy_request_id": row.id},
                )
            return io.ExportReady(download.id, download.size_bytes)

    @activity.defn(name=io.ERASE_PERSON_DATA.name)
    def erase_person_data(self, ref: io.ErasureRequest) -> io.ErasureDone:
        with session_scope(self.settings) as session:
            row = session.get(PrivacyRequest, ref.request_id)
            if row is None:
                raise ApplicationError(
                    "privacy request not found", type=UNKNOWN_EXPORT, non_retryable=True
                )
            plan = execute_erasure(
                session, self.settings, row, as_utc(ref.at), self.settings.retention_policy
            )
            return io.ErasureDone(plan.complete, [d.group.value for d in plan.withheld])

    @activity.defn(name=io.CHANGE_RESTRICTION.name)
    def change_restriction(self, change: io.RestrictionChange) -> bool:
        """Restrict or lift; False when the request is about nobody known as a client (there is
        nothing to restrict: the company holds only the request)."""
        with session_scope(self.settings) as session:
            row = session.get(PrivacyRequest, change.request_id)
            if row is None or row.client_id is None:
                return False
            if change.restricted:
                restrict(session, row.client_id, row.id, as_utc(change.at))
            else:
                lift(session, row.client_id, row.id)
            return True
