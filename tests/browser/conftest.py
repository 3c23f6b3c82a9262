"""Browser tests: the real pages in Debian's Chromium (headless, driven by Playwright), against
the app served on a local port from a SQLite file. The set-up (`make test`) installs chromium;
Playwright's own browser download is never used. Screenshots go to test-artifacts/screenshots."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
AXE = REPO / "app" / "static" / "dist" / "axe.min.js"


@pytest.fixture
def backend() -> str:
    return "sqlite"  # the pages are the same on both databases; the services are tested on both


def closing_responses(app):
    """The app, with every response closed even when the browser hangs up mid-file.

    Werkzeug's development server skips the response's close() when the connection drops while
    it writes (a page closed while its favicon loads), so the static file is left open and its
    ResourceWarning fails whichever test runs next. A generator's finally closes it instead.
    """
    def wsgi(environ, start_response):
        response = app(environ, start_response)

        def chunks():
            try:
                yield from response
            finally:
                if hasattr(response, "close"):
                    response.close()
        return chunks()
    return wsgi


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, closing_responses(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed: `make test` installs the Debian package")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/sign-in")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(lambda url: "/sign-in" not in url)


def axe_violations(page) -> list[dict]:
    """Every axe-core finding on the page as it stands, whatever its impact, on the WCAG 2.2 AA
    rules (wcag2a, wcag2aa, wcag21a, wcag21aa, wcag22aa): a page passes with none at all."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})""")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in result["violations"]]


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
