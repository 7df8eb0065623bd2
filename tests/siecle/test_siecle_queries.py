"""Every SIECLE page stays under 20 SQL queries on a 2,057-pupil lycée (no N+1)."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from entsim.models import CalendarEvent
from entsim.services.worlds import world_create
from siecle import services
from siecle.models import Eleve, Scolarite, Structure
from tests.siecle.siecle_world import choose_year, run_event, url

pytestmark = pytest.mark.django_db

MAX_QUERIES = 20


def test_no_page_runs_more_than_20_queries_on_a_lycee_2000(client, make_member):
    started = time.perf_counter()
    world = world_create(name="Lycée 2000", size="lycee-2000", seed=2057)
    created = time.perf_counter() - started
    home = world.home.uai
    assert Scolarite.objects.filter(world=world, uai=home, annee=2026).count() == 2057
    run_event(world, CalendarEvent.Kind.AFFECTATION_RESULTS)  # ~650 dossiers waiting
    services.multi_inscription_planter(world=world)
    client.force_login(make_member(world, role="formateur"))
    eleve = (
        Eleve.objects.filter(world=world, uai=home, liens__isnull=False)
        .order_by("eleve_id")
        .first()
    )
    scolarite = eleve.scolarites.get(annee=2026)
    person = eleve.liens.select_related("personne").first().personne

    pages = {
        "tableau de bord": url("landing", world),
        "signalements": url("signalements", world),
        "recherche": url("recherche", world),
        "recherche tous": url("recherche", world, rechercher=1),
        "recherche nom": url("recherche", world, rechercher=1, nom=eleve.nom[:2]),
        "recherche à compléter": url("recherche", world, rechercher=1, etat="a_completer"),
        "recherche division": url(
            "recherche", world, rechercher=1, division=scolarite.division, scolarise="oui"
        ),
        "recherche responsable": url("recherche", world, rechercher=1, resp_nom=person.nom),
        "recherche page 20": url("recherche", world, rechercher=1, page=20),
        "création": url("eleve_creer", world, nom="INCONNUDUBATAILLON"),
        "doublons": url("doublons", world),
        "doublons chercher": url("doublons", world, chercher=1),
        "exploitation": url("exploitation", world),
        "fiches bloquantes": url("fiches_bloquantes", world),
        "remontée SYSCA": url("remontee_sysca", world),
        "structures": url("structures", world),
        "importations": url("importations", world),
        "import affectation": url("import_affectation", world),
        "import autre EPLE": url("import_autre_eple", world),
        "import autre EPLE, recherche": url("import_autre_eple", world, voisin_nom="MA"),
        "exportations": url("exportations", world),
        "affectation": url("affectation", world),
        "saisie en masse": url("saisie_en_masse", world),
    }
    for onglet in ("identite", "scolarite", "responsables", "options", "groupes", "historique"):
        pages[f"fiche {onglet}"] = url("fiche_onglet", world, eleve.pk, onglet)
    pages["fiche responsables, recherche"] = url(
        "fiche_onglet", world, eleve.pk, "responsables", resp_nom=person.nom[:3]
    )
    htmx = {
        "recherche (htmx)": url("recherche", world, rechercher=1, nom=eleve.nom[:1]),
        "onglet (htmx)": url("fiche_onglet", world, eleve.pk, "scolarite"),
        "autocomplétion (htmx)": url(
            "responsables_chercher", world, eleve.pk, resp_nom=person.nom[:2]
        ),
    }
    counts = {}
    for annee in (2026, 2027):
        choose_year(client, world, annee)
        for name, target in pages.items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(target)
            assert response.status_code == 200, (name, response.status_code)
            counts[f"{name} {annee}"] = len(queries)
        for name, target in htmx.items():
            with CaptureQueriesContext(connection) as queries:
                response = client.get(target, HTTP_HX_REQUEST="true")
            assert response.status_code == 200, name
            counts[f"{name} {annee}"] = len(queries)
    choose_year(client, world, 2026)
    division = Structure.objects.filter(world=world, uai=home, annee=2026, type="D").first()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("structure", world, division.pk))
    assert response.status_code == 200
    counts["structure (division)"] = len(queries)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            url("scolarite_modifier", world, eleve.pk),
            {"mef_code": scolarite.mef_code, "division": scolarite.division},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    counts["enregistrer la scolarité (htmx)"] = len(queries)
    too_many = {name: n for name, n in counts.items() if n > MAX_QUERIES}
    print(f"\nlycee-2000 créé en {created:.1f} s ; requêtes par page :")
    for name, n in sorted(counts.items(), key=lambda item: -item[1]):
        print(f"  {n:3d}  {name}")
    assert not too_many
