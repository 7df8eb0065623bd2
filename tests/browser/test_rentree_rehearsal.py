"""Issue 9, item 1: the browser rehearsal of a préparation de rentrée.

A trainee logs in to a 'Préparation de rentrée' world (a small collège, `college-200`: every
division, group and service is typed in by hand, so the size sets the test's length) and plays
the whole chronology of the guide (2.1 to 2.13, then the ENT at +48 h) through the pages only —
clicks, forms, downloads and uploads, the clock bar — on a real server: gunicorn and a Celery worker
in their own processes, on PostgreSQL and Redis (the PostgreSQL pass of .ci/run). What to type
comes from the school's own knowledge (the world's truth), as the autopilot
(training/autopilot.py, the reference order of the steps) knows it; nothing is written but
through the pages. Then 'Voir l'ENT comme' a pupil and a teacher shows their classes and
groups, and the trainee's checklist is all done.

Screenshots of every step, and the servers' logs: var/screenshots/rentree/ (CI artefacts).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import defaultdict

import pytest

from tests.browser.conftest import PASSWORD, SCREENSHOTS, log_in

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright absent")
expect = sync_api.expect

pytestmark = [pytest.mark.postgres, pytest.mark.worker]
ARTEFACTS = "rentree"  # var/screenshots/rentree/ (read by the real_server fixture too)
SCENARIO = "preparation-rentree"


@pytest.fixture
def rehearsal(real_server, browser, tmp_path):
    """The world, its trainee logged in through the login form, and the trainee's hands."""
    from entsim.models import WorldMember
    from entsim.services.worlds import user_ensure, world_create
    from tests.browser.conftest import PageProblems, make_context
    from tests.browser.rehearsal_trainee import Trainee

    world = world_create(
        name="Collège répétition", size="college-200", seed=2027, scenario=SCENARIO
    )
    user = user_ensure(username="dominique", password=PASSWORD, first_name="Dominique")
    WorldMember.objects.create(world=world, user=user, role="stagiaire")
    shots = SCREENSHOTS / ARTEFACTS
    for old in shots.glob("*.png"):
        old.unlink()
    downloads = tmp_path / "telechargements"
    downloads.mkdir()
    context = make_context(browser, real_server, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(120_000)  # a busy CI machine; gunicorn answers slowly under load
    problems = PageProblems()
    problems.watch(page)
    trainee = Trainee(page, world, shots, downloads, real_server)
    try:
        yield trainee
        problems.assert_none()
    finally:
        context.close()


def test_a_trainee_prepares_the_rentree_through_the_pages(rehearsal):
    from training.checks import truth

    t = rehearsal
    world = t.world
    started = time.monotonic()
    annee = truth.prepared_year(world)
    know = Knowledge(world, annee)

    t.page.goto(t.root)
    log_in(t.page, "dominique")
    expect(t.page.get_by_role("heading", level=1)).to_have_text("Portail des applications")
    t.shoot("portail")

    # after each step of the guide, the trainee's Parcours page says it is done
    sts_bascule(t, annee)
    parcours_says_done(t, "sts-bascule")
    sts_nomenclatures(t, know)
    parcours_says_done(t, "sts-nomenclatures")
    sts_structure(t, know)
    parcours_says_done(t, "sts-structure")
    sts_export(t, "Exporter la structure", "structure")
    parcours_says_done(t, "sts-export-structure")
    siecle_prepared_year(t, annee)
    siecle_structures_received(t, know)
    siecle_deja_presents(t, know)
    parcours_says_done(t, "siecle-deja-presents")
    siecle_nouveaux(t, know)
    parcours_says_done(t, "siecle-nouveaux")
    siecle_fiches_bloquantes(t, know)
    parcours_says_done(t, "siecle-fiches-bloquantes")
    sts_to_edt(t, know)
    parcours_says_done(t, "sts-export-edt")
    edt_groupes_services(t, know)
    parcours_says_done(t, "edt-groupes")
    edt_to_sts(t, expect_rejected=True)
    edt_rename_planted(t, know)
    edt_to_sts(t, expect_rejected=False)
    parcours_says_done(t, "sts-import-edt")
    sts_export(t, "Exporter la structure", "structure-apres-edt")
    sts_export(t, "Exporter les services", "services")
    parcours_says_done(t, "sts-exports")
    siecle_to_edt(t, know)
    parcours_says_done(t, "siecle-export-eleves")
    edt_eleves_groupes(t, know)
    parcours_says_done(t, "edt-eleves-groupes")
    liens_to_siecle(t, know)
    parcours_says_done(t, "siecle-liens")
    siecle_doublons(t)
    parcours_says_done(t, "siecle-doublons-responsables")
    rentree_and_ent(t, know)
    parcours_says_done(t, "ent-groupes")
    ent_view_as(t, know)
    checklist_all_done(t)
    total = time.monotonic() - started
    print(
        f"rehearsal: {len(t.steps)} screenshots in {total:.0f} s, of which "
        + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in t.timings.items())
    )


# --- What the trainee knows: the school's truth for the year in preparation -------------------


class Knowledge:
    def __init__(self, world, annee: int):
        from training.checks import truth

        self.annee = annee
        self.divisions = truth.divisions(world, annee)  # code -> (label, mef)
        self.services = truth.services(world, annee)
        self.groups = truth.groups(world, annee)
        self.rentree = truth.rentree_day(world, annee)
        self.pupils = truth.pupils(world, annee, self.rentree)
        self.world = world

    def event(self, kind: str):
        from entsim.models import CalendarEvent

        return CalendarEvent.objects.filter(world=self.world, kind=kind).order_by("at").first()

    def pupil_by_name(self) -> dict[tuple[str, str], list]:
        """(name, "dd/mm/yyyy" born) -> pupils: homonyms are told apart by their birth date."""
        found = defaultdict(list)
        for pupil in self.pupils.values():
            found[_name(pupil.name), f"{pupil.birth_date:%d/%m/%Y}"].append(pupil)
        return found


def _name(text: str) -> str:
    from training.checks.truth import name_key

    return name_key(text)


# --- STS-web -----------------------------------------------------------------------------------


def sts_bascule(t, annee: int) -> None:
    """2.1: from the current year, the bascule of the divisions only."""
    t.go("sts/bascule/")
    t.tick(t.page.get_by_label("Les divisions seulement (recommandé)"))
    t.shoot("sts-bascule")
    t.press("Lancer la bascule")
    t.expect_message(f"Bascule effectuée : l'année {annee}-{annee + 1} est ouverte")
    t.shoot("sts-bascule-faite")


def sts_nomenclatures(t, know: Knowledge) -> None:
    """2.2: receive, select the school's MEFs, subjects and modalities, run the profiling."""
    from entsim import nomenclatures as nom

    t.go("sts/nomenclatures/")
    t.press("Réceptionner les nomenclatures de scolarité")
    t.expect_message("Nomenclatures de scolarité réceptionnées")
    mefs = {mef for _, mef in know.divisions.values()}
    subjects = {s.subject_code for s in know.services}
    for mef in mefs:
        programme = nom.PROGRAMMES.get(mef)
        if programme is not None:
            subjects.update(subject for subject, _, _ in programme.lines())
    mods = {s.mod_cours for s in know.services} or {"CG"}
    for field, wanted in (("mefs", mefs), ("matieres", subjects), ("mods_cours", mods)):
        # a DSFR accordions group: one section open at a time, opened by its button
        opener = t.page.locator(f'button[aria-controls="acc-{field}"]')
        if opener.get_attribute("aria-expanded") != "true":
            opener.click()
            expect(opener).to_have_attribute("aria-expanded", "true")
        t.set_checks(field, wanted)
    t.shoot("sts-nomenclatures-selection")
    t.press("Enregistrer la sélection")
    t.expect_message("nomenclatures sélectionnées")
    t.press("Lancer le profilage")
    t.expect_message("Profilage terminé")
    t.shoot("sts-nomenclatures-profilees")


def sts_structure(t, know: Knowledge) -> None:
    """2.3: the divisions of the rentrée (delete, create, correct the MEF)."""
    t.go("sts/structure/")
    t.shoot("sts-structure-avant")
    have = {row[0]: row[2] for row in t.rows("#structure-tables table >> nth=0 >> tbody tr")}
    for code in sorted(set(have) - set(know.divisions)):
        t.go("sts/structure/")
        with t.page.expect_navigation():
            _division_row(t, code).get_by_role("link", name="Supprimer").click()
        t.press("Supprimer")
        t.expect_message(code)
    for code, (label, mef) in sorted(know.divisions.items()):
        if code in have and have[code] == mef:
            continue
        t.go("sts/structure/")
        if code in have:
            with t.page.expect_navigation():
                _division_row(t, code).get_by_role("link", name="Modifier").click()
            submit = "Enregistrer"
        else:
            with t.page.expect_navigation():
                t.page.get_by_role("link", name="Créer une division").click()
            t.page.get_by_label("Code de la division").fill(code)
            t.page.get_by_label("Libellé long").fill(label[:20])
            submit = "Créer la division"
        t.page.get_by_label("MEF d'appartenance").select_option(mef)
        t.press(submit)
        t.assert_no_error()
    t.go("sts/structure/")
    shown = {row[0]: row[2] for row in t.rows("#structure-tables table >> nth=0 >> tbody tr")}
    assert shown == {code: mef for code, (_, mef) in know.divisions.items()}, shown
    t.shoot("sts-structure-rentree")


def _division_row(t, code: str):
    cell = t.page.locator("td:first-child", has_text=re.compile(f"^{re.escape(code)}$"))
    return t.page.locator("#structure-tables table").first.locator("tbody tr", has=cell)


def sts_export(t, button: str, step: str) -> None:
    """Exports > Structure / Services (2.4, 2.9): SIECLE reads them at the next quarter hour."""
    from entsim.timeline import next_quarter_hour

    t.go("sts/exports/")
    t.press(button)
    t.assert_no_error()
    t.shoot(f"sts-export-{step}")
    t.clock_go(next_quarter_hour(t.now()))
    t.go("sts/exports/")
    first = t.rows()[0]
    assert "Traité" in first[3] or "traité" in first[3], first
    t.shoot(f"sts-export-{step}-traite")


# --- SIECLE Base élèves -------------------------------------------------------------------------


def siecle_prepared_year(t, annee: int) -> None:
    """Work on the year in preparation (the buttons at the top of every SIECLE page)."""
    t.go("siecle/")
    t.press(f"{annee}-{annee + 1} (année en préparation)")
    expect(t.button(f"{annee}-{annee + 1} (année en préparation)")).to_have_attribute(
        "aria-current", "true"
    )


def siecle_structures_received(t, know: Knowledge) -> None:
    """2.4: SIECLE has the divisions of the rentrée (Exploitation > Structures)."""
    t.go("siecle/exploitation/structures/")
    text = t.page.locator("main").inner_text()
    missing = [code for code in know.divisions if code not in text]
    assert not missing, f"divisions absent from SIECLE: {missing}"
    t.shoot("siecle-structures-recues")


def _masse_rows(t) -> list[dict]:
    return t.page.eval_on_selector_all(
        "main form[method=post] table tbody tr",
        """rows => rows.filter(r => r.querySelector('input[name=eleves]')).map(r => {
            const c = r.querySelectorAll('td');
            return {id: r.querySelector('input[name=eleves]').value, name: c[1].innerText.trim(),
                    born: c[2].innerText.trim(), mef: c[3].innerText.trim(),
                    division: c[4].innerText.trim(),
                    options: c[5].innerText.split(',').map(x => x.trim()).filter(x => x)};
        })""",
    )


def _masse(t, query: str, wanted, fill) -> int:
    """Saisie en masse over every page of a listing: tick the pupils sharing what they still
    need (`wanted(row)` -> a key or None), fill the form for that key, Valider; again until
    the page needs nothing, then the next page. Returns the number of submissions."""
    by_name = t.know.pupil_by_name()
    submitted, number = 0, 1
    while True:
        t.go(f"siecle/saisie-en-masse/?{query}&page={number}")
        todo = defaultdict(list)
        for row in _masse_rows(t):
            pupils = by_name.get((_name(row["name"]), row["born"]), [])
            if len(pupils) == 1:
                key = wanted(row, pupils[0])
                if key is not None:
                    todo[key].append(row["id"])
        if not todo:
            pager = t.page.locator(".fr-pagination__link--next[href]")
            if not pager.count():
                return submitted
            number += 1
            continue
        key, ids = max(todo.items(), key=lambda item: len(item[1]))
        for scolarite in ids:
            t.tick(t.page.locator(f'input[name=eleves][value="{scolarite}"]'))
        fill(key)
        if not submitted:
            t.shoot(f"siecle-saisie-en-masse-{query}")
        t.press("Valider")
        t.assert_no_error()
        submitted += 1


def _affect(t, arrivals: set[str]) -> None:
    def wanted(row, pupil):
        if pupil.arrival not in arrivals:
            return None
        if (row["mef"], row["division"]) != (pupil.mef, pupil.division):
            return (pupil.mef, pupil.division)
        return None

    def fill(key):
        mef, division = key
        t.page.locator("select[name=mef_code]").select_option(mef)
        t.page.locator("select[name=division]").select_option(division)

    _masse(t, "mef=&div=", wanted, fill)
    for mef in sorted({mef for _, mef in t.know.divisions.values()}):

        def options(row, pupil, mef=mef):
            if pupil.arrival not in arrivals or pupil.mef != mef:
                return None
            missing = sorted({o["subject"] for o in pupil.options} - set(row["options"]))
            return missing[0] if missing else None

        def fill_option(subject):
            t.page.locator("select[name=option]").select_option(subject)

        _masse(t, f"mef={mef}&div=", options, fill_option)


def siecle_deja_presents(t, know: Knowledge) -> None:
    """2.5.1: the pupils already at the school, in their new MEF and division, with options."""
    t.know = know
    _affect(t, {"continuing"})
    t.go("siecle/saisie-en-masse/")
    t.shoot("siecle-deja-presents-affectes")


def siecle_nouveaux(t, know: Knowledge) -> None:
    """2.5.2: the affectation's dossiers received, the neighbours' dossiers imported (never
    created by hand), the pupils from other académies created after a search finding nobody;
    then all of them affected."""
    from entsim.models import CalendarEvent

    affectation = know.event(CalendarEvent.Kind.AFFECTATION_RESULTS)
    if affectation is not None and affectation.at > t.now():
        t.clock_go(affectation.at)
    t.go("siecle/importations/dossiers-depuis-affectation/")
    t.shoot("siecle-dossiers-affectation")
    if t.page.get_by_role("button", name=re.compile("Réceptionner tous les dossiers")).count():
        t.press_re("Réceptionner tous les dossiers")
        t.assert_no_error()
    neighbours = [p for p in know.pupils.values() if p.arrival == "neighbour"]
    assert neighbours, "the scenario plants a pupil coming from a neighbour school"
    t.go("siecle/importations/dossiers-depuis-autre-eple/")
    listed = t.rows()
    for pupil in neighbours:
        row = next(
            (r for r in listed if _name(f"{r[1]} {r[2]}") == _name(pupil.name)),
            None,
        )
        assert row is not None, f"{pupil.name}: no dossier from the neighbour school: {listed}"
        t.tick(t.page.get_by_label(f"Cocher {row[1]} {row[2]}"))
    t.shoot("siecle-dossiers-autre-eple")
    t.press("IMPORTER")
    t.assert_no_error()
    for pupil in know.pupils.values():
        if pupil.arrival == "other_academie":
            siecle_create_by_hand(t, know, pupil)
    _affect(t, {"affectation", "neighbour", "other_academie"})
    t.go("siecle/importations/")
    t.shoot("siecle-nouveaux-recus")


def siecle_create_by_hand(t, know: Knowledge, pupil) -> None:
    """Fiches élèves > Recherche: nobody found, the [+], the whole fiche, its address and its
    legal responsables."""
    from entsim.models import Pupil
    from training.checks import truth

    row = Pupil.objects.select_related("address").get(pk=pupil.pk)
    t.go("siecle/fiches/")
    search = t.page.locator("main form[method=get]").first
    search.locator("[name=nom]").fill(row.last_name)
    search.locator("[name=prenom]").fill(row.first_name)
    t.submit(search.get_by_role("button", name="Rechercher"))
    with t.page.expect_navigation():
        t.page.get_by_role("link", name="[+]").click()
    form = t.page.locator("main form[method=post]", has=t.page.locator("[name=date_naissance]"))
    form.locator("[name=nom]").fill(row.last_name)
    form.locator("[name=prenom]").fill(row.first_name)
    form.locator("[name=prenom2]").fill(row.first_name2)
    t.tick(form.locator(f'input[name=sexe][value="{row.sex}"]'))
    form.locator("[name=date_naissance]").fill(row.birth_date.isoformat())
    form.locator("[name=code_pays_naiss]").select_option(row.birth_country)
    if row.birth_commune_insee:
        form.locator("[name=code_commune_insee_naiss]").select_option(row.birth_commune_insee)
    else:
        form.locator("[name=ville_naiss]").fill(row.birth_commune)
    form.locator("[name=code_pays_nat]").select_option(row.nationality)
    form.locator("[name=code_regime]").select_option(row.regime)
    form.locator("[name=ine]").fill(row.ine)
    form.locator("[name=mef_code]").select_option(pupil.mef)
    form.locator("[name=division]").select_option(pupil.division)
    t.shoot(f"siecle-creation-{row.last_name}")
    t.press("Créer le dossier")
    t.expect_message("créé (ELEVE_ID")
    fiche = t.page.url  # the fiche's Identité tab
    address = row.address
    form = t.page.locator("main form[method=post]", has=t.page.locator("[name=ligne1]"))
    for number in range(1, 5):
        form.locator(f"[name=ligne{number}]").fill(getattr(address, f"line{number}"))
    form.locator("[name=code_postal]").fill(address.code_postal)
    form.locator("[name=commune]").fill(address.commune)
    t.swap(form.get_by_role("button", name="Enregistrer l'adresse"))
    t.assert_no_error()
    responsables = fiche.rsplit("/", 2)[0] + "/responsables/"
    for tie in truth.legal_ties(t.world, [pupil.pk])[pupil.pk]:
        _responsable_create(t, responsables, tie, same=tie.responsable.address_id == row.address_id)
    t.shoot(f"siecle-creation-{row.last_name}-responsables")


def _responsable_create(t, responsables: str, tie, *, same: bool) -> None:
    """Fiche > Responsables: search the base first (a brother's parent is already there), then
    create the responsable the school knows (`tie`), with their link and their address
    (`same`: the pupil's)."""
    resp = tie.responsable
    t.page.goto(responsables)
    search = t.page.locator("main form[role=search]")
    search.locator("[name=resp_nom]").fill(resp.last_name)
    search.locator("[name=resp_prenom]").fill(resp.first_name)
    t.submit(search.get_by_role("button", name="Chercher"))
    t.page.locator("main details summary").first.click()
    form = t.page.locator("main form[method=post]", has=t.page.locator("[name=civilite]"))
    form.locator("[name=civilite]").select_option(resp.civilite)
    form.locator("[name=nom]").fill(resp.last_name)
    form.locator("[name=prenom]").fill(resp.first_name)
    form.locator("[name=code_parente]").select_option(tie.parente)
    form.locator("[name=niveau]").select_option(str(tie.level))
    form.locator("[name=tel_portable]").fill(resp.tel_portable)
    t.tick(form.locator("[name=meme_adresse]"), same)
    if not same:
        form.locator("[name=ligne1]").fill(resp.address.line1)
        form.locator("[name=ligne2]").fill(resp.address.line2)
        form.locator("[name=code_postal]").fill(resp.address.code_postal)
        form.locator("[name=commune]").fill(resp.address.commune)
    t.press("Créer le responsable")
    t.assert_no_error()
    t.expect_message("créé(e)")


def _legal_with_address(t, responsables: str, pupil) -> None:
    """The school's legal responsables on the fiche (`pupil`: the truth's row): one entered
    as a mere contact becomes legal; one without an address is removed and entered again, with
    it (the fiche has no other way to give a responsable an address)."""
    from training.checks import truth

    legal = {
        _name(f"{tie.responsable.last_name} {tie.responsable.first_name}"): tie
        for tie in truth.legal_ties(t.world, [pupil.pk])[pupil.pk]
        if tie.level == 1
    }
    assert legal, f"{pupil}: no legal responsable in the school's knowledge"
    t.page.goto(responsables)
    for _ in range(2 * len(legal) + 1):
        rows = t.page.locator("main table tbody tr", has=t.page.locator("[name$=niveau]"))
        todo = None
        for row in rows.all():  # the panel is swapped after each change: read it again
            person = _name(row.locator("td").first.inner_text())
            tie = next((tie for key, tie in legal.items() if key in person), None)
            if tie is None:
                continue
            if row.locator("[name$=niveau]").input_value() != "1":
                todo = ("niveau", row, tie)
            elif row.locator("td").nth(1).inner_text().strip() == "Aucune adresse":
                todo = ("adresse", row, tie)
            if todo:
                break
        if todo is None:
            return
        what, row, tie = todo
        if what == "niveau":  # a legal representative entered as a contact
            row.locator("[name$=niveau]").select_option("1")
            t.swap(row.get_by_role("button", name="Modifier"))
        else:
            t.swap(row.get_by_role("button", name="Retirer"))
            t.assert_no_error()
            _responsable_create(
                t, responsables, tie, same=tie.responsable.address_id == pupil.address_id
            )
            t.page.goto(responsables)
        t.assert_no_error()
    raise AssertionError(f"{pupil}: the legal responsables still need changes")


def siecle_fiches_bloquantes(t, know: Knowledge) -> None:
    """2.5.2: Exploitation > fiches bloquantes, each completed from the school's knowledge
    (the commune of birth; the legal representative entered as a mere contact, or without an
    address). The MEF and the division are the affectation's (2.5.1, 2.5.2)."""
    from entsim.models import Pupil

    seen = defaultdict(int)
    for year_button in (
        f"{know.annee - 1}-{know.annee} (année en cours)",
        f"{know.annee}-{know.annee + 1} (année en préparation)",
    ):
        t.go("siecle/")
        t.press(year_button)
        while True:
            t.go("siecle/exploitation/listes-standards/divers/fiches-bloquantes/")
            lines = [
                (row, link)
                for row, link in zip(
                    t.rows(), t.page.locator("main table tbody tr").all(), strict=True
                )
                if len(row) > 5
                and not all(m.strip().startswith(("MEF", "Division")) for m in row[5].split(";"))
            ]
            if not lines:
                break
            row, line = lines[0]
            seen[row[0]] += 1
            assert seen[row[0]] <= 2, f"fiche bloquante still there after completing it: {row}"
            t.shoot(f"siecle-fiche-bloquante-{row[0]}")
            with t.page.expect_navigation():
                line.get_by_role("link", name="Compléter").click()
            eleve_url = t.page.url.rsplit("/", 2)[0]
            born = dt.datetime.strptime(row[3], "%d/%m/%Y").date()
            truth_row = Pupil.objects.filter(
                world=t.world, last_name=row[0], birth_date=born
            ).first()
            assert truth_row is not None, f"{row}: who is this pupil?"
            fixed = False
            if "Commune de naissance" in row[5]:
                form = t.page.locator(
                    "main form[method=post]", has=t.page.locator("[name=code_pays_naiss]")
                )
                form.locator("[name=code_pays_naiss]").select_option(truth_row.birth_country)
                form.locator("[name=code_commune_insee_naiss]").select_option(
                    truth_row.birth_commune_insee
                )
                t.swap(form.get_by_role("button", name="Enregistrer l'identité"))
                t.assert_no_error()
                fixed = True
            if "représentant légal" in row[5]:
                _legal_with_address(t, eleve_url + "/responsables/", truth_row)
                fixed = True
            assert fixed, f"fiche bloquante for a reason the rehearsal does not know: {row}"
            t.shoot(f"siecle-fiche-completee-{row[0]}")
    t.go("siecle/exploitation/listes-standards/divers/fiches-bloquantes/")
    t.shoot("siecle-fiches-bloquantes-faites")


# --- STS-web ↔ logiciel EDT ---------------------------------------------------------------------


def _carry(t, source: str, export: str, name: str, target: str) -> None:
    """A file through the trainee's hands: `export` pressed on the page `source`, the newest
    file whose name matches `name` downloaded, uploaded with the file form of the page
    `target`."""
    t.go(source)
    t.press(export)
    t.assert_no_error()
    path = t.download(t.page.locator("main a", has_text=re.compile(name)).first)
    t.shoot(f"{source.split('/')[0]}-{export}")
    t.go(target)
    form = t.page.locator("main form", has=t.page.locator("input[type=file]"))
    t.upload(form.locator("input[type=file]"), path)
    t.submit(form.locator("button[type=submit]"))
    t.assert_no_error()


def sts_to_edt(t, know: Knowledge) -> None:
    """2.6: STS-web Exports > Emploi du temps, the file downloaded, then uploaded in the EDT."""
    _carry(t, "sts/exports/", "Exporter l'emploi du temps", r"^sts_emp_", "edt/import/sts/")
    t.shoot("edt-import-sts")
    t.go("edt/correspondances/")
    if t.button("Valider les correspondances").count():
        t.press("Valider les correspondances")
        t.assert_no_error()
    t.shoot("edt-correspondances")


def _edt_group_links(t) -> dict[str, str]:
    t.go("edt/groupes/")
    return dict(
        t.page.eval_on_selector_all(
            "main table tbody tr td:first-child a",
            "links => links.map(a => [a.innerText.trim(), a.href])",
        )
    )


def edt_groupes_services(t, know: Knowledge) -> None:
    """2.7: the groups of the rentrée with their divisions, then every teaching service.
    The group planted with a '/' is left as it is: STS-web will refuse it (fixed after)."""
    from edt.models import Enseignant, Matiere
    from training.scenarios.actions import planted_group_code

    links = _edt_group_links(t)
    t.shoot("edt-groupes-avant")
    for code, group in sorted(know.groups.items()):
        if code in links or planted_group_code(code) in links:
            continue
        t.go("edt/groupes/")
        form = t.page.locator("main form[method=post]", has=t.page.locator("[name=libelle]"))
        form.locator("[name=code]").fill(code)
        form.locator("[name=libelle]").fill(group.label[:20])
        for division in group.divisions:
            t.tick(form.get_by_label(division, exact=True))
        t.submit(form.get_by_role("button", name="Créer le groupe"))
        t.assert_no_error()
    links = _edt_group_links(t)
    t.shoot("edt-groupes-crees")
    # the software's subject and teacher for STS-web's codes (what its lists show by name)
    matieres = dict(Matiere.objects.filter(world=t.world).values_list("sts_code", "pk"))
    enseignants = dict(Enseignant.objects.filter(world=t.world).values_list("sts_id", "pk"))
    t.go("edt/services/")
    for service in know.services:
        if service.group_id:
            code = service.group.code
            structure = code if code in links else planted_group_code(code)
        else:
            structure = service.division.code
        form = t.page.locator("main form[method=post]", has=t.page.locator("[name=mod_cours]"))
        form.locator("[name=matiere]").select_option(str(matieres[service.subject_code]))
        form.locator("[name=mod_cours]").select_option(service.mod_cours)
        form.locator("[name=structure]").select_option(label=structure)
        form.locator("[name=enseignant]").select_option(
            str(enseignants[str(service.teacher.sts_id)])
        )
        form.locator("[name=heures]").fill(str(service.hours) if service.hours is not None else "")
        t.submit(form.get_by_role("button", name="Créer le service"))
        t.assert_no_error()
    t.shoot("edt-services-crees")


def edt_to_sts(t, *, expect_rejected: bool) -> None:
    """2.8: the EDT's file for STS-web downloaded, uploaded in STS-web Import > Emploi du
    temps, the preview read, the import confirmed; its report read."""
    _carry(t, "edt/exports/", "Exporter vers STS-web", r"\.xml$", "sts/import/emploi-du-temps/")
    if t.page.url.endswith("/sts/import/emploi-du-temps/"):
        with t.page.expect_navigation():
            t.page.get_by_role("link", name="Voir ce qui sera remplacé").first.click()
    rejected = t.page.locator("main h2", has_text="Groupes rejetés")
    expect(rejected).to_be_visible()
    t.shoot("sts-import-apercu" + ("-groupe-rejete" if expect_rejected else ""))
    t.press("Confirmer l'import")
    t.assert_no_error()
    report = t.page.locator("main").inner_text()
    if expect_rejected:
        assert "Groupes rejetés (0)" not in report, report
        assert "/" in t.page.locator("main h2:has-text('Groupes rejetés') + p + ul").inner_text()
    else:
        assert "Groupes rejetés (0)" in report and "Services rejetés (0)" in report, report
    t.shoot("sts-import-compte-rendu" + ("-groupe-rejete" if expect_rejected else ""))


def edt_rename_planted(t, know: Knowledge) -> None:
    """2.7, the guide's fix: rename the refused group (no '/'), then export again."""
    from training.scenarios.actions import planted_group_code

    links = _edt_group_links(t)
    planted = [(code, planted_group_code(code)) for code in know.groups]
    planted = [(code, bad) for code, bad in planted if bad in links]
    assert planted, "the scenario plants an EDT group with a '/' in its name"
    for code, bad in planted:
        t.page.goto(links[bad])
        form = t.page.locator("#groupe-detail form[method=post]", has=t.page.locator("[name=code]"))
        form.locator("[name=code]").fill(code)
        form.locator("[name=libelle]").fill(know.groups[code].label[:20])
        for division in know.groups[code].divisions:  # the planted group has none
            # this form's inputs share their ids with the "Créer un groupe" form's (id_code,
            # id_divisions_0…): its labels point there, so the box itself is clicked
            box = form.locator(
                f"xpath=.//input[@name='divisions'][following-sibling::label"
                f"[normalize-space()='{division}']]"
            )
            if not box.is_checked():
                box.evaluate("b => b.click()")
            expect(box).to_be_checked()
        t.shoot("edt-groupe-a-renommer")
        t.swap(form.get_by_role("button", name="Enregistrer"))
        t.assert_no_error()
    assert all(code in _edt_group_links(t) for code, _ in planted)
    t.shoot("edt-groupe-renomme")


# --- SIECLE → EDT → SIECLE: pupils, groups, the links file ---------------------------------------


def siecle_to_edt(t, know: Knowledge) -> None:
    """2.10: SIECLE Exportations > En XML (ElevesSansAdresses), downloaded, uploaded in the
    EDT software."""
    _carry(
        t, "siecle/exportations/", "ElevesSansAdresses", r"ElevesSansAdresses", "edt/import/eleves/"
    )
    t.shoot("edt-import-eleves")


def edt_eleves_groupes(t, know: Knowledge) -> None:
    """2.11: every pupil of the rentrée in their groups — by option when the group is an
    option of its divisions, a whole division when it is one, else pupil by pupil."""
    links = _edt_group_links(t)
    present = set(know.pupils)
    for code, group in sorted(know.groups.items()):
        members = group.pupils & present
        if not members:
            continue
        t.page.goto(links[code])
        detail = t.page.locator("#groupe-detail")
        in_divisions = {pk for pk, p in know.pupils.items() if p.division in group.divisions}
        with_option = {
            pk
            for pk in in_divisions
            if any(o["subject"] == group.subject for o in know.pupils[pk].options)
        }
        if members == with_option and group.subject:
            form = detail.locator("form", has=t.page.locator("[name=option]"))
            form.locator("[name=option]").select_option(group.subject)
            t.swap(form.get_by_role("button", name="Ajouter par option"))
        elif members == in_divisions:
            for division in group.divisions:
                form = detail.locator("form", has=t.page.locator("select[name=division]"))
                form.locator("select[name=division]").select_option(label=division)
                t.swap(form.get_by_role("button", name="Ajouter la division"))
        else:
            for pk in sorted(members, key=lambda pk: know.pupils[pk].name):
                pupil = know.pupils[pk]
                form = detail.locator("form", has=t.page.locator("select[name=eleve]"))
                select = form.locator("select[name=eleve]")
                select.select_option(_candidate(select, pupil))
                t.swap(form.get_by_role("button", name="Ajouter l'élève"))
        t.assert_no_error()
        expect(detail).to_contain_text(f"{len(members)} élève(s)")
        t.shoot(f"edt-groupe-{code}")


def _candidate(select, pupil) -> str:
    """The value of the option of the EDT's "Un élève" list that is this pupil ("division —
    NOM Prénom")."""
    options = select.locator("option").evaluate_all(
        "os => os.map(o => [o.value, o.textContent.trim()])"
    )
    wanted = _name(f"{pupil.division} — {pupil.last_name} {pupil.first_name}")
    found = [value for value, text in options if _name(text) == wanted]
    assert found, (
        f"{pupil.name} ({pupil.division}) not among the candidates of the group: "
        f"{[text for _, text in options if _name(pupil.last_name) in _name(text)]}"
    )
    return found[0]


def liens_to_siecle(t, know: Knowledge) -> None:
    """2.12: the EDT in supervisor mode exports the pupil-group links; the file is deposited in
    SIECLE (Importations > Liens élève-groupe) and imported the night after."""
    t.go("edt/exports/")
    if t.button("Se placer en SPR").count():
        t.press("Se placer en SPR")
    _carry(
        t,
        "edt/exports/",
        "Exporter les liens élèves-groupes",
        r"ELEGROUPE.*\.zip$",
        "siecle/importations/liens-eleve-groupe/",
    )
    expect(t.page.get_by_text("Fichier en attente du traitement de nuit")).to_be_visible()
    t.shoot("siecle-liens-deposes")
    t.night()  # first night: SIECLE imports the links
    t.go("siecle/importations/liens-eleve-groupe/")
    expect(t.page.get_by_text("Fichier en attente du traitement de nuit")).to_have_count(0)
    imported = t.rows()[0]  # Fichier, Déposé le, État, Complets, Partiels, Rejetés, Absents…
    in_groups = sum(1 for pupil in know.pupils.values() if pupil.groups)
    assert imported[2] == "Traité" and imported[3:6] == [str(in_groups), "0", "0"], imported
    t.shoot("siecle-liens-importes")


def siecle_doublons(t) -> None:
    """2.13: Fiches élèves > Doublons responsables > Chercher; for each, the one with fewer
    pupils (else the one without an address) is deleted and replaced by the other."""
    merged = 0
    while True:
        t.go("siecle/doublons-responsables/")
        t.press("Chercher")
        forms = t.page.locator("main form[method=post]", has=t.page.locator("[name=supprimer]"))
        if not forms.count():
            expect(t.page.get_by_text("Aucun doublon responsable trouvé.")).to_be_visible()
            t.shoot("siecle-doublons-faits")
            assert merged, "the scenario plants a responsable entered twice"
            return
        assert merged < 10, "doublons still found after merging them"
        form = forms.first
        rows = form.locator("tbody tr").all()
        cells = [row.locator("td") for row in rows]
        rank = [
            (len(c.nth(4).locator("a").all()), c.nth(3).inner_text() != "Aucune adresse", -i)
            for i, c in enumerate(cells)
        ]
        keep = max(range(len(rows)), key=lambda i: rank[i])
        drop = next(i for i in range(len(rows)) if i != keep)
        t.tick(rows[drop].locator("[name=supprimer]"))
        t.tick(rows[keep].locator("[name=remplacer]"))
        t.shoot("siecle-doublon-responsable")
        t.submit(form.get_by_role("button", name="MODIFIER"))
        t.assert_no_error()
        merged += 1


# --- The rentrée, the ENT ------------------------------------------------------------------------


def rentree_and_ent(t, know: Knowledge) -> None:
    """The rentrée; that evening the AAF extraction, the next night the ENT reads it."""
    from entsim.models import CalendarEvent
    from entsim.timeline import local

    rentree = know.event(CalendarEvent.Kind.RENTREE)
    assert rentree is not None and rentree.at > t.now(), "the rentrée is ahead, in September"
    started = time.monotonic()
    t.clock_go(rentree.at)  # the clock bar; the worker runs every night until then
    t.timings["clock to the rentrée"] = time.monotonic() - started
    print(f"clock to the rentrée: {t.timings['clock to the rentrée']:.0f} s")
    t.night()  # second night: the AAF extraction (20:00), read by the ENT (03:00)
    day = f"{local(rentree.at):%d/%m/%Y}"
    t.go("aaf/")
    extraction = t.rows()[0]  # the latest first
    assert extraction[0].startswith(f"{day} 20:"), extraction
    t.shoot("aaf-extractions")
    t.go("ent/")
    received = t.rows()[0]
    assert received[1].startswith(day) and received[2].lower() == "traité", received
    t.shoot("ent-apres-la-nuit")


def _view_as(t, person, profile: str):
    """ENT > Voir l'ENT comme: search the person by name and profile, open their home."""
    name = f"{person.last_name} {person.first_name}"
    t.go("ent/voir-comme/")
    form = t.page.locator("main form[role=search]")
    form.get_by_label("Nom, prénom ou identifiant").fill(name)
    form.locator("[name=profil]").select_option(profile)
    t.swap(form.get_by_role("button", name="Chercher"), method="GET")  # the results swapped in
    shown = {"eleve": "Élève", "enseignant": "Enseignant"}[profile]
    links = t.page.locator("#comptes-trouves li", has_text=f"— {shown}").get_by_role("link")
    found = [link for link in links.all() if _name(link.inner_text()) == _name(name)]
    assert len(found) == 1, f"{name}: {t.page.locator('#comptes-trouves').inner_text()}"
    with t.page.expect_navigation():
        found[0].click()
    main = t.page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_contain_text(person.last_name, ignore_case=True)
    return main


def _listed(main, heading: str) -> dict[str, str]:
    """The classes or groups under `heading`: code (a link to its members) -> the whole line."""
    items = main.locator(f"h2:text-is('{heading}') + ul li:has(a)")
    return {item.locator("a").inner_text().strip(): item.inner_text() for item in items.all()}


def _unique_name(people) -> list:
    """People of the school nobody else shares the name of (the search is by name)."""
    from collections import Counter

    people = list(people)
    count = Counter(_name(f"{x.last_name} {x.first_name}") for x in people)
    return [x for x in people if count[_name(f"{x.last_name} {x.first_name}")] == 1]


def ent_view_as(t, know: Knowledge) -> None:
    """'Voir l'ENT comme' a pupil and a teacher: their class(es) and groups are the truth's.
    The pupil: the one imported from the neighbour school, when he has groups."""
    from training.checks.facts import Facts

    facts = Facts(t.world)
    pupils = sorted(
        (p for p in _unique_name(facts.truth_pupils_today.values()) if p.groups),
        key=lambda p: (p.arrival != "neighbour", -len(p.groups), p.name),
    )
    assert pupils, "pupils in groups at the rentrée"
    pupil = pupils[0]
    main = _view_as(t, pupil, "eleve")
    assert set(_listed(main, "Ma classe")) == {pupil.division}, main.inner_text()
    assert set(_listed(main, "Mes groupes")) == pupil.groups, (pupil.groups, main.inner_text())
    t.shoot("ent-voir-comme-eleve")
    teachers = sorted(
        (x for x in _unique_name(facts.truth_teachers_today.values()) if x.groups),
        key=lambda x: (not x.classes, -len(x.groups), x.name),
    )
    assert teachers, "teachers of groups at the rentrée"
    teacher = teachers[0]
    main = _view_as(t, teacher, "enseignant")
    # the classes taught, and those the teacher is only professeur principal of (so marked)
    classes = _listed(main, "Mes classes")
    assert teacher.classes <= set(classes), (teacher.classes, main.inner_text())
    assert all(
        "(professeur principal)" in line
        for code, line in classes.items()
        if code not in teacher.classes
    ), (teacher.classes, main.inner_text())
    assert set(_listed(main, "Mes groupes")) == teacher.groups, (teacher.groups, main.inner_text())
    t.shoot("ent-voir-comme-enseignant")


def parcours_says_done(t, *keys: str) -> None:
    """The trainee's Parcours page (the checklist, computed from the data): these steps done."""
    t.go("formation/")
    for key in keys:
        row = t.page.locator(f'main table tbody tr[data-etape="{key}"]')
        assert row.get_attribute("data-etat") == "fait", f"{key}: {row.inner_text()}"


def checklist_all_done(t) -> None:
    """The trainee's checklist (Parcours): every step of the guide done."""
    from training.checklist import checklist_compute
    from training.scenarios import scenario_get

    t.go("formation/")
    rows = t.page.locator("main table tbody tr[data-etape]")
    states = dict(
        rows.evaluate_all(
            "rs => rs.map(r => [r.dataset.etape, r.dataset.etat + ' — ' + r.innerText])"
        )
    )
    t.shoot("parcours-tout-fait")
    assert states and all(v.startswith("fait") for v in states.values()), states
    expect(t.page.get_by_text("Vérification finale : tout est dans l'ENT.")).to_be_visible()
    # the page shows the checklist computed from the data: the same, every step of the scenario
    computed = checklist_compute(world=t.world)
    assert [s.key for s in computed] == list(scenario_get(SCENARIO).step_keys) == list(states)
    assert all(s.state == "fait" for s in computed), [(s.key, s.message) for s in computed]
