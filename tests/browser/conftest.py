"""Browser tests: the real app on a local port, driven by Playwright in Debian's chromium."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.conftest import IN_CI

CHROMIUM = os.environ.get("CHORUS_CHROMIUM", "/usr/bin/chromium")
# Waits are on events (text shown, a page loaded); the bound is generous so a busy machine never fails a test.
WAIT_MS = 300_000
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items):  # type: ignore[no-untyped-def]
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if IN_CI:
            pytest.fail("CI expects Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
        pytest.skip("Debian chromium is not installed")
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")  # type: ignore[return-value]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app with a seeded demo on a file SQLite database, served from a thread."""
    from app import create_app
    from app.extensions import db
    from app.seed import seed

    path = tmp_path_factory.mktemp("browser") / "chorus.sqlite"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "CHORUS_JOBS": "inline"})
    with app.app_context():
        db.create_all()
        seed(idea_count=40)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(300)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="module")
def browser(chromium_path: str):  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser):  # type: ignore[no-untyped-def]
    contexts = []

    def make(width: int = 1280, height: int = 900):  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": width, "height": height})
        context.set_default_timeout(WAIT_MS)
        context.set_default_navigation_timeout(WAIT_MS)
        contexts.append(context)
        return context.new_page()

    try:
        yield make
    finally:
        for context in contexts:
            context.close()


def sign_in(page, base: str, email: str, password: str = "chorus-demo-2026") -> None:  # type: ignore[no-untyped-def]
    page.goto(base + "/auth/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def serious_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core violations of serious or critical impact on the current page."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error

    page.wait_for_load_state()
    try:
        results = Axe().run(page)
    except Error:  # a link click's navigation was still under way (seen under load): check the new page
        page.wait_for_load_state()
        results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
