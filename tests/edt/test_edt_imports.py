"""EDT imports (E1, E3): real samples, matching screen, re-imports, refusals that change nothing."""

from __future__ import annotations

import datetime as dt
import html
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from edt import selectors, services
from edt.models import Appartenance, Correspondance, Division, Eleve, Enseignant, Groupe, Matiere
from entsim.formats import emp_sts
from entsim.models import Exchange
from entsim.registry import ExchangeRefused
from entsim.services.exchanges import exchange_content, exchange_record
from entsim.timeline import PARIS
from tests.edt import edt_data
from tests.edt.edt_data import ESP2, UAI, bee_bytes, bee_doc, sts_bytes, sts_doc, zip_of

pytestmark = pytest.mark.django_db

STS_SAMPLE = "samples/sts/sts_emp_case3.xml"
EMP_SAMPLE = "samples/sts/emp_sts_case3.xml"
BEE_SAMPLE = "samples/siecle/eleves_avec_adresse_avec_double_structure.xml"


def edt_counts() -> dict[str, int]:
    """Rows of every EDT table, and the exchanges (a refused file leaves them all alike)."""
    counts = {m.__name__: m.objects.count() for m in apps.get_app_config("edt").get_models()}
    counts["Exchange"] = Exchange.objects.count()
    return counts


# --- The real samples -------------------------------------------------------------------------


def test_real_sts_sample_imports(make_world, reference_dir):
    world = make_world(uai="0771991W", start=dt.datetime(2018, 6, 14, 8, 0, tzinfo=PARIS))
    content = (reference_dir / STS_SAMPLE).read_bytes()
    importation = services.sts_file_import(
        world=world, filename="sts_emp_0771991W_2018.xml", content=content
    )
    base = selectors.base_for(world=world)
    assert (base.uai, base.annee, base.date_debut) == ("0771991W", 2018, dt.date(2018, 9, 1))
    assert base.denomination == "CLG COLLEGE LOUIS ARAGON"
    division = Division.objects.get(world=world)
    assert (division.code, division.sts_code, division.libelle) == ("3A", "3A", "3EMEA")
    assert division.mefs == ["10310019110"] and division.effectif_prevu == 28
    teacher = Enseignant.objects.get(world=world)
    assert (teacher.sts_id, teacher.nom, teacher.prenom, teacher.civilite) == (
        "69881",
        "DOE",
        "Jane",
        "MME",
    )
    assert teacher.nom_patronymique == "BOUILLON" and teacher.discipline == "LET MODERN"
    assert Matiere.objects.get(world=world).sts_code == "020700"
    assert importation.report["correspondances_a_etablir"] == 0
    assert importation.exchange.state == Exchange.State.PROCESSED


def test_real_bee_sample_imports_with_its_double_structure(make_world, reference_dir):
    world = make_world(uai="0660864F", start=dt.datetime(2019, 8, 29, 10, 0, tzinfo=PARIS))
    content = (reference_dir / BEE_SAMPLE).read_bytes()
    importation = services.eleves_file_import(
        world=world,
        kind="eleves_avec_adresses",
        filename="ElevesAvecAdresses.xml",
        content=content,
        avec_groupes=True,
    )
    pupil = Eleve.objects.get(world=world)
    assert (pupil.siecle_id, pupil.ine, pupil.nom, pupil.prenom) == (
        1541944,
        "070876696HA",
        "ESCAGLIA",
        "Jeanine",
    )
    assert pupil.date_naissance == dt.date(2002, 6, 21) and pupil.code_mef == "10310019110"
    assert pupil.division.code == "301" and pupil.division.sts_code == ""  # known to SIECLE only
    assert [(o.num_option, o.modalite, o.code_matiere) for o in pupil.options.all()] == [
        (1, "O", "030201"),
        (2, "O", "030602"),
        (3, "F", "020300"),
    ]
    assert importation.report["divisions_creees"] == ["301"]
    assert importation.report["groupes_inconnus"] == ["_301P1"]  # no such group in the EDT
    assert selectors.base_for(world=world).annee == 2019


def test_the_return_sample_is_refused_as_an_sts_file(make_world, reference_dir):
    world = make_world(uai="0771991W", start=dt.datetime(2018, 6, 14, 8, 0, tzinfo=PARIS))
    before = edt_counts()
    with pytest.raises(ExchangeRefused, match="EDT_STS") as refused:
        services.sts_file_import(
            world=world,
            filename="emp_sts.xml",
            content=(reference_dir / EMP_SAMPLE).read_bytes(),
        )
    assert refused.value.message.startswith("Fichier STS-web refusé")
    assert edt_counts() == before


# --- STS-web file: first import, re-import, matching -------------------------------------------


def test_first_import_builds_the_base(make_world):
    world = make_world()
    importation = services.sts_import(world=world, doc=sts_doc(), filename="f.xml")
    report = importation.report
    assert report["division"] == {
        "appariees": 0,
        "creees": 3,
        "a_etablir": 0,
        "non_appariees_edt": 0,
    }
    assert report["enseignant"]["creees"] == 3  # the head (DIR) is not a teacher
    assert report["groupes_crees"] == 1 and report["services_crees"] == 7
    groupe = Groupe.objects.get(world=world, code="3ESP1")
    assert sorted(d.code for d in groupe.divisions.all()) == ["3A", "3B"]
    assert groupe.origine == Groupe.Origine.STS
    assert selectors.counts(world=world) == {
        "eleves": 0,
        "enseignants": 3,
        "divisions": 3,
        "groupes": 1,
        "liens": 0,
    }


def test_reimport_of_the_same_file_changes_nothing(make_world):
    world = make_world()
    services.sts_import(world=world, doc=sts_doc(), filename="f.xml")
    before = {k: v for k, v in edt_counts().items() if k != "Importation"}
    report = services.sts_import(world=world, doc=sts_doc(), filename="f.xml").report
    assert report["division"]["appariees"] == 3 and report["services_crees"] == 0
    assert report["services_deja_presents"] == 7
    assert {k: v for k, v in edt_counts().items() if k != "Importation"} == before


def test_renamed_division_waits_for_its_correspondence(make_world):
    world = make_world()
    edt_data.load(world)
    groupe = Groupe.objects.get(world=world, code="3ESP1")
    a3 = Division.objects.get(world=world, code="3A")
    services.groupe_division_add(world=world, groupe=groupe, division=a3)
    # A new year's file: 3A is now called 3EA in STS-web.
    report = services.sts_import(
        world=world, doc=sts_doc(divisions=("3EA", "3B", "4A")), filename="g.xml"
    ).report
    assert report["division"] == {
        "appariees": 2,
        "creees": 0,
        "a_etablir": 1,
        "non_appariees_edt": 1,
    }
    pending = Correspondance.objects.get(world=world)
    assert (pending.kind, pending.sts_code) == ("division", "3EA")
    a3.refresh_from_db()
    assert (a3.sts_code, a3.ancien_sts_code) == ("", "3A")
    assert "3A" in report["services_non_importes_detail"][0] or report["services_non_importes"]
    # Unmatched: not sent back to STS-web.
    base = services._export_base(world)
    doc, out = services.exchanges.emp_sts_document(selectors.export_data(world=world, base=base))
    assert [d.code for d in doc.donnees.structure.divisions] == ["3B", "4A"]
    assert out["divisions_non_envoyes"] == ["3A"]
    # The user says 3EA is the software's 3A: the link comes back, groups and pupils stay.
    done = services.correspondances_etablir(world=world, choix={pending.pk: str(a3.pk)})
    assert done["appariees"] == 1
    a3.refresh_from_db()
    assert (a3.code, a3.sts_code) == ("3A", "3EA")
    assert not Correspondance.objects.filter(world=world).exists()
    assert Appartenance.objects.filter(groupe=groupe).count() == 5
    doc, out = services.exchanges.emp_sts_document(selectors.export_data(world=world, base=base))
    assert [d.code for d in doc.donnees.structure.divisions] == ["3EA", "3B", "4A"]
    assert "divisions_non_envoyes" not in out


def test_new_teacher_created_or_left_aside_on_the_matching_screen(make_world):
    world = make_world()
    edt_data.load(world, with_pupils=False)
    people = (
        ("1001", "DURAND", "Alice", "ENS"),
        ("1003", "GARCIA", "Lucia", "ENS"),
        ("1005", "NOUVEAU", "Jean", "ENS"),
    )
    report = services.sts_import(world=world, doc=sts_doc(people=people), filename="g.xml").report
    assert report["enseignant"]["a_etablir"] == 1  # MARTIN left STS, NOUVEAU arrived: ask
    pending = Correspondance.objects.get(world=world, kind="enseignant")
    services.correspondances_etablir(world=world, choix={pending.pk: services.IGNORE})
    pending.refresh_from_db()
    assert pending.ignoree
    services.correspondances_etablir(world=world, choix={pending.pk: services.CREATE})
    nouveau = Enseignant.objects.get(world=world, sts_id="1005")
    assert (nouveau.nom, nouveau.prenom) == ("NOUVEAU", "Jean")
    assert Enseignant.objects.get(world=world, nom="MARTIN").sts_id == ""


def test_matching_an_object_twice_is_refused(make_world):
    world = make_world()
    edt_data.load(world, with_pupils=False)
    services.sts_import(world=world, doc=sts_doc(divisions=("3EA", "3EB", "4A")), filename="g.xml")
    rows = list(Correspondance.objects.filter(world=world).order_by("sts_code"))
    a3 = Division.objects.get(world=world, code="3A")
    with pytest.raises(services.EdtError, match="choisi pour deux"):
        services.correspondances_etablir(world=world, choix={r.pk: str(a3.pk) for r in rows})
    assert Correspondance.objects.filter(world=world).count() == 2


def test_subject_created_by_hand_is_recognised_by_name(make_world):
    world = make_world()
    Matiere.objects.create(world=world, libelle="Espagnol LV2")
    report = services.sts_import(world=world, doc=sts_doc(), filename="f.xml").report
    assert report["matiere"] == {
        "appariees": 1,
        "creees": 3,
        "a_etablir": 0,
        "non_appariees_edt": 0,
    }
    assert Matiere.objects.get(world=world, libelle="Espagnol LV2").sts_code == ESP2


# --- Pupils -----------------------------------------------------------------------------------


def test_pupils_reimport_updates_and_keeps_group_memberships(make_world):
    world = make_world()
    edt_data.load(world)
    groupe = Groupe.objects.get(world=world, code="3ESP1")
    a3 = Division.objects.get(world=world, code="3A")
    services.groupe_option_add(world=world, groupe=groupe, divisions=[a3], code_matiere=ESP2)
    assert Appartenance.objects.filter(groupe=groupe).count() == 3
    pupils = list(edt_data.PUPILS)
    pupils[0] = (501, "070000001AA", "ABADIE-ROUX", "Léa", "3B", ESP2)  # renamed, moved
    del pupils[1]  # 502 left
    pupils.append((513, "070000013AA", "MOREL", "Adam", "3A", ESP2))  # arrived
    report = services.eleves_import(
        world=world, doc=bee_doc(pupils=tuple(pupils)), filename="again.xml"
    ).report
    assert (report["nouveaux"], report["mis_a_jour"], report["absents_du_fichier"]) == (1, 11, 1)
    moved = Eleve.objects.get(world=world, siecle_id=501)
    assert (moved.nom, moved.division.code) == ("ABADIE-ROUX", "3B")
    gone = Eleve.objects.get(world=world, siecle_id=502)
    assert not gone.actif
    assert set(
        Appartenance.objects.filter(groupe=groupe).values_list("eleve__siecle_id", flat=True)
    ) == {501, 502, 503}
    assert selectors.counts(world=world)["liens"] == 2  # the absent pupil's link is kept aside


def test_pupils_with_siecle_groups_when_asked(make_world):
    world = make_world()
    edt_data.load(world, with_pupils=False)
    doc = bee_doc(groups={501: ("3ESP1", "INCONNU")})
    report = services.eleves_import(world=world, doc=doc, filename="e.xml").report
    assert "liens_groupes_repris" not in report
    report = services.eleves_import(
        world=world, doc=doc, filename="e.xml", avec_groupes=True
    ).report
    assert report["liens_groupes_repris"] == 1 and report["groupes_inconnus"] == ["INCONNU"]


@pytest.mark.parametrize(
    ("doc_kwargs", "message"),
    [
        ({"uai": "0130002F"}, "concerne l'établissement 0130002F"),
        ({"year": 2018}, "ni l'année en cours"),
    ],
)
def test_pupils_of_another_school_or_year_are_refused(make_world, doc_kwargs, message):
    world = make_world()
    before = edt_counts()
    with pytest.raises(ExchangeRefused, match=message):
        services.eleves_import(world=world, doc=bee_doc(**doc_kwargs), filename="e.xml")
    assert edt_counts() == before


def test_pupils_year_must_be_the_base_year(make_world):
    world = make_world()
    edt_data.load(world, with_pupils=False)
    with pytest.raises(ExchangeRefused, match="différente de l'année de la base EDT"):
        services.eleves_import(world=world, doc=bee_doc(year=2026), filename="e.xml")


def test_duplicate_ine_is_refused(make_world):
    world = make_world()
    pupils = (*edt_data.PUPILS, (599, "070000001AA", "DOUBLON", "Léa", "3A", ESP2))
    with pytest.raises(ExchangeRefused, match="INE 070000001AA y figure deux fois"):
        services.eleves_import(world=world, doc=bee_doc(pupils=pupils), filename="e.xml")
    assert Eleve.objects.count() == 0


# --- Uploads through the pages: refusals change nothing ---------------------------------------


def _bomb() -> bytes:
    return zip_of(("ElevesSansAdresses.xml", b"<BEE_ELEVES>" + b" " * 3_000_000 + b"</BEE_ELEVES>"))


BAD_UPLOADS = [
    ("import_sts_run", "sts.xml", sts_bytes(uai="0130002F"), "concerne l'établissement 0130002F"),
    ("import_sts_run", "sts.xml", sts_bytes(year=2019), "(2019-2020) différente de l'année"),
    ("import_sts_run", "sts.xml", bee_bytes(), "Racine XML inattendue : « BEE_ELEVES »"),
    ("import_sts_run", "sts.xml", b"<STS_EDT><PARAMETRES>", "Fichier XML mal formé"),
    ("import_sts_run", "sts.zip", zip_of(("a.xml", sts_bytes()), ("b.xml", b"<x/>")), "2 fichiers"),
    ("import_eleves_run", "e.xml", sts_bytes(), "pas l'export des élèves de SIECLE"),
    ("import_eleves_run", "e.xml", bee_bytes(uai="0130002F"), "l'établissement 0130002F"),
    ("import_eleves_run", "e.xml", bee_bytes(year=2030), "(2030-2031) différente de l'année"),
    ("import_eleves_run", "e.xml", bee_bytes()[:-40], "Fichier XML mal formé"),
    ("import_eleves_run", "ExportXML_ElevesSansAdresses.zip", _bomb(), "anormalement compressé"),
    (
        "import_eleves_run",
        "ExportXML_ElevesSansAdresses.zip",
        zip_of(("ElevesSansAdresses.xml", bee_bytes()), ("Autre.xml", bee_bytes())),
        "un seul est attendu",
    ),
    ("import_eleves_run", "e.xml", b"", "The submitted file is empty"),
]


@pytest.mark.parametrize(
    ("route", "name", "content", "message"),
    BAD_UPLOADS,
    ids=[f"{route}-{message[:30]}" for route, _, _, message in BAD_UPLOADS],
)
def test_bad_upload_is_refused_with_a_french_message(
    client, make_world, make_member, route, name, content, message
):
    world = make_world()
    edt_data.load(world)
    client.force_login(make_member(world))
    before = edt_counts()
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(reverse(f"edt:{route}", args=[world.slug]), {"file": upload})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    if message != "The submitted file is empty":
        assert message in page, page[page.find("fr-alert--error") :][:600]
    assert "fr-alert--error" in page
    assert edt_counts() == before


def test_oversized_upload_is_refused_before_reading(client, make_world, make_member, settings):
    world = make_world()
    client.force_login(make_member(world))
    settings.ENTSIM_UPLOAD_MAX_BYTES = 1000
    before = edt_counts()
    upload = io.BytesIO(sts_bytes())
    upload.name = "sts.xml"
    response = client.post(reverse("edt:import_sts_run", args=[world.slug]), {"file": upload})
    assert "Fichier trop volumineux" in html.unescape(response.content.decode())
    assert edt_counts() == before


def test_good_uploads_through_the_pages(client, make_world, make_member):
    world = make_world()
    client.force_login(make_member(world))
    upload = io.BytesIO(sts_bytes())
    upload.name = "sts_emp_0130001E_2027.xml"
    response = client.post(
        reverse("edt:import_sts_run", args=[world.slug]), {"file": upload}, follow=True
    )
    assert "sts_emp_0130001E_2027.xml importé (2027-2028)" in html.unescape(
        response.content.decode()
    )
    upload = io.BytesIO(edt_data.bee_zip())
    upload.name = "ExportXML_ElevesSansAdresses.zip"
    response = client.post(
        reverse("edt:import_eleves_run", args=[world.slug]), {"file": upload}, follow=True
    )
    assert "12 élèves (12 nouveaux" in html.unescape(response.content.decode())
    kinds = list(Exchange.objects.filter(world=world).values_list("kind", "state"))
    assert sorted(kinds) == [
        ("eleves_sans_adresses", Exchange.State.PROCESSED),
        ("sts_emp", Exchange.State.PROCESSED),
    ]


def test_import_from_the_world_exchanges(client, make_world, make_member):
    world = make_world()
    client.force_login(make_member(world))
    bad = exchange_record(
        world=world,
        kind="sts_emp",
        source="sts",
        target="edt",
        filename="sts_emp_0130002F_2027.xml",
        content=sts_bytes(uai="0130002F"),
    )
    url = reverse("edt:import_sts_run", args=[world.slug])
    page = html.unescape(client.post(url, {"source": "echange"}).content.decode())
    assert "concerne l'établissement 0130002F" in page
    bad.refresh_from_db()
    assert bad.state == Exchange.State.REJECTED and Division.objects.count() == 0
    good = exchange_record(
        world=world,
        kind="sts_emp",
        source="sts",
        target="edt",
        filename="sts_emp_0130001E_2027.xml",
        content=sts_bytes(),
    )
    response = client.post(url, {"source": "echange"})
    assert response.status_code == 302
    good.refresh_from_db()
    assert good.state == Exchange.State.PROCESSED and good.report["annee"] == "2027-2028"
    assert Division.objects.filter(world=world).count() == 3
    exchange_record(
        world=world,
        kind="eleves_sans_adresses",
        source="siecle",
        target="edt",
        filename="ExportXML_ElevesSansAdresses.zip",
        content=edt_data.bee_zip(),
    )
    client.post(reverse("edt:import_eleves_run", args=[world.slug]), {"source": "echange"})
    assert Eleve.objects.filter(world=world).count() == 12


# --- Command line -----------------------------------------------------------------------------


def test_command_line_import_and_export(make_world, tmp_path):
    world = make_world()
    sts = tmp_path / "sts_emp_0130001E_2027.xml"
    sts.write_bytes(sts_bytes())
    out = io.StringIO()
    call_command("exchange_import", world.name, "sts_emp", str(sts), stdout=out)
    assert "Traité" in out.getvalue()
    eleves = tmp_path / "ExportXML_ElevesSansAdresses.zip"
    eleves.write_bytes(edt_data.bee_zip())
    call_command("exchange_import", world.name, "eleves_sans_adresses", str(eleves), stdout=out)
    assert Eleve.objects.filter(world=world).count() == 12
    services.groupe_option_add(
        world=world,
        groupe=Groupe.objects.get(world=world, code="3ESP1"),
        divisions=Division.objects.filter(world=world, code__in=["3A", "3B"]),
        code_matiere=ESP2,
    )
    out = io.StringIO()
    call_command("exchange_export", world.name, "emp_sts", "--out", str(tmp_path), stdout=out)
    path = out.getvalue().strip()
    assert path.endswith("emp_sts_0130001E_2027.xml")
    assert emp_sts.read(open(path, "rb").read()).uai == UAI  # noqa: SIM115
    out = io.StringIO()
    call_command("exchange_export", world.name, "elegroupe", "--out", str(tmp_path), stdout=out)
    assert out.getvalue().strip().endswith(".zip")
    bad = tmp_path / "mauvais.xml"
    bad.write_bytes(sts_bytes(uai="0130002F"))
    before = edt_counts()
    with pytest.raises(CommandError, match="0130002F") as refused:
        call_command("exchange_import", world.name, "sts_emp", str(bad), stdout=io.StringIO())
    assert refused.value.returncode == 2
    assert edt_counts() == before
    exchange = Exchange.objects.filter(world=world, kind="emp_sts").get()
    assert exchange_content(exchange=exchange).startswith(b'<?xml version="1.0" encoding="ISO')
