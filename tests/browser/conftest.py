"""Browser harness: Playwright for Python driving Debian's chromium against a live server.

- The server is pytest-django's `live_server` (a real HTTP server in a thread, static files
  served through staticfiles) on the test database; a test using it runs on a transactional
  database, flushed after it.
- Or, for a test marked `postgres` (the PostgreSQL pass of .ci/run), `real_server`: gunicorn
  and a Celery worker in their own processes, production-like, on the test database and the
  Redis broker (tests/browser/rehearsal_server.py).
- One chromium per test module (`browser`), a fresh context and page per test (`page`).
  Not per session: Playwright's sync API keeps an asyncio loop running in the main thread
  while it is started, and Django then refuses ORM calls from that thread
  (SynchronousOnlyOperation) — in the browser tests this is allowed explicitly, and the loop is
  stopped when the module ends, before any other test runs.
- Every step can be screenshotted (`shoot("étape")`) under var/screenshots/<test>/ (kept as
  CI artefacts). Content-Security-Policy violations, page errors and failed requests are
  collected on every page and fail the test.
- Skipped, with the reason, when /usr/bin/chromium or the playwright package is absent, and
  on PostgreSQL unless marked `postgres` (live_server tests run in the SQLite pass of .ci/run).
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
PASSWORD = "mot-de-passe-de-test"
NOTICE = "Environnement de formation — données fictives"


def pytest_collection_modifyitems(config, items):
    """Every test in tests/browser is a browser test (marker `browser`)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser(request):
    from django.db import connection

    if connection.vendor != "sqlite" and request.node.get_closest_marker("postgres") is None:
        # live_server is the SQLite pass's server; modules marked `postgres` use real_server.
        pytest.skip("browser tests run in the SQLite pass of .ci/run (live_server)")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} absent: apt-get install -y chromium (done by .ci/run)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright absent: pip install -e '.[test]'")
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
    finally:
        playwright.stop()
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


# CSP violations already reported to the owners of other apps' templates (they are not this
# harness's to fix): (URL path pattern, start of the browser's message, where it comes from).
# Each still shows as a warning; remove the entry when the template is fixed.
KNOWN_CSP_VIOLATIONS: tuple[tuple[str, str, str], ...] = ()


def _known(text: str) -> str | None:
    for path, start, where in KNOWN_CSP_VIOLATIONS:
        url, _, message = text.partition(": ")
        if re.search(path, url) and message.startswith(start):
            return where
    return None


@dataclass
class PageProblems:
    """What went wrong in the browser while a test ran: all must stay empty."""

    csp: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def watch(self, page, *, csp: bool = True) -> None:
        """csp=False when a test injects code (axe) whose own DOM work the policy reports."""
        page.on("console", lambda message: self._console(page, message, csp=csp))
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on(
            "response",
            lambda resp: (
                resp.status >= 400
                and resp.status != 429  # the login rate limit answers 429 on purpose
                and self.failed.append(f"{resp.status} {resp.url}")
            ),
        )

    def _request_failed(self, request) -> None:
        # ERR_ABORTED: a load cut short by the next navigation, not a failure of the server.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.failed.append(f"{request.url} {request.failure}")

    def _console(self, page, message, *, csp: bool) -> None:
        text = f"{page.url}: {message.text}"
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            if csp:
                self.csp.append(text)
        elif message.type == "error" and "status of 429" not in text:
            self.errors.append(text)

    def assert_none(self) -> None:
        unknown = []
        for text in self.csp:
            where = _known(text)
            if where:
                warnings.warn(f"known CSP violation, {where}: {text}", stacklevel=1)
            else:
                unknown.append(text)
        assert not unknown, f"Content-Security-Policy violations: {unknown}"
        assert not self.errors, f"errors in the page: {self.errors}"
        assert not self.failed, f"failed requests: {self.failed}"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:80] or "page"


def make_context(browser, server, **options):
    """`server`: live_server or real_server (anything with a `url`)."""
    return browser.new_context(
        base_url=server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}, **options
    )


@pytest.fixture
def screenshots_dir(request) -> Path:
    folder = SCREENSHOTS / _slug(request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


@pytest.fixture
def shooter(screenshots_dir):
    """shoot(page, "étape"): a full-page screenshot, numbered in the order of the steps."""
    count = iter(range(1, 1000))

    def shoot(page, step: str) -> Path:
        path = screenshots_dir / f"{next(count):02d}-{_slug(step)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shoot


@pytest.fixture
def problems() -> PageProblems:
    return PageProblems()


@pytest.fixture
def real_server(transactional_db, request):
    """gunicorn and a Celery worker (own processes) on the test database: PostgreSQL only."""
    from tests.browser.rehearsal_server import RealServer

    # the servers' logs next to the screenshots (CI artefacts); a module may name the folder
    logs = SCREENSHOTS / getattr(request.module, "ARTEFACTS", _slug(request.node.name))
    logs.mkdir(parents=True, exist_ok=True)
    with RealServer.start(logs=logs) as server:
        yield server


@pytest.fixture
def context(browser, live_server):
    context = make_context(browser, live_server)
    yield context
    context.close()


@pytest.fixture
def page(context, problems, shooter):
    """A page whose problems are checked at the end of the test; `page.shoot("étape")`."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems.watch(page)
    page.shoot = lambda step: shooter(page, step)
    yield page
    problems.assert_none()


def _trainee(populated: bool):
    from entsim.models import WorldMember
    from entsim.services.worlds import user_ensure, world_create
    from tests.browser.populate import edt_populate, ent_populate

    world = world_create(name="Collège navigateur", size="college", seed=2027)
    if populated:
        edt_populate(world)
        ent_populate(world)
    user = user_ensure(username="camille", password=PASSWORD, first_name="Camille")
    WorldMember.objects.create(world=world, user=user, role="stagiaire")
    return world, user.username


@pytest.fixture
def trainee(transactional_db):
    """A generated collège world and a trainee (stagiaire) in it: (world, username)."""
    return _trainee(populated=False)


@pytest.fixture
def busy_trainee(transactional_db):
    """The same, the EDT and the ENT filled with the world's files (pages with real data)."""
    return _trainee(populated=True)


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Through the login form, as a person would."""
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()
