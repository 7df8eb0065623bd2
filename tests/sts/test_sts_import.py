"""S6 Import > Emploi du temps (guide 2.8): annule et remplace, rejected group names, the STS
changes it overwrites, and files refused with a French message that change nothing."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from entsim.formats import emp_sts
from entsim.models import Exchange, TeachingGroup
from entsim.models import Service as TruthService
from entsim.registry import ExchangeRefused
from entsim.services.exchanges import exchange_deposit
from sts import selectors, services
from sts.models import Change, EdtImport, Group, Service, ServiceTeacher
from tests.sts.sts_helpers import (
    edt_file_from_truth,
    fresh,
    module_world,
    small_edt_file,
    sts_counts,
)

pytestmark = pytest.mark.django_db

college = module_world("Collège import STS", "college", 5)


def url(world, name, *args):
    return reverse(f"sts:{name}", args=[world.slug, *args])


@pytest.fixture
def world(college):
    return fresh(college)


@pytest.fixture
def preparation(world):
    context = selectors.context_for(world=world)
    return services.year_bascule(world=world, establishment=context.establishment)


@pytest.fixture
def trainee(client, world, make_member, preparation):
    client.force_login(make_member(world, role="stagiaire"))
    client.post(url(world, "year_switch"), {"annee": "en_preparation"})
    return client


def upload(client, world, name: str, content: bytes):
    return client.post(
        url(world, "import_upload"),
        {"file": SimpleUploadedFile(name, content, content_type="text/xml")},
    )


def test_import_from_the_edt_software_replaces_groups_and_services(world, preparation):
    content = edt_file_from_truth(world, 2027)
    exchange = exchange_deposit(
        world=world, kind="emp_sts", filename="emp_sts.xml", content=content
    )
    assert exchange.state == Exchange.State.PROCESSED
    assert (exchange.source, exchange.target) == ("edt", "sts")
    home = world.home
    truth_groups = TeachingGroup.objects.filter(world=world, establishment=home, school_year=2027)
    truth_services = TruthService.objects.filter(world=world, establishment=home, school_year=2027)
    assert exchange.report["groupes importés"] == truth_groups.count()
    assert exchange.report["services importés"] == truth_services.count()
    assert exchange.report["groupes rejetés"] == []
    assert Group.objects.filter(year=preparation).count() == truth_groups.count()
    assert Service.objects.filter(year=preparation).count() == truth_services.count()
    expected = sorted(
        (s.division.code if s.division_id else s.group.code, s.subject_code, s.teacher.sts_id)
        for s in truth_services.select_related("division", "group", "teacher")
    )
    got = sorted(
        (a.service.structure_code, a.service.subject_code, a.teacher.sts_id)
        for a in ServiceTeacher.objects.filter(service__year=preparation).select_related(
            "service__division", "service__group", "teacher"
        )
    )
    assert got == expected
    group = truth_groups.prefetch_related("divisions").first()
    assert sorted(d.code for d in group.divisions.all()) == sorted(
        Group.objects.get(year=preparation, code=group.code).divisions.values_list(
            "code", flat=True
        )
    )
    # the year in progress is untouched
    current = selectors.context_for(world=world).current
    assert Group.objects.filter(year=current).exists()


def test_a_rejected_group_name_is_listed_and_the_rest_goes_in(world, preparation, trainee):
    division = preparation.divisions.order_by("code").first()
    teacher = selectors.teachers_of_year(year=preparation).filter(fonction="ENS").first()
    content = small_edt_file(
        world.home.uai,
        2027,
        groups=[
            ("ESP2 G1", "ESPAGNOL LV2", [division.code], [("030602", teacher.sts_id)]),
            ("3A/ESP", "ESPAGNOL 3A", [division.code], [("030602", teacher.sts_id)]),
            ("LAT.5", "LATIN", [division.code], []),
            ("ALL2_G1", "ALLEMAND LV2", [division.code, "9Z"], []),
        ],
    )
    response = upload(trainee, world, "emp_sts.xml", content)
    exchange = Exchange.objects.get(world=world, kind="emp_sts")
    assert response["Location"] == url(world, "import_preview", exchange.pk)
    assert exchange.state == Exchange.State.DEPOSITED
    preview = trainee.get(response["Location"]).content.decode()
    assert "3A/ESP : le code « 3A/ESP » contient des caractères non autorisés (« / »)" in preview
    assert "LAT.5 : le code « LAT.5 » contient des caractères non autorisés (« . »)" in preview
    assert "division d&#x27;appartenance 9Z inconnue" in preview
    assert "Confirmer l'import" in preview
    assert not Group.objects.filter(year=preparation).exists()  # nothing until confirmed
    done = trainee.post(url(world, "import_confirm", exchange.pk), {"action": "confirmer"})
    assert done.status_code == 302
    exchange.refresh_from_db()
    assert exchange.state == Exchange.State.PROCESSED
    assert [line.split(" :")[0] for line in exchange.report["groupes rejetés"]] == [
        "3A/ESP",
        "LAT.5",
    ]
    assert exchange.report["services rejetés"] == [
        "groupe 3A/ESP : 1 service(s) non importé(s), le groupe est rejeté"
    ]
    assert sorted(Group.objects.filter(year=preparation).values_list("code", flat=True)) == [
        "ALL2_G1",
        "ESP2 G1",
    ]
    assert Service.objects.get(year=preparation).assignments.get().teacher == teacher
    report = trainee.get(url(world, "import_preview", exchange.pk)).content.decode()
    assert "Compte rendu d'import" in report and "3A/ESP" in report
    run = selectors.last_import(year=preparation)
    assert run.report["groupes rejetés"] == exchange.report["groupes rejetés"]


def test_changes_made_in_sts_since_the_last_import_are_shown_then_overwritten(
    world, preparation, trainee
):
    services.edt_deposit(
        world=world, filename="emp_sts.xml", content=edt_file_from_truth(world, 2027)
    )
    assert selectors.pending_changes(year=preparation).count() == 0
    division = preparation.divisions.order_by("code").first()
    trainee.post(
        url(world, "group_create"),
        {"code": "ATELIER", "libelle_long": "ATELIER THEATRE", "divisions": [division.pk]},
    )
    renamed = Group.objects.filter(year=preparation).exclude(code="ATELIER").first()
    trainee.post(
        url(world, "group_update"),
        {
            "id": renamed.pk,
            "code": "RENOMME",
            "libelle_long": "GROUPE RENOMME",
            "divisions": list(renamed.divisions.values_list("pk", flat=True)),
        },
    )
    assert selectors.pending_changes(year=preparation).count() == 2
    journal = trainee.get(url(world, "journal")).content.decode()
    assert "groupe ATELIER (ATELIER THEATRE) créé" in journal
    response = upload(trainee, world, "emp_sts_2.xml", edt_file_from_truth(world, 2027))
    preview = trainee.get(response["Location"]).content.decode()
    assert "qui seront perdues (2)" in preview
    assert "Création de groupe : groupe ATELIER (ATELIER THEATRE) créé" in preview
    assert f"groupe {renamed.code} ({renamed.libelle_long}) modifié en RENOMME" in preview
    exchange = Exchange.objects.filter(world=world, kind="emp_sts").latest("id")
    trainee.post(url(world, "import_confirm", exchange.pk), {"action": "confirmer"})
    exchange.refresh_from_db()
    lost = exchange.report["modifications STS écrasées"]
    assert len(lost) == 2 and "Création de groupe : groupe ATELIER" in lost[0]
    assert not Group.objects.filter(year=preparation, code__in=["ATELIER", "RENOMME"]).exists()
    assert Group.objects.filter(year=preparation, code=renamed.code).exists()
    run = EdtImport.objects.get(exchange=exchange)
    assert Change.objects.filter(overwritten_by=run).count() == 2
    assert selectors.pending_changes(year=preparation).count() == 0
    page = trainee.get(url(world, "import_preview", exchange.pk)).content.decode()
    assert "Modifications STS écrasées" in page and "ATELIER" in page


def test_cancelling_changes_nothing(world, preparation, trainee):
    before = sts_counts(world)
    response = upload(trainee, world, "emp_sts.xml", edt_file_from_truth(world, 2027))
    exchange = Exchange.objects.get(world=world, kind="emp_sts")
    trainee.post(url(world, "import_confirm", exchange.pk), {"action": "annuler"})
    exchange.refresh_from_db()
    assert exchange.state == Exchange.State.REJECTED
    assert sts_counts(world) == before
    assert (
        trainee.post(
            url(world, "import_confirm", exchange.pk), {"action": "confirmer"}, follow=True
        ).status_code
        == 200
    )
    assert sts_counts(world) == before
    assert response.status_code == 302


def junk(size: int) -> bytes:
    pattern = b"\x00\xff<<not xml at all>> &&& "
    return (pattern * (size // len(pattern) + 1))[:size]


def refusals(world):
    uai = world.home.uai
    sts_edt = b'<?xml version="1.0" encoding="ISO-8859-15"?>\n<STS_EDT><PARAMETRES/></STS_EDT>\n'
    return {
        "autre UAI": (
            small_edt_file("0131706J", 2027),
            "il concerne l'établissement 0131706J, pas " + uai,
        ),
        "autre année": (
            small_edt_file(uai, 2025),
            "il concerne l'année scolaire 2025-2026",
        ),
        "mauvaise racine": (
            sts_edt,
            "Ce fichier est un export STS-web STS_EDT, pas un fichier EDT_STS",
        ),
        "autre racine": (b"<BEE_ELEVES/>", "Racine XML inattendue : « BEE_ELEVES »"),
        "XML mal formé": (
            b'<?xml version="1.0"?>\n<EDT_STS><PARAMETRES><UAJ>x</PARAMETRES>',
            "Fichier XML mal formé",
        ),
        "vide": (b"", "Le fichier est vide."),
        "20 Mo de déchets": (junk(20 * 1024 * 1024), "Fichier XML mal formé"),
        "trop gros": (junk(20 * 1024 * 1024 + 1), "Fichier trop volumineux"),
    }


CASES = [
    "autre UAI",
    "autre année",
    "mauvaise racine",
    "autre racine",
    "XML mal formé",
    "vide",
    "20 Mo de déchets",
    "trop gros",
]


@pytest.mark.parametrize("case", CASES)
def test_refused_files_change_nothing(world, preparation, trainee, case):
    services.edt_deposit(
        world=world, filename="emp_sts.xml", content=edt_file_from_truth(world, 2027)
    )
    content, message = refusals(world)[case]
    before = sts_counts(world)
    exchanges_before = Exchange.objects.filter(world=world).count()
    with pytest.raises(ExchangeRefused) as refused:
        exchange_deposit(world=world, kind="emp_sts", filename="emp_sts.xml", content=content)
    assert message in refused.value.message
    if case != "trop gros":  # the upload form caps the size before the view reads anything
        response = upload(trainee, world, "emp_sts.xml", content)
        assert response.status_code == 302 and response["Location"] == url(world, "import")
        page = trainee.get(url(world, "import")).content.decode()
        if case == "vide":  # the upload form refuses it first, with Django's words
            message = "Le fichier soumis est vide."
        assert message.replace("'", "&#x27;") in page
    assert sts_counts(world) == before
    assert Exchange.objects.filter(world=world).count() == exchanges_before


def test_upload_over_the_cap_is_refused_by_the_form(world, preparation, trainee, settings):
    settings.ENTSIM_UPLOAD_MAX_BYTES = 1000
    before = sts_counts(world)
    upload(trainee, world, "emp_sts.xml", junk(2000))
    page = trainee.get(url(world, "import")).content.decode()
    assert "Fichier trop volumineux" in page
    assert sts_counts(world) == before


def test_command_line_import(world, preparation, tmp_path):
    path = tmp_path / "emp_sts.xml"
    path.write_bytes(edt_file_from_truth(world, 2027))
    out = io.StringIO()
    call_command("exchange_import", world.name, "emp_sts", str(path), stdout=out)
    text = out.getvalue()
    assert "emp_sts.xml : Traité" in text and "groupes importés" in text
    assert Group.objects.filter(year=preparation).exists()
    bad = tmp_path / "bad.xml"
    bad.write_bytes(small_edt_file("0131706J", 2027))
    before = sts_counts(world)
    with pytest.raises(CommandError, match="il concerne l'établissement 0131706J") as refused:
        call_command("exchange_import", world.name, "emp_sts", str(bad), stdout=io.StringIO())
    assert refused.value.returncode == 2
    assert sts_counts(world) == before


def test_file_for_a_year_sts_has_not_opened(world):
    """Before the bascule, a file of 2027 is for a year STS-web does not hold."""
    before = sts_counts(world)
    with pytest.raises(ExchangeRefused, match="que STS-web n'a pas ouverte"):
        exchange_deposit(
            world=world,
            kind="emp_sts",
            filename="emp_sts.xml",
            content=small_edt_file(world.home.uai, 2027),
        )
    assert sts_counts(world) == before


def test_the_sample_of_a_real_edt_software_is_refused_for_its_uai(world, reference_dir):
    content = (reference_dir / "samples/sts/emp_sts_case3.xml").read_bytes()
    assert emp_sts.read(content).uai == "0771991W"
    with pytest.raises(ExchangeRefused, match="il concerne l'établissement 0771991W"):
        exchange_deposit(world=world, kind="emp_sts", filename="emp_sts.xml", content=content)


def test_absurd_values_are_rejected_line_by_line(world, preparation):
    division = preparation.divisions.order_by("code").first()
    teacher = selectors.teachers_of_year(year=preparation).filter(fonction="ENS").first()

    def service(subject, hours, mod="CG"):
        return emp_sts.Service(
            code_matiere=subject,
            code_mod_cours=mod,
            heures_structure=hours,
            enseignants=(
                emp_sts.Enseignant(type="epp", id=str(teacher.sts_id), heures_agent=hours),
            ),
        )

    content = emp_sts.write(
        emp_sts.EmpSts(
            parametres=emp_sts.Parametres(uaj=world.home.uai, annee_scolaire=2027),
            donnees=emp_sts.Donnees(
                structure=emp_sts.Structure(
                    divisions=(
                        emp_sts.Division(
                            code=division.code,
                            services=(
                                service("020700", Decimal("99999")),
                                service("999999", Decimal("2")),
                                service("061300", Decimal("2"), mod="ZZ"),
                                service("061300", Decimal("3.333")),
                            ),
                        ),
                        emp_sts.Division(code="9Z", services=(service("020700", Decimal("1")),)),
                    ),
                    groupes=(
                        emp_sts.Groupe(code="G1", libelle_long="G1", effectif_prevu=-4),
                        emp_sts.Groupe(code="G1", libelle_long="G1 BIS"),
                        emp_sts.Groupe(code=division.code, libelle_long="DOUBLON"),
                        emp_sts.Groupe(code="G2", libelle_long="UN LIBELLE BIEN TROP LONG"),
                    ),
                )
            ),
        )
    )
    exchange = exchange_deposit(world=world, kind="emp_sts", filename="x.xml", content=content)
    rejected = exchange.report["services rejetés"]
    assert any("matière 020700 : nombre d'heures invalide" in line for line in rejected)
    assert any("999999 : matière inconnue de STS-web" in line for line in rejected)
    assert any("modalité de cours ZZ inconnue" in line for line in rejected)
    assert any("division 9Z, matière 020700 : division inconnue" in line for line in rejected)
    groups = exchange.report["groupes rejetés"]
    assert groups == [
        "G1 : groupe en double dans le fichier",
        f"{division.code} : ce code est déjà celui d'une division",
        "G2 : le libellé long « UN LIBELLE BIEN TROP LONG » dépasse 20 caractères (25)",
    ]
    kept = Service.objects.get(year=preparation)
    assert (kept.subject_code, kept.hours) == ("061300", Decimal("3.33"))
    assert Group.objects.get(year=preparation, code="G1").effectif_prevu is None
