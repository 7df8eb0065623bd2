"""S1 bascule, S2 nomenclatures, S3 structure of the year in preparation (guide 2.1-2.3, 2.7)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from entsim import nomenclatures as nom
from sts import selectors, services
from sts.models import (
    Change,
    Division,
    Group,
    NomenclatureRequest,
    SchoolYear,
    Service,
    Teacher,
)
from sts.services import StsError
from tests.sts.sts_helpers import fresh, module_world, sts_counts

pytestmark = pytest.mark.django_db

college = module_world("Collège structure STS", "college", 3)


def url(world, name, **params):
    path = reverse(f"sts:{name}", args=[world.slug])
    if params:
        from urllib.parse import urlencode

        path += "?" + urlencode(params)
    return path


@pytest.fixture
def world(college):
    return fresh(college)


@pytest.fixture
def current(world):
    return selectors.context_for(world=world).current


@pytest.fixture
def preparation(world, current):
    return services.year_bascule(world=world, establishment=current.establishment)


@pytest.fixture
def trainee(client, world, make_member):
    client.force_login(make_member(world, role="stagiaire"))
    return client


# --- S1 Bascule ----------------------------------------------------------------------------------


def test_no_year_in_preparation_before_the_bascule(world, current):
    context = selectors.context_for(world=world)
    assert context.current.year == 2026 and context.current.label == "2026-2027"
    assert context.preparation is None
    assert selectors.report_counts(world)["annee_en_preparation"] is None


def test_bascule_by_default_carries_divisions_only(world, current, preparation):
    assert preparation.year == 2027 and preparation.state == SchoolYear.State.EN_PREPARATION
    assert preparation.bascule == SchoolYear.Bascule.DIVISIONS
    old = list(
        Division.objects.filter(year=current).values_list("code", "libelle_long", "mef_code")
    )
    new = list(
        Division.objects.filter(year=preparation).values_list("code", "libelle_long", "mef_code")
    )
    assert new == old and new
    assert not Group.objects.filter(year=preparation).exists()
    assert not Service.objects.filter(year=preparation).exists()
    assert Group.objects.filter(year=current).exists()  # the year in progress is untouched
    assert selectors.report_counts(world)["annee_en_preparation"] == "2027-2028"
    with pytest.raises(StsError, match="La bascule est déjà faite"):
        services.year_bascule(world=world, establishment=current.establishment)


def test_bascule_with_carry_over(world, current):
    new = services.year_bascule(world=world, establishment=current.establishment, carry_over=True)
    assert new.bascule == SchoolYear.Bascule.TOUT
    assert Group.objects.filter(year=new).count() == Group.objects.filter(year=current).count()
    assert Service.objects.filter(year=new).count() == Service.objects.filter(year=current).count()
    links = Group.divisions.through.objects
    assert links.filter(group__year=new).count() == links.filter(group__year=current).count()
    # teachers who leave at the end of the year do not follow their services
    leaving = Teacher.objects.filter(world=world, end_date__lt=new.date_debut)
    assert leaving.exists()
    assert not leaving.filter(assignments__service__year=new).exists()


def test_bascule_page_requires_the_warning_to_be_acknowledged(world, current, trainee):
    before = sts_counts(world)
    page = trainee.post(url(world, "bascule_run"), {"reconduction": "tout"})
    content = page.content.decode()
    assert page.status_code == 200
    assert "cochez la case qui confirme que vous avez lu le conseil du guide" in content
    assert "Mieux vaut ne basculer que les divisions" in content
    assert sts_counts(world) == before
    done = trainee.post(url(world, "bascule_run"), {"reconduction": "tout", "confirmation": "on"})
    assert done.status_code == 302
    assert SchoolYear.objects.get(establishment=current.establishment, year=2027).bascule == "tout"


def test_bascule_page_default_then_switch_years(world, current, trainee):
    response = trainee.post(url(world, "bascule_run"), {"reconduction": "divisions"})
    assert response.status_code == 302 and response["Location"] == url(world, "structure")
    page = trainee.get(url(world, "structure")).content.decode()
    assert "Année en préparation 2027-2028" in page and "Aucun groupe." in page
    trainee.post(url(world, "year_switch"), {"annee": "en_cours", "next": url(world, "structure")})
    page = trainee.get(url(world, "structure")).content.decode()
    assert "Année en cours 2026-2027" in page and "Aucun groupe." not in page
    assert "La préparation de la rentrée se fait dans l'année en préparation" in page


# --- S2 Nomenclatures ----------------------------------------------------------------------------


def test_nomenclatures_receive_select_profile(world, preparation):
    with pytest.raises(StsError, match="Réceptionnez d'abord"):
        services.nomenclatures_select(
            world=world,
            year=preparation,
            mefs=["10010012110"],
            matieres=["020700"],
            mods_cours=["CG"],
        )
    received = services.nomenclatures_receive(world=world, year=preparation)
    assert received == len(nom.MEFS) + len(nom.SUBJECTS) + len(nom.MODS_COURS)
    assert services.nomenclatures_receive(world=world, year=preparation) == 0  # idempotent
    with pytest.raises(StsError, match="Aucune nomenclature sélectionnée"):
        services.nomenclatures_profile(world=world, year=preparation)
    assert selectors.profiled_codes(year=preparation, kind="mef") == []
    college_mefs = [code for code, mef in nom.MEFS.items() if mef.voie == "college"]
    services.nomenclatures_select(
        world=world,
        year=preparation,
        mefs=college_mefs,
        matieres=[nom.FRANCAIS, nom.MATHEMATIQUES],
        mods_cours=["CG"],
    )
    assert selectors.profiled_codes(year=preparation, kind="mef") == []  # not yet profiled
    assert services.nomenclatures_profile(world=world, year=preparation) == len(college_mefs) + 3
    preparation.refresh_from_db()
    assert preparation.profiled_at == world.now()
    assert [code for code, _ in selectors.profiled_codes(year=preparation, kind="mef")] == sorted(
        college_mefs
    )
    state = selectors.nomenclature_state(year=preparation)
    assert state.received and state.profiled
    assert state.counts["matiere"] == {
        "recues": len(nom.SUBJECTS),
        "selectionnees": 2,
        "profilees": 2,
    }


def test_profiling_feeds_the_division_form(world, preparation, trainee):
    trainee.post(url(world, "year_switch"), {"annee": "en_preparation"})
    page = trainee.get(url(world, "division_create")).content.decode()
    assert "Aucun MEF profilé pour cette année" in page
    trainee.post(url(world, "nomenclatures_receive"))
    trainee.post(
        url(world, "nomenclatures_select"),
        {"mefs": [nom.MEF_6EME], "matieres": [nom.FRANCAIS], "mods_cours": ["CG"]},
    )
    trainee.post(url(world, "nomenclatures_profile"))
    page = trainee.get(url(world, "division_create")).content.decode()
    assert "Aucun MEF profilé" not in page
    assert f'value="{nom.MEF_6EME}"' in page and f'value="{nom.MEF_5EME}"' not in page
    nomenclatures = trainee.get(url(world, "nomenclatures")).content.decode()
    assert "Profilage lancé le 14/06/2027" in nomenclatures


def test_missing_nomenclature_request(world, current, client, make_member):
    alice = make_member(world, role="stagiaire", username="alice-sts")
    bob = make_member(world, role="stagiaire", username="bob-sts")
    trainer = make_member(world, role="formateur", username="formatrice-sts")
    client.force_login(alice)
    bad = client.post(url(world, "nomenclature_request"), {"kind": "mef", "libelle": ""})
    assert bad.status_code == 302 and not NomenclatureRequest.objects.filter(world=world).exists()
    client.post(
        url(world, "nomenclature_request"),
        {
            "kind": "mef",
            "code": "",
            "libelle": "2NDPRO MET. RELATION CLIENT",
            "message": "La 2nde pro familles de métiers manque.",
        },
    )
    request = NomenclatureRequest.objects.get(world=world)
    assert request.requested_by == alice and request.requested_at == world.now()
    assert request.recipient == "Service académique des nomenclatures (académie AIX-MARSEILLE)"
    assert "2NDPRO MET. RELATION CLIENT" in client.get(url(world, "nomenclatures")).content.decode()
    client.force_login(bob)
    assert (
        "2NDPRO MET. RELATION CLIENT"
        not in client.get(url(world, "nomenclatures")).content.decode()
    )
    client.force_login(trainer)
    page = client.get(url(world, "nomenclatures")).content.decode()
    assert "2NDPRO MET. RELATION CLIENT" in page and "alice-sts" in page
    assert "Demandes envoyées dans ce monde" in page


# --- S3 Structure --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "libelle", "message"),
    [
        ("6E/A", "6EME A", "« / »"),
        ("4ème B", "4EME B", "« è »"),
        ("LV2.ESP", "ESPAGNOL", "« . »"),
        ("3EME_ABCD", "3EME", "dépasse 8 caractères"),
        ("", "3EME", "Le code est obligatoire"),
        ("3C", "UN LIBELLE BEAUCOUP TROP LONG", "dépasse 20 caractères"),
    ],
)
def test_structure_naming_rule(world, preparation, code, libelle, message):
    before = sts_counts(world)
    with pytest.raises(StsError) as refused:
        services.division_create(world=world, year=preparation, code=code, libelle_long=libelle)
    assert message in refused.value.message
    with pytest.raises(StsError) as refused:
        services.group_create(
            world=world,
            year=preparation,
            code=code,
            libelle_long=libelle,
            division_ids=[Division.objects.filter(year=preparation).first().pk],
        )
    assert message in refused.value.message
    assert sts_counts(world) == before


def test_naming_rule_in_the_form_gives_the_reason(world, preparation, trainee):
    trainee.post(url(world, "year_switch"), {"annee": "en_preparation"})
    before = sts_counts(world)
    page = trainee.post(url(world, "division_create"), {"code": "6E/A", "libelle_long": "6EME A"})
    content = page.content.decode()
    assert page.status_code == 200
    assert "contient des caractères non autorisés" in content and "« / »" in content
    assert sts_counts(world) == before
    ok = trainee.post(
        url(world, "division_create"),
        {"code": "6 F", "libelle_long": "6EME F", "effectif_prevu": "26"},
    )
    assert ok.status_code == 302
    assert Division.objects.get(year=preparation, code="6 F").effectif_prevu == 26


def test_divisions_create_rename_delete(world, preparation, trainee):
    trainee.post(url(world, "year_switch"), {"annee": "en_preparation"})
    division = services.division_create(
        world=world, year=preparation, code="6 SEG", libelle_long="6EME SEGPA"
    )
    with pytest.raises(StsError, match="déjà celui d'une division"):
        services.division_create(world=world, year=preparation, code="6 SEG", libelle_long="x")
    trainee.post(
        url(world, "division_update"),
        {"id": division.pk, "code": "6SEGPA", "libelle_long": "6EME SEGPA A"},
    )
    division.refresh_from_db()
    assert (division.code, division.libelle_long) == ("6SEGPA", "6EME SEGPA A")
    page = trainee.get(url(world, "division_delete", id=division.pk)).content.decode()
    assert "Supprimer la division 6SEGPA" in page
    trainee.post(url(world, "division_delete"), {"id": division.pk})
    assert not Division.objects.filter(pk=division.pk).exists()


def test_deleting_a_division_with_services_or_groups_says_so(world, current, trainee):
    division = Division.objects.filter(year=current, groups__isnull=False).distinct().first()
    nb_services = Service.objects.filter(division=division).count()
    nb_groups = division.groups.count()
    assert nb_services and nb_groups
    before = sts_counts(world)
    with pytest.raises(StsError) as refused:
        services.division_delete(world=world, division=division)
    message = refused.value.message
    assert f"Impossible de supprimer la division {division.code}" in message
    assert f"porte encore {nb_services} service(s)" in message
    assert f"appartient encore à {nb_groups} groupe(s)" in message
    page = trainee.get(url(world, "division_delete", id=division.pk)).content.decode()
    assert "ne peut pas être supprimée" in page
    response = trainee.post(url(world, "division_delete"), {"id": division.pk}, follow=True)
    assert f"Impossible de supprimer la division {division.code}" in response.content.decode()
    assert sts_counts(world) == before


def test_groups_belong_to_one_or_more_divisions(world, preparation, trainee):
    trainee.post(url(world, "year_switch"), {"annee": "en_preparation"})
    first, second = Division.objects.filter(year=preparation).order_by("code")[:2]
    with pytest.raises(StsError, match="au moins une division"):
        services.group_create(
            world=world, year=preparation, code="LAT1", libelle_long="LATIN", division_ids=[]
        )
    response = trainee.post(
        url(world, "group_create"),
        {"code": "LAT1", "libelle_long": "LATIN 5E", "divisions": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    group = Group.objects.get(year=preparation, code="LAT1")
    assert set(group.divisions.all()) == {first, second}
    trainee.post(
        url(world, "group_update"),
        {"id": group.pk, "code": "LAT 5", "libelle_long": "LATIN 5EME", "divisions": [first.pk]},
    )
    group.refresh_from_db()
    assert group.code == "LAT 5" and list(group.divisions.all()) == [first]
    trainee.post(url(world, "group_delete"), {"id": group.pk})
    assert not Group.objects.filter(pk=group.pk).exists()
    kinds = list(
        Change.objects.filter(year=preparation).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["group_create", "group_update", "group_delete"]
    journal = trainee.get(url(world, "journal")).content.decode()
    assert "groupe LAT1 (LATIN 5E) modifié en LAT 5 (LATIN 5EME)" in journal


def test_services_page_create_and_delete(world, preparation, trainee):
    trainee.post(url(world, "year_switch"), {"annee": "en_preparation"})
    division = Division.objects.filter(year=preparation).order_by("code").first()
    teacher = selectors.teachers_of_year(year=preparation).filter(fonction="ENS").first()
    response = trainee.post(
        url(world, "service_create"),
        {
            "structure": division.code,
            "subject": nom.FRANCAIS,
            "mod_cours": "CG",
            "hours": "4.5",
            "teacher": teacher.pk,
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(year=preparation, division=division)
    assert service.assignments.get().teacher == teacher
    page = trainee.get(url(world, "services", structure=division.code)).content.decode()
    assert teacher.full_name in page and "4.50" in page.replace(",", ".")
    trainee.post(url(world, "services_delete"), {"services": [service.pk]})
    assert not Service.objects.filter(pk=service.pk).exists()
    assert list(
        Change.objects.filter(year=preparation).values_list("kind", flat=True).order_by("id")
    ) == ["service_create", "service_delete"]
