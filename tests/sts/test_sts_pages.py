"""STS-web's pages on a lycee-2000 world: they render (plain and htmx), stay under 20 queries,
refuse writes to the help desk, and never show another world's objects."""

from __future__ import annotations

import pytest
from django.urls import reverse

from entsim.models import Exchange
from sts import selectors, services
from sts.models import Division, Group, Teacher
from tests.sts.sts_helpers import edt_file_from_truth, fresh, module_world, run_calendar

pytestmark = pytest.mark.django_db

big = module_world("Lycée pages STS", "lycee-2000", 2057)

NOTICE = "Environnement de formation — données fictives"
MAX_QUERIES = 20


def url(world, name, *args, **params):
    path = reverse(f"sts:{name}", args=[world.slug, *args])
    if params:
        from urllib.parse import urlencode

        path += "?" + urlencode(params)
    return path


@pytest.fixture
def prepared(big, make_member, client):
    """The lycée after the bascule, with the REP and SUP arrived, a deposited EDT file and a
    formateur logged in, working in the year in preparation."""
    world = fresh(big)
    context = selectors.context_for(world=world)
    services.year_bascule(world=world, establishment=context.establishment)
    year = selectors.context_for(world=world, choice="en_preparation").preparation
    services.edt_deposit(
        world=world,
        filename="emp_sts.xml",
        content=edt_file_from_truth(world, year.year),
    )
    run_calendar(world, "teacher_rep")
    run_calendar(world, "teacher_sup")
    exchange = services.edt_file_receive(
        world=world,
        year=year,
        filename="emp_sts_bis.xml",
        content=edt_file_from_truth(world, year.year),
    )
    services.structure_export(world=world, year=year)
    services.services_export(world=world, year=year)
    client.force_login(make_member(world, role="formateur"))
    return world, year, exchange


def page_urls(world, year, exchange):
    teacher = selectors.teachers_with_services(year=year).first()
    division = Division.objects.filter(year=year).first()
    group = Group.objects.filter(year=year).first()
    return {
        "accueil": url(world, "landing"),
        "bascule": url(world, "bascule"),
        "nomenclatures": url(world, "nomenclatures"),
        "structure": url(world, "structure"),
        "structure filtrée": url(world, "structure", q="2NDE"),
        "structure page 3": url(world, "structure", page=3),
        "créer une division": url(world, "division_create"),
        "modifier une division": url(world, "division_update", id=division.pk),
        "supprimer une division": url(world, "division_delete", id=division.pk),
        "créer un groupe": url(world, "group_create"),
        "modifier un groupe": url(world, "group_update", id=group.pk),
        "supprimer un groupe": url(world, "group_delete", id=group.pk),
        "ressources": url(world, "ressources"),
        "ressources filtrées": url(world, "ressources", q="a", discipline="L1300"),
        "services": url(world, "services"),
        "services d'une division": url(world, "services", structure=division.code),
        "créer un service": url(world, "service_create"),
        "changement de support": url(world, "support"),
        "changement de support, enseignant": url(world, "support", enseignant=teacher.pk),
        "suppléants": url(world, "suppleants"),
        "exports": url(world, "exports"),
        "import": url(world, "import"),
        "import, aperçu": url(world, "import_preview", exchange.pk),
        "modifications directes": url(world, "journal"),
    }


PAGES = [
    "accueil",
    "bascule",
    "nomenclatures",
    "structure",
    "structure filtrée",
    "structure page 3",
    "créer une division",
    "modifier une division",
    "supprimer une division",
    "créer un groupe",
    "modifier un groupe",
    "supprimer un groupe",
    "ressources",
    "ressources filtrées",
    "services",
    "services d'une division",
    "créer un service",
    "changement de support",
    "changement de support, enseignant",
    "suppléants",
    "exports",
    "import",
    "import, aperçu",
    "modifications directes",
]


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_under_the_query_budget(client, prepared, page, django_assert_max_num_queries):
    world, year, exchange = prepared
    client.post(url(world, "year_switch"), {"annee": "en_preparation"})
    target = page_urls(world, year, exchange)[page]
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(target)
    assert response.status_code == 200, target
    content = response.content.decode()
    assert NOTICE in content
    assert "Année en préparation 2027-2028" in content
    assert "Structure et Services" in content  # STS-web's menu


def test_pages_show_the_real_menus_and_data(client, prepared):
    world, _, exchange = prepared
    client.post(url(world, "year_switch"), {"annee": "en_preparation"})
    landing = client.get(url(world, "landing")).content.decode()
    for menu in (
        "Nomenclatures",
        "Structure",
        "Ressources",
        "Services et ARE - Changement de support",
        "Services suppléants - Saisie rapide",
        "Exports",
        "Import - Emploi du temps",
        "Fichiers reçus et envoyés",
        "sts_services_",
    ):
        assert menu in landing, menu
    rep = Teacher.objects.get(world=world, replacement="REP")
    sup = Teacher.objects.get(world=world, replacement="SUP")
    ressources = client.get(url(world, "ressources", q=rep.nom_usage)).content.decode()
    assert rep.prenom in ressources and "REP" in ressources
    everyone = client.get(url(world, "ressources", q=sup.nom_usage)).content.decode()
    assert f"<td>{sup.prenom}</td>" not in everyone  # a SUP is not in Ressources
    suppleants = client.get(url(world, "suppleants")).content.decode()
    for column in (
        "Nb services affectés",
        "Etablissement",
        "Début-fin affectation",
        "Suppléé",
        "15/11/2027 - 17/12/2027",
        sup.replaces.full_name,
        "Valider",
    ):
        assert column in suppleants, column
    support = client.get(url(world, "support", enseignant=rep.replaces.pk)).content.decode()
    for column in ("Support / Origine", "Etablissement", "Discipline", "Heures Prof.", "Rattacher"):
        assert column in support, column
    preview = client.get(url(world, "import_preview", exchange.pk)).content.decode()
    assert "Annule et remplace" in preview and "Confirmer l'import" in preview


def test_current_year_pages_and_bascule_page(client, big, make_member):
    world = fresh(big)
    client.force_login(make_member(world, role="stagiaire"))
    page = client.get(url(world, "bascule")).content.decode()
    assert "Mieux vaut ne basculer que les divisions" in page
    assert "Les divisions seulement (recommandé)" in page
    assert "Aucune année en préparation" in page
    structure = client.get(url(world, "structure")).content.decode()
    assert "Année en cours 2026-2027" in structure and "2NDE1" in structure


@pytest.mark.parametrize(
    ("name", "marker"),
    [
        ("structure", 'id="structure-tables"'),
        ("ressources", 'id="ressources-table"'),
        ("services", 'id="services-table"'),
    ],
)
def test_htmx_gets_the_table_only(client, prepared, name, marker, django_assert_max_num_queries):
    world, _, _ = prepared
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url(world, name), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith(f"<div {marker}")
    assert "<html" not in content
    plain = client.get(url(world, name)).content.decode()
    assert "<html" in plain and marker in plain


WRITES = [
    ("bascule_run", {"reconduction": "divisions"}),
    ("nomenclatures_receive", {}),
    ("nomenclatures_select", {"mefs": ["20010015110"]}),
    ("nomenclatures_profile", {}),
    ("nomenclature_request", {"kind": "mef", "libelle": "x", "message": "y"}),
    ("division_create", {"code": "2NDE99", "libelle_long": "2NDE 99"}),
    ("division_update", {"id": "1", "code": "X", "libelle_long": "X"}),
    ("division_delete", {"id": "1"}),
    ("group_create", {"code": "G1", "libelle_long": "G1"}),
    ("group_update", {"id": "1"}),
    ("group_delete", {"id": "1"}),
    ("service_create", {}),
    ("services_delete", {"services": ["1"]}),
    ("support_attach", {"enseignant": "1"}),
    ("suppleants_validate", {"suppleants": ["1"]}),
    ("export_emploi_du_temps", {}),
    ("export_structure", {}),
    ("export_services", {}),
    ("import_upload", {}),
]


def test_help_desk_reads_but_gets_403_on_every_write(client, prepared, make_member):
    from sts.models import Export

    world, _, exchange = prepared
    client.force_login(make_member(world, role="assistance"))
    before = Export.objects.filter(world=world).count()
    for name, data in WRITES:
        assert client.post(url(world, name), data).status_code == 403, name
    assert (
        client.post(url(world, "import_confirm", exchange.pk), {"action": "confirmer"}).status_code
        == 403
    )
    assert Export.objects.filter(world=world).count() == before
    exchange.refresh_from_db()
    assert exchange.state == Exchange.State.DEPOSITED
    for page in ("landing", "structure", "ressources", "services", "exports", "suppleants"):
        response = client.get(url(world, page))
        assert response.status_code == 200, page
        assert "Exporter la structure" not in response.content.decode()


def test_another_worlds_objects_are_404(client, prepared, make_world, make_member):
    world_b, year_b, exchange_b = prepared
    world_a = make_world("Monde STS A")
    services.sts_seed(world_a)
    client.force_login(make_member(world_a, role="formateur"))
    division_b = Division.objects.filter(year=year_b).first()
    group_b = Group.objects.filter(year=year_b).first()
    teacher_b = selectors.teachers_with_services(year=year_b).first()
    for name, params in (
        ("division_update", {"id": division_b.pk}),
        ("division_delete", {"id": division_b.pk}),
        ("group_update", {"id": group_b.pk}),
        ("group_delete", {"id": group_b.pk}),
        ("support", {"enseignant": teacher_b.pk}),
    ):
        assert client.get(url(world_a, name, **params)).status_code == 404, name
    assert client.post(url(world_a, "division_delete"), {"id": division_b.pk}).status_code == 404
    assert client.post(url(world_a, "group_delete"), {"id": group_b.pk}).status_code == 404
    assert client.get(url(world_a, "import_preview", exchange_b.pk)).status_code == 404
    assert (
        client.post(url(world_a, "import_confirm", exchange_b.pk), {"action": "confirmer"})
    ).status_code == 404
    # B's pages through B's URLs: not a member of B.
    assert client.get(url(world_b, "structure")).status_code == 404
    assert Division.objects.filter(pk=division_b.pk).exists()
    assert Group.objects.filter(pk=group_b.pk).exists()
    exchange_b.refresh_from_db()
    assert exchange_b.state == Exchange.State.DEPOSITED


def test_a_world_without_sts_data(client, make_world, make_member):
    world = make_world("Monde nu")
    client.force_login(make_member(world))
    landing = client.get(url(world, "landing"))
    assert landing.status_code == 200
    assert "STS-web ne contient aucune donnée dans ce monde." in landing.content.decode()
    assert client.get(url(world, "structure")).status_code == 302
