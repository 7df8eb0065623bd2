"""The shell in a real browser: log in, the portal, the clock bar, the EDT and ENT pages, log out.

With JavaScript ("Passer la nuit" is an htmx swap of the clock bar, no reload) and without
(the same form posts and redirects back).
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import NOTICE, log_in, make_context

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright absent")
expect = sync_api.expect

MENU = (
    ("STS-web", "sts/"),
    ("Logiciel EDT", "edt/"),
    ("SIECLE Base élèves", "siecle/"),
    ("Annuaire académique", "aaf/"),
    ("ENT", "ent/"),
    ("Échanges", "echanges/"),
    ("Tâches de nuit", "taches/"),
    ("Portail", ""),
)
EDT_PAGES = (
    ("import/sts/", "STS-web"),
    ("correspondances/", "orrespondances"),
    ("donnees/", ""),
    ("import/eleves/", "lèves"),
    ("groupes/", "roupes"),
    ("eleves/", "lèves"),
    ("services/", "ervices"),
    ("emploi-du-temps/", "mploi du temps"),
    ("exports/", "xport"),
)
ENT_PAGES = (
    ("comptes/", "omptes"),
    ("premiere-connexion/", "onnexion"),
    ("annuaire/", "nnuaire"),
    ("messagerie/", ""),
    ("manuels/", "anuels"),
    ("voir-comme/", "oir l"),
)


def _clock_text(page) -> str:
    return page.locator("#clock-bar strong").first.inner_text()


def _visit(page, url: str, heading_part: str):
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    heading = page.locator("main h1").first
    expect(heading).to_be_visible()
    if heading_part:
        assert heading_part.lower() in page.locator("main").inner_text().lower(), url
    expect(page.get_by_text(NOTICE)).to_be_visible()
    return response


def test_a_trainee_logs_in_passes_the_night_visits_edt_and_ent_and_logs_out(page, busy_trainee):
    world, username = busy_trainee
    portal = f"/mondes/{world.slug}/"

    page.goto(portal)
    expect(page).to_have_url(re.compile(r"/connexion/\?next="))
    page.shoot("connexion")
    log_in(page, username)

    # one world: the home page goes straight into its portal
    expect(page).to_have_url(re.compile(re.escape(portal) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Portail des applications")
    expect(page.get_by_text(NOTICE)).to_be_visible()
    clock = page.locator("#clock-bar")
    expect(clock).to_be_visible()
    expect(clock.get_by_role("button", name="Passer la nuit")).to_be_visible()
    # the DSFR and htmx scripts ran under the Content-Security-Policy
    assert page.evaluate("() => typeof window.dsfr") == "function"
    assert page.evaluate("() => typeof window.htmx") == "object"
    assert page.evaluate("() => document.documentElement.hasAttribute('data-fr-js')")
    page.shoot("portail")

    before = _clock_text(page)
    assert before.startswith("lundi ")  # a generated world opens on a Monday morning
    page.evaluate("() => { window.__sameDocument = 'oui'; }")
    with page.expect_response(lambda r: r.url.endswith("/horloge/") and r.status == 200) as r:
        clock.get_by_role("button", name="Passer la nuit").click()
    assert r.value.request.headers.get("hx-request") == "true"
    expect(page.locator("#clock-bar strong").first).not_to_have_text(before)
    after = _clock_text(page)
    assert after.startswith("mardi ")
    # swapped in place: same document, no reload
    assert page.evaluate("() => window.__sameDocument") == "oui"
    page.shoot("nuit-passee")

    # every entry of the world's menu, clicked as a person would
    menu = page.get_by_role("navigation", name=re.compile("Applications du monde"))
    for label, url_part in MENU:
        with page.expect_navigation():
            menu.get_by_role("link", name=label, exact=True).click()
        expect(page).to_have_url(re.compile(re.escape(f"{portal}{url_part}") + "$"))
        expect(page.locator("main h1").first).to_be_visible()
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        assert _clock_text(page) == after  # the clock moved for good
        page.shoot(f"menu-{label}")

    page.goto(f"{portal}edt/")
    for path, heading in EDT_PAGES:
        _visit(page, f"{portal}edt/{path}", heading)
        page.shoot(f"edt-{path}")

    for path, heading in ENT_PAGES:
        _visit(page, f"{portal}ent/{path}", heading)
        page.shoot(f"ent-{path}")

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/$"))
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    page.shoot("deconnecte")
    page.goto(portal)
    expect(page).to_have_url(re.compile(r"/connexion/\?next="))


def test_without_javascript_the_clock_form_posts_and_comes_back(
    browser, live_server, trainee, shooter
):
    world, username = trainee
    context = make_context(browser, live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        log_in(page, username)
        portal = f"/mondes/{world.slug}/"
        page.goto(f"{portal}edt/")
        before = _clock_text(page)
        shooter(page, "edt-sans-javascript")
        with page.expect_request(lambda r: r.method == "POST") as posted:
            page.locator("#clock-bar").get_by_role("button", name="Passer la nuit").click()
        page.wait_for_load_state()
        # a plain form post (no htmx), redirected back to the page it came from
        assert posted.value.url.endswith("/horloge/")
        assert posted.value.headers.get("hx-request") is None
        expect(page).to_have_url(re.compile(re.escape(f"{portal}edt/") + "$"))
        after = _clock_text(page)
        assert before.startswith("lundi ") and after.startswith("mardi "), (before, after)
        shooter(page, "nuit-passee-sans-javascript")
    finally:
        context.close()


# Links not to follow while crawling: downloads, and what is not a page.
NOT_PAGES = re.compile(r"/telecharger/|/deconnexion/|\.(zip|xml|csv|pdf)$")


def test_every_page_reachable_from_the_portal_renders_under_the_csp(page, busy_trainee):
    """Crawl the world's links (GET, same world, one visit per path): every page answers 200,
    the DSFR script runs, and the Content-Security-Policy blocks nothing (checked by `page`)."""
    world, username = busy_trainee
    log_in(page, username)
    root = f"/mondes/{world.slug}/"
    to_visit, seen, broken = [root], set(), []
    while to_visit and len(seen) < 120:
        path = to_visit.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(path)
        if response is None or response.status != 200:
            broken.append(f"{path}: {response and response.status}")
            continue
        if page.evaluate("() => typeof window.dsfr") != "function":
            broken.append(f"{path}: the DSFR script did not run")
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        for href in hrefs:
            target = re.sub(r"^https?://[^/]+", "", href).split("#")[0].split("?")[0]
            if target.startswith(root) and not NOT_PAGES.search(target) and target not in seen:
                to_visit.append(target)
    assert len(seen) >= 20, sorted(seen)
    assert not broken, broken
    print(f"{len(seen)} pages crawled")
