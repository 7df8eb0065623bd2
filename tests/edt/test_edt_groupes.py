"""Groups, services, timetable and pupils in groups (E2, E4): services and pages, plain and htmx."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from edt import selectors, services
from edt.models import Appartenance, Cours, Division, Eleve, Enseignant, Groupe, Matiere, Service
from tests.edt import edt_data
from tests.edt.edt_data import ALL2, ESP2, MATHS

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_world):
    world = make_world()
    edt_data.load(world)
    return world


@pytest.fixture
def client_in(client, world, make_member):
    client.force_login(make_member(world))
    return client


def url(world, name: str) -> str:
    return reverse(f"edt:{name}", args=[world.slug])


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- Services ---------------------------------------------------------------------------------


def test_group_naming_rule_is_a_hint_not_a_block(world):
    groupe = services.groupe_create(world=world, code="3°ESP-A", libelle="Espagnol A")
    assert Groupe.objects.filter(world=world, code="3°ESP-A").exists()
    assert "« ° »" in services.sts_name_hint(groupe.code)
    assert services.sts_name_hint("3ESP-A_1") is None
    assert services.sts_name_hint("Groupe é") is not None  # accents are not letters for STS


def test_group_code_length_and_uniqueness(world):
    with pytest.raises(services.EdtError, match="dépasse 8 caractères"):
        services.groupe_create(world=world, code="ESPAGNOL3A")
    with pytest.raises(services.EdtError, match="existe déjà"):
        services.groupe_create(world=world, code="3ESP1")
    with pytest.raises(services.EdtError, match="obligatoire"):
        services.groupe_create(world=world, code="  ")


def test_rename_keeps_members_and_sets_divisions(world):
    groupe = Groupe.objects.get(world=world, code="3ESP1")
    services.groupe_option_add(
        world=world,
        groupe=groupe,
        divisions=Division.objects.filter(world=world, code__in=["3A", "3B"]),
        code_matiere=ESP2,
    )
    a4 = Division.objects.get(world=world, code="4A")
    services.groupe_update(
        world=world, groupe=groupe, code="ESP3AB", libelle="Espagnol 3e", divisions=[a4]
    )
    groupe.refresh_from_db()
    assert groupe.code == "ESP3AB" and [d.code for d in groupe.divisions.all()] == ["4A"]
    assert Appartenance.objects.filter(groupe=groupe).count() == 5


def test_put_pupils_in_groups_three_ways(world):
    groupe = services.groupe_create(
        world=world,
        code="LV2",
        divisions=Division.objects.filter(world=world, code__in=["3A", "3B"]),
    )
    a3, b3 = (Division.objects.get(world=world, code=c) for c in ("3A", "3B"))
    # By option: the pupils of 3A and 3B taking Espagnol LV2 (5 of 9).
    assert (
        services.groupe_option_add(
            world=world, groupe=groupe, divisions=[a3, b3], code_matiere=ESP2
        )
        == 5
    )
    # A whole division: only those not yet in the group are added.
    assert services.groupe_division_add(world=world, groupe=groupe, division=a3) == 2
    # One by one.
    klein = Eleve.objects.get(world=world, nom="KLEIN")
    assert services.groupe_eleves_add(world=world, groupe=groupe, eleves=[klein]) == 1
    assert services.groupe_eleves_add(world=world, groupe=groupe, eleves=[klein]) == 0
    assert services.groupe_eleve_remove(world=world, groupe=groupe, eleve=klein)
    members = selectors.groupe_membres(world=world, groupe=groupe)
    assert sorted(e.siecle_id for e in members) == [501, 502, 503, 504, 505, 506, 507]


def test_option_choices_count_pupils_of_the_divisions(world):
    a3 = Division.objects.get(world=world, code="3A")
    choices = dict(selectors.option_choices(world=world, division_ids=[a3.pk]))
    assert choices[ESP2] == "ESPAGNOL LV2 (030602) — 3 élève(s)"
    assert choices[ALL2] == "ALLEMAND LV2 (030102) — 2 élève(s)"


def test_delete_group_takes_its_memberships_services_and_courses(world):
    groupe = Groupe.objects.get(world=world, code="3ESP1")
    services.groupe_division_add(
        world=world, groupe=groupe, division=Division.objects.get(world=world, code="3A")
    )
    service = Service.objects.get(world=world, groupe=groupe)
    services.cours_create(
        world=world, service=service, jour=1, heure_debut=dt.time(10), duree=60, salle_code="B12"
    )
    services.groupe_delete(world=world, groupe=groupe)
    assert not Appartenance.objects.filter(world=world).exists()
    assert not Service.objects.filter(world=world, groupe__isnull=False).exists()
    assert not Cours.objects.filter(world=world).exists()
    assert Eleve.objects.filter(world=world).count() == 12


def test_services_and_timetable_with_clash_hints(world):
    a4 = Division.objects.get(world=world, code="4A")
    paul = Enseignant.objects.get(world=world, nom="MARTIN")
    service = services.service_create(
        world=world,
        matiere=Matiere.objects.get(world=world, sts_code=MATHS),
        mod_cours="CG",
        division=None,
        groupe=services.groupe_create(world=world, code="4SOUT"),
        enseignant=paul,
        heures=Decimal("1.5"),
    )
    maths_4a = Service.objects.get(world=world, division=a4, matiere__sts_code=MATHS)
    first, clashes = services.cours_create(
        world=world, service=maths_4a, jour=2, heure_debut=dt.time(9), duree=60, salle_code="S1"
    )
    assert clashes == [] and first.enseignant == paul and first.salle.code == "S1"
    _, clashes = services.cours_create(
        world=world, service=service, jour=2, heure_debut=dt.time(9, 30), duree=60, salle_code="S1"
    )
    assert len(clashes) == 2  # same teacher, same room: a hint, the course is placed anyway
    assert Cours.objects.filter(world=world).count() == 2
    with pytest.raises(services.EdtError, match="division ou à un groupe"):
        services.service_create(
            world=world,
            matiere=service.matiere,
            mod_cours="CG",
            division=a4,
            groupe=service.groupe,
            enseignant=None,
            heures=None,
        )
    grid = selectors.grid(list(selectors.cours_of(world=world, enseignant=paul)))
    nine = next(cells for hour, cells in grid.rows if hour == dt.time(9))
    assert [c.pk for c in nine[1]] == [first.pk, Cours.objects.exclude(pk=first.pk).get().pk]


# --- Pages, plain and htmx --------------------------------------------------------------------


def test_group_pages_without_javascript(client_in, world):
    response = client_in.post(
        url(world, "groupe_creer"),
        {
            "code": "3°ESP-A",
            "libelle": "Espagnol",
            "divisions": [Division.objects.get(code="3A").pk],
        },
    )
    groupe = Groupe.objects.get(world=world, code="3°ESP-A")
    assert response.status_code == 302
    assert response["Location"] == f"{url(world, 'groupes')}?groupe={groupe.pk}"
    page = text(client_in.get(response["Location"]))
    assert "STS-web refusera ce nom" in page and "nom refusé par STS-web" in page
    assert "Groupe 3°ESP-A" in page
    response = client_in.post(
        url(world, "groupe_inscrire"),
        {
            "groupe": groupe.pk,
            "mode": "option",
            "divisions": [groupe.divisions.get().pk],
            "option": ESP2,
        },
        follow=True,
    )
    assert "3 élève(s) ajouté(s) au groupe 3°ESP-A" in text(response)
    assert "ABADIE" in text(response) and "DUBOIS" not in text(response).split("Inscrire")[0]
    response = client_in.post(
        url(world, "groupe_modifier"),
        {"groupe": groupe.pk, "code": "3ESPA", "libelle": "Espagnol A"},
        follow=True,
    )
    assert "Groupe 3ESPA enregistré" in text(response)
    assert "STS-web refusera ce nom" not in text(response)
    pupil = Eleve.objects.get(world=world, siecle_id=501)
    response = client_in.post(
        url(world, "groupe_retirer"), {"groupe": groupe.pk, "eleve": pupil.pk, "retour": "eleve"}
    )
    assert response["Location"] == f"{url(world, 'eleves')}?eleve={pupil.pk}"
    response = client_in.post(url(world, "groupe_supprimer"), {"groupe": groupe.pk}, follow=True)
    assert "Groupe 3ESPA supprimé" in text(response)
    assert not Groupe.objects.filter(pk=groupe.pk).exists()


def test_group_panel_with_htmx(client_in, world):
    groupe = Groupe.objects.get(world=world, code="3ESP1")
    response = client_in.get(f"{url(world, 'groupes')}?groupe={groupe.pk}", HTTP_HX_REQUEST="true")
    body = text(response)
    assert body.lstrip().startswith('<div id="groupe-detail"') and "<html" not in body
    a3 = Division.objects.get(world=world, code="3A")
    response = client_in.post(
        url(world, "groupe_inscrire"),
        {"groupe": groupe.pk, "mode": "division", "division": a3.pk},
        HTTP_HX_REQUEST="true",
    )
    body = text(response)
    assert body.lstrip().startswith('<div id="groupe-detail"')
    assert "5 élève(s) ajouté(s) au groupe 3ESP1" in body and "CHEVALIER" in body
    pupil = Eleve.objects.get(world=world, siecle_id=504)
    response = client_in.post(
        url(world, "groupe_retirer"),
        {"groupe": groupe.pk, "eleve": pupil.pk},
        HTTP_HX_REQUEST="true",
    )
    assert "retiré(e) du groupe 3ESP1" in text(response)
    assert Appartenance.objects.filter(groupe=groupe).count() == 4
    response = client_in.post(
        url(world, "groupe_inscrire"),
        {"groupe": groupe.pk, "mode": "eleve", "eleve": pupil.pk},
        HTTP_HX_REQUEST="true",
    )
    assert "1 élève(s) ajouté(s)" in text(response)


def test_pupils_page_shows_each_pupils_groups(client_in, world):
    groupe = Groupe.objects.get(world=world, code="3ESP1")
    pupil = Eleve.objects.get(world=world, siecle_id=503)
    services.groupe_eleves_add(world=world, groupe=groupe, eleves=[pupil])
    page = text(client_in.get(f"{url(world, 'eleves')}?eleve={pupil.pk}"))
    assert "ELEVE_ID 503" in page and "INE 070000003AA" in page
    assert "ESPAGNOL LV2 (030602, O)" in page and ">3ESP1</a>" in page
    page = text(client_in.get(f"{url(world, 'eleves')}?division={pupil.division_id}"))
    assert "Élèves de 3A" in page and "CHEVALIER" in page and "FABRE" not in page
    response = client_in.post(
        url(world, "groupe_inscrire"),
        {
            "groupe": services.groupe_create(world=world, code="AP3").pk,
            "mode": "eleve",
            "eleve": pupil.pk,
        },
    )
    assert response.status_code == 302
    assert sorted(g.code for g in pupil.groupes.all()) == ["3ESP1", "AP3"]


def test_services_and_timetable_pages(client_in, world):
    a4 = Division.objects.get(world=world, code="4A")
    page = text(client_in.get(f"{url(world, 'services')}?structure=d{a4.pk}"))
    assert "Services de 4A" in page and "MATHEMATIQUES" in page and "MARTIN Paul" in page
    response = client_in.post(
        url(world, "service_creer"),
        {
            "matiere": Matiere.objects.get(world=world, sts_code=ALL2).pk,
            "mod_cours": "CG",
            "structure": f"d{a4.pk}",
            "enseignant": Enseignant.objects.get(world=world, nom="GARCIA").pk,
            "heures": "2.5",
        },
        follow=True,
    )
    assert "Service ALLEMAND LV2 — 4A créé" in text(response)
    service = Service.objects.get(world=world, division=a4, matiere__sts_code=ALL2)
    response = client_in.post(
        url(world, "cours_placer"),
        {
            "service": service.pk,
            "jour": "3",
            "heure_debut": "10:00",
            "duree": "60",
            "salle": "B12",
            "retour": f"d{a4.pk}",
        },
        follow=True,
    )
    page = text(response)
    assert "Cours placé : Mercredi 10:00" in page
    assert "10h00</strong> (60 min) ALLEMAND LV2 — 4A — GARCIA Lucia — salle B12" in page
    cours = Cours.objects.get(world=world)
    partial = client_in.get(
        f"{url(world, 'emploi_du_temps')}?structure=e{cours.enseignant_id}&partiel=1",
        HTTP_HX_REQUEST="true",
    )
    assert text(partial).lstrip().startswith('<div id="grille"')
    client_in.post(url(world, "cours_retirer"), {"id": cours.pk, "retour": f"d{a4.pk}"})
    client_in.post(url(world, "service_supprimer"), {"id": service.pk, "retour": f"d{a4.pk}"})
    assert not Service.objects.filter(pk=service.pk).exists()


def test_import_pages_and_matching_screen(client_in, world):
    for name in ("landing", "import_sts", "import_eleves", "donnees", "exports"):
        assert client_in.get(url(world, name)).status_code == 200
    services.sts_import(
        world=world, doc=edt_data.sts_doc(divisions=("3EA", "3B", "4A")), filename="g.xml"
    )
    page = text(client_in.get(url(world, "correspondances")))
    assert "Divisions de STS-web sans correspondance" in page
    assert "Correspond à : 3A" in page and "(ancien code STS 3A)" in page
    pending = selectors.matching(world=world)[2].pending[0]
    a3 = Division.objects.get(world=world, code="3A")
    response = client_in.post(
        url(world, "correspondances_valider"), {f"c{pending.pk}": str(a3.pk)}, follow=True
    )
    assert "Correspondances établies : 1" in text(response)
    a3.refresh_from_db()
    assert a3.sts_code == "3EA"


def test_every_page_answers_get_and_actions_send_get_back(client_in, world):
    for name in ("groupe_creer", "groupe_inscrire", "cours_placer", "export_siecle", "spr_mode"):
        response = client_in.get(url(world, name))
        assert response.status_code == 302
