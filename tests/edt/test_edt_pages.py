"""EDT pages on a generated collège: query counts, isolation between worlds, read-only roles."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from edt import selectors, services
from edt.models import Appartenance, Cours, Division, Eleve, Groupe, Service
from entsim.formats import bee_eleves, sts_emp
from tests.edt import edt_data
from tests.edt.truth_files import bee_file, sts_file

pytestmark = pytest.mark.django_db

PAGES = (
    "landing",
    "import_sts",
    "correspondances",
    "donnees",
    "import_eleves",
    "groupes",
    "eleves",
    "services",
    "emploi_du_temps",
    "exports",
)


@pytest.fixture
def college(db):
    """A generated collège whose EDT has read STS-web's and SIECLE's files (from the truth)."""
    from entsim.services.worlds import world_create

    world = world_create(name="Collège EDT", size="college", seed=11)
    services.sts_import(world=world, doc=sts_emp.read(sts_file(world)), filename="sts.xml")
    services.eleves_import(world=world, doc=bee_eleves.read(bee_file(world)), filename="e.xml")
    for groupe in Groupe.objects.filter(world=world).prefetch_related("divisions"):
        code = next(
            (
                code
                for code, _ in selectors.option_choices(
                    world=world, division_ids=[d.pk for d in groupe.divisions.all()]
                )
                if code != "030201"
            ),
            None,
        )
        if code:
            services.groupe_option_add(
                world=world, groupe=groupe, divisions=groupe.divisions.all(), code_matiere=code
            )
    for index, service in enumerate(Service.objects.filter(world=world).order_by("id")[:60]):
        services.cours_create(
            world=world,
            service=service,
            jour=1 + index % 5,
            heure_debut=dt.time(8 + index % 9),
            duree=60,
            salle_code=f"S{index % 12}",
        )
    return world


def test_pages_stay_under_twenty_queries(
    client, college, make_member, django_assert_max_num_queries
):
    client.force_login(make_member(college))
    groupe = Groupe.objects.filter(world=college).order_by("code").first()
    pupil = Appartenance.objects.filter(world=college).first().eleve
    teacher = Cours.objects.filter(world=college).first().enseignant
    division = Division.objects.filter(world=college).order_by("code").first()
    urls = [reverse(f"edt:{name}", args=[college.slug]) for name in PAGES]
    base = reverse("edt:groupes", args=[college.slug])
    urls += [
        f"{base}?groupe={groupe.pk}",
        f"{reverse('edt:eleves', args=[college.slug])}?eleve={pupil.pk}",
        f"{reverse('edt:eleves', args=[college.slug])}?division={division.pk}",
        f"{reverse('edt:emploi_du_temps', args=[college.slug])}?structure=e{teacher.pk}",
        f"{reverse('edt:emploi_du_temps', args=[college.slug])}?structure=g{groupe.pk}",
        f"{reverse('edt:services', args=[college.slug])}?structure=g{groupe.pk}",
    ]
    for url in urls:
        with django_assert_max_num_queries(20):
            response = client.get(url)
        assert response.status_code == 200, url
    with django_assert_max_num_queries(20):
        assert client.get(f"{base}?groupe={groupe.pk}", HTTP_HX_REQUEST="true").status_code == 200


def test_report_counts_in_world_report(college):
    out = io.StringIO()
    call_command("world_report", college.name, "--json", stdout=out)
    edt = json.loads(out.getvalue())["systemes"]["edt"]
    assert edt["eleves"] == Eleve.objects.filter(world=college, actif=True).count() > 400
    assert edt["divisions"] == 20 and edt["groupes"] > 10 and edt["enseignants"] > 20
    assert edt["liens"] == Appartenance.objects.filter(world=college).count() > 100
    assert edt["responsables"] == 0 and edt["comptes"] == 0


@pytest.fixture
def two_worlds(make_world, make_member):
    world_a = make_world("Monde A")
    world_b = make_world("Monde B", uai="0130002F")
    edt_data.load(world_a)
    services.sts_import(world=world_b, doc=edt_data.sts_doc(uai="0130002F"), filename="b.xml")
    services.eleves_import(world=world_b, doc=edt_data.bee_doc(uai="0130002F"), filename="b.xml")
    return world_a, world_b, make_member(world_a)


def test_ids_of_another_world_are_404(client, two_worlds):
    world_a, world_b, user = two_worlds
    client.force_login(user)
    groupe_b = Groupe.objects.get(world=world_b)
    eleve_b = Eleve.objects.filter(world=world_b).first()
    division_b = Division.objects.filter(world=world_b).first()
    service_b = Service.objects.filter(world=world_b).first()
    cours_b = services.cours_create(
        world=world_b, service=service_b, jour=1, heure_debut=dt.time(9), duree=60
    )[0]
    groupe_a = Groupe.objects.get(world=world_a)

    def a(name):
        return reverse(f"edt:{name}", args=[world_a.slug])

    for url in (
        f"{a('groupes')}?groupe={groupe_b.pk}",
        f"{a('groupes')}?groupe=pas-un-nombre",
        f"{a('eleves')}?eleve={eleve_b.pk}",
        f"{a('eleves')}?division={division_b.pk}",
        f"{a('services')}?structure=d{division_b.pk}",
        f"{a('emploi_du_temps')}?structure=g{groupe_b.pk}",
    ):
        assert client.get(url).status_code == 404, url
    before = (
        Appartenance.objects.count(),
        Groupe.objects.count(),
        Service.objects.count(),
        Cours.objects.count(),
    )
    posts = [
        ("groupe_inscrire", {"groupe": groupe_b.pk, "mode": "division", "division": division_b.pk}),
        ("groupe_inscrire", {"groupe": groupe_a.pk, "mode": "eleve", "eleve": eleve_b.pk}),
        ("groupe_inscrire", {"groupe": groupe_a.pk, "mode": "division", "division": division_b.pk}),
        ("groupe_retirer", {"groupe": groupe_b.pk, "eleve": eleve_b.pk}),
        ("groupe_supprimer", {"groupe": groupe_b.pk}),
        ("groupe_modifier", {"groupe": groupe_b.pk, "code": "PIRATE"}),
        ("service_supprimer", {"id": service_b.pk}),
        ("cours_retirer", {"id": cours_b.pk}),
        ("service_creer", {"structure": f"d{division_b.pk}", "matiere": "1", "mod_cours": "CG"}),
        (
            "service_creer",
            {
                "structure": f"g{groupe_a.pk}",
                "matiere": service_b.matiere_id,
                "mod_cours": "CG",
            },
        ),
        ("groupe_creer", {"code": "NOUVEAU", "divisions": [division_b.pk]}),
        ("cours_placer", {"service": service_b.pk, "jour": 1, "heure_debut": "10:00", "duree": 60}),
    ]
    for name, data in posts:
        assert client.post(a(name), data).status_code == 404, name
    after = (
        Appartenance.objects.count(),
        Groupe.objects.count(),
        Service.objects.count(),
        Cours.objects.count(),
    )
    assert after == before
    assert Groupe.objects.get(pk=groupe_b.pk).code == "3ESP1"


def test_help_desk_reads_but_cannot_write(client, make_world, make_member):
    world = make_world()
    edt_data.load(world)
    client.force_login(make_member(world, role="assistance"))
    for name in PAGES:
        page = client.get(reverse(f"edt:{name}", args=[world.slug]))
        assert page.status_code == 200
        assert "Se placer en SPR" not in page.content.decode()
    groupe = Groupe.objects.get(world=world)
    division = Division.objects.filter(world=world).first()
    for name, data in (
        ("groupe_creer", {"code": "X1"}),
        ("groupe_inscrire", {"groupe": groupe.pk, "mode": "division", "division": division.pk}),
        ("groupe_supprimer", {"groupe": groupe.pk}),
        ("import_sts_run", {"source": "echange"}),
        ("import_eleves_run", {"source": "echange"}),
        ("export_sts", {}),
        ("export_siecle", {}),
        ("spr_mode", {"spr": "1"}),
        ("correspondances_valider", {}),
    ):
        assert client.post(reverse(f"edt:{name}", args=[world.slug]), data).status_code == 403
    assert Groupe.objects.filter(world=world).count() == 1
    assert not Appartenance.objects.exists()
    assert not selectors.base_for(world=world).spr


def test_forms_need_the_csrf_token(make_world, make_member):
    from django.test import Client

    world = make_world()
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member(world))
    response = client.post(reverse("edt:groupe_creer", args=[world.slug]), {"code": "X1"})
    assert response.status_code == 403
    assert not Groupe.objects.exists()
