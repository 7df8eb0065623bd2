"""Accessibility: axe-core on the main pages, keyboard-only navigation of the main menus.

axe-core (tests/browser/vendor/axe.min.js, from the npm registry) is injected as an init
script: Playwright runs it outside the page's Content-Security-Policy, which stays enforced.
A violation of impact "serious" or "critical" fails the page, except those listed in
KNOWN_VIOLATIONS (other apps' templates, reported to their owners), which only warn.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, log_in, make_context

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright absent")
expect = sync_api.expect

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")
REPORT = SCREENSHOTS / "axe-report.json"

# (page name, axe rule id): where it comes from. Reported, not fixed here: not our templates.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}

# The main pages: (name, path under the world, or an absolute path when it starts with "/").
WORLD_PAGES = (
    ("portail", ""),
    ("sts", "sts/"),
    ("siecle", "siecle/"),
    ("edt", "edt/"),
    ("aaf", "aaf/"),
    ("ent", "ent/"),
    ("taches", "taches/"),
    ("echanges", "echanges/"),
    ("edt-import-sts", "edt/import/sts/"),
    ("edt-groupes", "edt/groupes/"),
    ("edt-eleves", "edt/eleves/"),
    ("edt-services", "edt/services/"),
    ("edt-emploi-du-temps", "edt/emploi-du-temps/"),
    ("edt-exports", "edt/exports/"),
    ("ent-comptes", "ent/comptes/"),
    ("ent-annuaire", "ent/annuaire/"),
    ("ent-messagerie", "ent/messagerie/"),
    ("ent-manuels", "ent/manuels/"),
    ("ent-voir-comme", "ent/voir-comme/"),
)


def _axe(page) -> list[dict]:
    """axe's violations of the page as loaded (all rules of axe's default set)."""
    results = page.evaluate(
        """async () => {
            const results = await axe.run(document, {resultTypes: ["violations"]});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 300),
                                          summary: n.failureSummary}))
            }));
        }"""
    )
    return results


def _check(page, name: str, report: dict, subtests) -> None:
    violations = _axe(page)
    report[name] = {"url": page.url, "violations": violations}
    with subtests.test(msg=name):
        blocking = []
        for violation in violations:
            if violation["impact"] not in BLOCKING:
                continue
            known = KNOWN_VIOLATIONS.get((name, violation["id"]))
            line = (
                f"{name}: {violation['id']} ({violation['impact']}) {violation['help']} — "
                + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            )
            if known:
                warnings.warn(f"known accessibility violation, {known}: {line}", stacklevel=1)
            else:
                blocking.append(line)
        assert not blocking, "\n".join(blocking)


@pytest.fixture
def axe_context(browser, live_server):
    context = make_context(browser, live_server)
    context.add_init_script(path=str(AXE))
    yield context
    context.close()


def test_main_pages_have_no_serious_or_critical_violation(
    axe_context, busy_trainee, problems, shooter, subtests, make_world
):
    world, username = busy_trainee
    report: dict = {}
    page = axe_context.new_page()
    page.set_default_timeout(15_000)
    problems.watch(page, csp=False)  # axe's own DOM work trips the policy; see test_shell_*
    try:
        page.goto("/connexion/")
        _check(page, "connexion", report, subtests)
        log_in(page, username)
        for name, path in WORLD_PAGES:
            response = page.goto(f"/mondes/{world.slug}/{path}")
            assert response is not None and response.status == 200, name
            shooter(page, name)
            _check(page, name, report, subtests)
        # "Mes mondes": the home page of a user in two worlds
        from django.contrib.auth import get_user_model

        from entsim.models import WorldMember

        user = get_user_model().objects.get(username=username)
        WorldMember.objects.create(world=make_world("Monde voisin"), user=user, role="stagiaire")
        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Mes mondes")
        shooter(page, "mes-mondes")
        _check(page, "mes-mondes", report, subtests)
        # the login rate limit's page (logged out, five wrong passwords)
        page.get_by_role("button", name="Se déconnecter").click()
        for _ in range(5):
            log_in(page, username, "mauvais mot de passe")
        expect(page.get_by_role("heading", level=1)).to_have_text("Connexion bloquée")
        shooter(page, "connexion-bloquee")
        _check(page, "connexion-bloquee", report, subtests)
    finally:
        REPORT.parent.mkdir(parents=True, exist_ok=True)
        REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    problems.assert_none()


def _focused(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {
                tag: el.tagName.toLowerCase(),
                text: (el.innerText || el.value || "").trim(),
                href: el.getAttribute("href"),
                outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
                shadow: style.boxShadow !== "none",
                visible: box.width > 0 && box.height > 0
                         && style.visibility !== "hidden" && style.opacity !== "0",
            };
        }"""
    )


def test_keyboard_only_reaches_skip_link_menus_and_the_clock_with_visible_focus(
    page, trainee, shooter
):
    world, username = trainee
    log_in(page, username)
    expect(page.get_by_role("heading", level=1)).to_have_text("Portail des applications")
    page.goto(f"/mondes/{world.slug}/")
    page.locator("body").focus()

    stops = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = _focused(page)
        stops.append(focused)
        if focused["text"] == "Passer la nuit":
            break
    texts = [stop["text"] for stop in stops]

    # first stop: the skip link to the content, shown when focused
    assert stops[0]["text"] == "Contenu" and stops[0]["href"] == "#content", texts
    menu = ["Portail", "STS-web", "Logiciel EDT", "SIECLE Base élèves", "Annuaire académique"]
    menu += ["ENT", "Échanges", "Tâches de nuit"]
    positions = [texts.index(label) for label in menu if label in texts]
    assert len(positions) == len(menu), f"menu links not all reached by Tab: {texts}"
    assert positions == sorted(positions), f"menu links out of order: {texts}"
    assert "Passer la nuit" in texts, texts
    assert texts.index("Passer la nuit") > positions[-1]
    for stop in stops:
        if stop["text"] in ["Contenu", "Passer la nuit", *menu]:
            assert stop["visible"], f"focused but hidden: {stop}"
            assert stop["outline"] or stop["shadow"], f"no visible focus indicator: {stop}"
    shooter(page, "focus-passer-la-nuit")

    # Enter on the focused button passes the night (htmx) and keeps the keyboard user there
    before = page.locator("#clock-bar strong").first.inner_text()
    page.keyboard.press("Enter")
    expect(page.locator("#clock-bar strong").first).not_to_have_text(before)
    after_swap = _focused(page)
    assert after_swap["text"] == "Passer la nuit", f"focus lost after the swap: {after_swap}"
    shooter(page, "nuit-passee-au-clavier")

    # the skip link really skips: Enter on it, then Tab goes into the content
    page.goto(f"/mondes/{world.slug}/")
    page.locator("body").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside = page.evaluate(
        "() => document.getElementById('content').contains(document.activeElement)"
    )
    assert inside, _focused(page)


def test_axe_is_vendored_with_its_licence():
    assert AXE.stat().st_size > 100_000
    head = AXE.read_text(encoding="utf-8")[:400]
    assert re.search(r"axe v4\.\d+\.\d+", head)
    assert "Mozilla Public" in (AXE.parent / "LICENSE").read_text(encoding="utf-8")
