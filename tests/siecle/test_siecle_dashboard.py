"""Tableau de bord (B13), menus, Exploitation > fiches bloquantes and Remontée SYSCA (B7)."""

from __future__ import annotations

import re

import pytest

from siecle import charts
from tests.siecle.siecle_world import choose_year, member, shared_college, url

pytestmark = pytest.mark.django_db

MENUS = (
    "Tableau de bord",
    "Fiches élèves",
    "Affectation",
    "Saisie en masse",
    "Exploitation",
    "Importations",
    "Exportations",
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from shared_college(django_db_blocker)


@pytest.fixture
def logged(client, world):
    client.force_login(member(world))
    return client


def test_landing_is_the_dashboard_with_the_menus(logged, world):
    page = logged.get(url("landing", world)).content.decode()
    assert "<title>Tableau de bord — SIECLE Base élèves — entsim</title>" in page
    for label in MENUS:
        assert re.search(rf'class="fr-nav__link"[^>]*>{re.escape(label)}', page), label
    for name in ("recherche", "affectation", "saisie_en_masse", "exploitation", "importations"):
        assert f'href="{url(name, world)}"' in page
    assert 'href="' + url("exportations", world) + '"' in page
    assert "2026-2027 (année en cours)" in page and "2027-2028 (année en préparation)" in page
    assert world.home.uai in page


def test_dashboard_counts_badge_and_pie_chart(logged, world):
    page = logged.get(url("tableau_de_bord", world)).content.decode()
    assert "Répartition des effectifs" in page
    assert "<dt>Effectifs constatés</dt><dd>500</dd>" in page
    assert "<dt>Élèves scolarisés dans l'établissement</dt><dd>500</dd>" in page
    assert "<dt>Élèves non scolarisés</dt><dd>0</dd>" in page
    # fiches bloquantes: the yellow badge and the list behind it (first way of the guide)
    assert re.search(
        r"Fiches bloquantes</a>\s*<span class=\"fr-badge[^\"]*warning[^\"]*\"[^>]*>2<", page
    )
    assert url("fiches_bloquantes", world) in page
    # pupils by sex: server-drawn SVG with a text alternative
    assert '<svg viewBox="-1.05 -1.05 2.1 2.1"' in page and 'role="img"' in page
    assert '<title id="camembert-titre">Élèves scolarisés par sexe</title>' in page
    desc = re.search(r'<desc id="camembert-desc">([^<]*)</desc>', page).group(1)
    assert re.fullmatch(r"Filles : \d+ \(\d+,\d %\), Garçons : \d+ \(\d+,\d %\)\.", desc)
    assert page.count('<path d="M 0 0 L') == 2
    assert '<script src="http' not in page  # no CDN
    assert "Signalements académiques" in page and "aucun signalement." in page


def test_year_in_preparation_dashboard(logged, world):
    choose_year(logged, world, 2027)
    page = logged.get(url("tableau_de_bord", world)).content.decode()
    assert "année en préparation" in page
    assert "<dt>Élèves scolarisés dans l'établissement</dt><dd>0</dd>" in page
    assert "attendent d'être affectés dans un MEF" in page
    choose_year(logged, world, 2026)
    assert logged.post(url("annee_choisir", world), {"annee": 2031}).status_code == 302
    assert "2026-2027 (année en cours)" in logged.get(url("landing", world)).content.decode()


def test_three_ways_to_fiches_bloquantes_and_sysca(logged, world):
    page = logged.get(url("exploitation", world)).content.decode()
    assert "Listes standards &gt; Divers &gt;" in page and "Fiches bloquantes" in page
    page = logged.get(url("fiches_bloquantes", world)).content.decode()
    assert "Listes standards - Divers - Fiches bloquantes" in page
    assert "2 fiches bloquantes" in page and page.count(">Compléter</a>") == 2
    # both planted on the responsables (docs/formats.md): the pupils export stays readable
    assert page.count("Aucun représentant légal avec une adresse") == 2
    page = logged.get(url("remontee_sysca", world)).content.decode()
    assert "Remontée SYSCA" in page
    assert '<th scope="row">Total</th><td>500</td><td>2</td><td><strong>498</strong>' in page


def test_exportations_page_shows_what_exists(logged, world):
    page = logged.get(url("exportations", world)).content.decode()
    assert "Journal des exportations" in page and "Aucune exportation pour l'instant." in page
    assert "Fichiers reçus et envoyés par la base élèves" in page


def test_pie_chart_geometry():
    assert charts.camembert([("Filles", 0, "a"), ("Garçons", 0, "b")]) == []
    full = charts.camembert([("Filles", 3, "a"), ("Garçons", 0, "b")])
    assert len(full) == 1 and full[0].full and full[0].percent == 100.0
    half = charts.camembert([("Filles", 1, "a"), ("Garçons", 1, "b")])
    assert half[0].path == "M 0 0 L 0.0 -1.0 A 1 1 0 0 1 0.0 1.0 Z"
    assert [p.percent for p in half] == [50.0, 50.0]
    big = charts.camembert([("Filles", 3, "a"), ("Garçons", 1, "b")])
    assert " 0 1 1 " in big[0].path  # the large-arc flag of a slice over half the disc
