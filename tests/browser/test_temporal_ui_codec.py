"""The Temporal Web UI shows ciphertext, until a logged-in admin has it decode through the app.

Runs the real `cravelynos dev` stack (Temporal dev server with its Web UI, worker, web app) and
drives the Web UI in Chromium. The admin's one-time set-up is the Web UI's own "codec server"
setting "include cross-origin credentials", stored in the browser (localStorage) — the same
switch the production UI gets from TEMPORAL_CODEC_INCLUDE_CREDENTIALS.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page
from support.browser import screenshot
from support.dev_command import DevStack, running_dev
from support.stack import TEMPORAL_CLI

pytestmark = pytest.mark.devserver


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevStack]:
    with running_dev(tmp_path_factory.mktemp("ui-codec")) as running:
        yield running


def _a_dossier_workflow(stack: DevStack) -> str:
    listing = subprocess.run(
        [TEMPORAL_CLI, "workflow", "list", "--address", stack.temporal_address, "-o", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r'"workflowId":\s*"dossier:([0-9a-f]+)"', listing)
    assert found, listing
    return found.group(1)


def _log_in(page: Page, stack: DevStack, email: str) -> None:
    page.goto(f"{stack.base_url}/login")
    page.get_by_label("Adresse e-mail professionnelle").fill(email)
    page.get_by_label("Mot de passe").fill(stack.demo_password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("networkidle")


def _include_credentials(page: Page, stack: DevStack) -> None:
    page.goto(stack.ui_url)
    page.evaluate(
        """endpoint => {
            localStorage.setItem('endpoint', JSON.stringify(endpoint));
            localStorage.setItem('includeCredentials', 'true');
            localStorage.setItem('overrideRemoteCodecConfiguration', 'true');
        }""",
        f"{stack.base_url}/codec",
    )


def _workflow_page(page: Page, stack: DevStack, dossier_id: str) -> int:
    """Open the workflow in the Web UI; the status of the codec endpoint's first answer."""
    with page.expect_response(lambda r: "/codec/decode" in r.url) as decoding:
        page.goto(f"{stack.ui_url}/namespaces/default/workflows/dossier:{dossier_id}")
    page.get_by_text("Event History").first.wait_for()
    return decoding.value.status


def test_ui_shows_ciphertext_to_anyone_and_clear_input_to_a_logged_in_admin(
    stack: DevStack, browser: Browser
) -> None:
    dossier_id = _a_dossier_workflow(stack)

    anonymous = browser.new_page()
    _include_credentials(anonymous, stack)
    assert _workflow_page(anonymous, stack, dossier_id) == 401
    assert f'"dossier_id": "{dossier_id}"' not in anonymous.inner_text("body")
    screenshot(anonymous, "temporal-ui-ciphertext")

    case_worker = browser.new_context().new_page()
    _log_in(case_worker, stack, "demo@cravelynos.example")
    _include_credentials(case_worker, stack)
    assert _workflow_page(case_worker, stack, dossier_id) == 403
    assert f'"dossier_id": "{dossier_id}"' not in case_worker.inner_text("body")

    admin = browser.new_context().new_page()
    _log_in(admin, stack, "admin@cravelynos.example")
    _include_credentials(admin, stack)
    assert _workflow_page(admin, stack, dossier_id) == 200
    admin.get_by_text(f'"{dossier_id}"').first.wait_for()
    screenshot(admin, "temporal-ui-decoded")
