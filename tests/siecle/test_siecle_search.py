"""Fiches élèves > Recherche et MAJ (B2), the fiche's tabs, the completeness rule (B7)."""

from __future__ import annotations

import re

import pytest

from siecle import selectors
from siecle.models import Eleve, LienResponsable, Scolarite
from tests.siecle.siecle_world import choose_year, member, shared_college, url

pytestmark = pytest.mark.django_db

COLUMNS = ("Nom", "Nom d'usage", "Prénoms", "Division", "Né(e) le", "Scolarisé(e)", "État")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from shared_college(django_db_blocker)


@pytest.fixture
def logged(client, world):
    client.force_login(member(world))
    return client


def search(client, world, **criteria):
    return client.get(url("recherche", world, rechercher=1, **criteria)).content.decode()


def test_search_form_has_the_guide_fields(logged, world):
    page = logged.get(url("recherche", world)).content.decode()
    assert "Fiches élèves - Recherche et MAJ" in page
    for label in ("Nom", "Prénom", "Division", "Né(e) en", "Scolarisé(e)", "État"):
        assert re.search(rf"{re.escape(label)}\s\(Optionnel\)", page), label
    assert "Responsable" in page and "Nom du responsable" in page
    assert 'value="a_completer"' in page and "À compléter" in page
    assert "toutes" in page and "tous" in page
    assert 'id="resultats"' in page and "<table" not in page  # no search yet


def test_search_by_name_lists_the_columns_paginated(logged, world):
    home = world.home.uai
    eleve = Eleve.objects.filter(world=world, uai=home).order_by("nom").first()
    page = search(logged, world, nom=eleve.nom.lower()[:3])
    for column in COLUMNS:
        assert f">{column}</th>" in page
    assert eleve.nom in page and eleve.prenom in page
    assert eleve.date_naissance.strftime("%d/%m/%Y") in page
    everyone = search(logged, world)
    assert "500 élèves trouvés." in everyone and "1 / 10" in everyone
    second = logged.get(url("recherche", world, rechercher=1, page=2)).content.decode()
    assert "2 / 10" in second


def test_every_criterion_filters(logged, world):
    home = world.home.uai
    scolarite = (
        Scolarite.objects.filter(world=world, uai=home, annee=2026)
        .select_related("eleve")
        .order_by("eleve__eleve_id")[7]
    )
    eleve = scolarite.eleve

    def found(**criteria):
        criteres = selectors.Criteres(**criteria)
        return list(
            selectors.eleves_rechercher(world=world, uai=home, annee=2026, criteres=criteres)
        )

    assert scolarite in found(nom=eleve.nom, prenom=eleve.prenom[:2])
    by_division = found(division=scolarite.division)
    assert scolarite in by_division and {s.division for s in by_division} == {scolarite.division}
    born = found(ne_en=eleve.date_naissance.year)
    assert {s.eleve.date_naissance.year for s in born} == {eleve.date_naissance.year}
    assert len(found(scolarise="oui")) == 500 and found(scolarise="non") == []
    assert len(found(etat="a_completer")) == 2 and len(found(etat="complet")) == 498
    parent = LienResponsable.objects.filter(eleve=eleve).select_related("personne").first()
    by_parent = found(resp_nom=parent.personne.nom, resp_prenom=parent.personne.prenom)
    assert scolarite in by_parent
    # the same criteria through the page
    page = search(logged, world, division=scolarite.division, ne_en=eleve.date_naissance.year)
    assert eleve.nom in page


def test_etat_a_completer_is_the_second_way_to_find_fiches_bloquantes(logged, world):
    page = search(logged, world, etat="a_completer")
    assert "2 élèves trouvés." in page
    assert page.count("À compléter</span>") == 2 and page.count(">Compléter</a>") == 2
    # the year in preparation: every returning pupil waits for his MEF and division
    choose_year(logged, world, 2027)
    page = search(logged, world, etat="a_completer", scolarise="non")
    count = Scolarite.objects.filter(world=world, uai=world.home.uai, annee=2027).count()
    assert f"{count} élèves trouvés." in page
    choose_year(logged, world, 2026)


def test_nothing_found_offers_the_creation(logged, world):
    page = search(logged, world, nom="DUCOBU")
    assert "Aucun élève trouvé. Modifier vos critères de recherche." in page
    assert url("eleve_creer", world, nom="DUCOBU", prenom="").split("&")[0] in page
    assert 'title="Créer la fiche de l\'élève"' in page
    # without a name there is nothing to create from
    page = search(logged, world, ne_en=1950)
    assert "Aucun élève trouvé." in page and "eleve_creer" not in page and "creer/" not in page


def test_htmx_search_answers_the_results_only(logged, world):
    response = logged.get(url("recherche", world, rechercher=1, nom="A"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="resultats"') and "<html" not in body


def test_bad_search_input_says_so(logged, world):
    page = search(logged, world, ne_en="deux-mille")
    assert "Saisissez un nombre entier." in page and "<table" not in page


def test_sql_and_python_rules_agree(world):
    home = world.home.uai
    for annee in (2026, 2027):
        scolarites = selectors.with_etat(
            Scolarite.objects.filter(world=world, uai=home, annee=annee)
        ).select_related("eleve")
        rows = selectors.with_motifs(scolarites)
        assert rows
        for scolarite, motifs in rows:
            assert scolarite.a_completer == bool(motifs), (scolarite, motifs)


def test_fiche_tabs_plain_and_htmx(logged, world):
    eleve = Eleve.objects.filter(world=world, uai=world.home.uai).order_by("eleve_id").first()
    response = logged.get(url("fiche", world, eleve.pk))
    assert response.status_code == 302 and response["Location"].endswith("/identite/")
    expected = {
        "identite": "Enregistrer l'identité",
        "scolarite": "Enregistrer la scolarité",
        "responsables": "Ajouter un responsable",
        "options": "Options 2026-2027",
        "groupes": "Aucun groupe.",
        "historique": "Historique des modifications",
    }
    for onglet, text in expected.items():
        page = logged.get(url("fiche_onglet", world, eleve.pk, onglet)).content.decode()
        assert text in page and f"ELEVE_ID {eleve.eleve_id}" in page
        assert 'aria-current="page">' in page
        partial = logged.get(
            url("fiche_onglet", world, eleve.pk, onglet), HTTP_HX_REQUEST="true"
        ).content.decode()
        assert partial.lstrip().startswith('<div id="fiche-panneau"') and text in partial
    assert logged.get(url("fiche_onglet", world, eleve.pk, "inconnu")).status_code == 404
    options = logged.get(url("fiche_onglet", world, eleve.pk, "options")).content.decode()
    for option in Scolarite.objects.get(eleve=eleve, annee=2026).options.all():
        assert f"({option.matiere_code})" in options


def test_help_desk_reads_without_write_buttons(client, world):
    client.force_login(member(world, role="assistance"))
    eleve = Eleve.objects.filter(world=world, uai=world.home.uai).first()
    page = client.get(url("fiche_onglet", world, eleve.pk, "identite")).content.decode()
    assert "Enregistrer l'identité" not in page
    assert client.get(url("recherche", world, rechercher=1)).status_code == 200
