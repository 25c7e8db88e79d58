"""Browser tests: the app served on localhost, driven by Playwright in Debian's Chromium.

Skipped, with a clear reason, when /usr/bin/chromium is missing (`.ci/run` installs it).
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "browser"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PASSWORD = "demo-password"


def pytest_collection_modifyitems(config, items):
    reason = None
    if not Path(CHROMIUM).exists():
        reason = f"Chromium is not installed at {CHROMIUM}: browser tests skipped (apt-get install chromium)"
    elif not AXE.exists():
        reason = "axe-core is not installed (run make install): browser tests skipped"
    if reason:
        for item in items:
            if "browser" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app with the demo library, served on 127.0.0.1 for the whole browser session."""
    from werkzeug.serving import make_server

    from library import create_app
    from library.core.vocabularies import load_vocabularies
    from library.demo.seed import seed_demo
    from library.ops.migrate import upgrade
    from library.web.database import get_session

    data_dir = tmp_path_factory.mktemp("browser-data")
    app = create_app(
        {
            "ENV_NAME": "test",
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": f"sqlite:///{data_dir / 'library.core.db'}",
            "LOG_LEVEL": "WARNING",
        }
    )
    upgrade(app.extensions["db_engine"])
    with app.app_context():
        load_vocabularies(get_session())
        seed_demo(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots():
    shutil.rmtree(OUTPUT, ignore_errors=True)
    OUTPUT.mkdir(parents=True)
    return OUTPUT


@pytest.fixture
def new_page(browser, live_server):
    pages = []
    blocked: list[str] = []

    def _new(email: str | None = None, width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        # Anything the Content-Security-Policy blocks is a fault of the page.
        page.on(
            "console",
            lambda message: (
                blocked.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        pages.append(context)
        if email:
            sign_in(page, live_server, email)
        return page

    yield _new
    for context in pages:
        context.close()
    assert not blocked, blocked


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Signed in as")


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now."""
    # Evaluated by the test driver, not added as an inline <script>: the app's Content-Security-
    # Policy forbids inline script, and stays on while the checks run.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations",
        AXE_TAGS,
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]} for v in result
    ]


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"


def upload_on_the_page(page, files, title: str, document_type: str, area: str, year: str = "2025") -> int:
    """Fill in the upload form already open on ``page`` and send it; returns the new document's id."""
    page.set_input_files("#file", files)
    page.fill("#title", title)
    page.select_option("#document_type", document_type)
    page.check(f"input[name=service_areas][value={area}]")
    page.fill("#year", year)
    page.click("form.app-upload-form button[type=submit]")
    page.wait_for_selector("h1#workspace-heading")  # an upload lands on the work: the workspace
    page.wait_for_load_state("load")
    return int(re.search(r"/documents/(\d+)", page.url).group(1))
