"""EDT exports (E5): the return file to STS-web, and the links file for SIECLE in SPR mode."""

from __future__ import annotations

import datetime as dt
import html
import io
import zipfile

import pytest
from django.urls import reverse
from lxml import etree

from edt import services
from edt.models import Base, Division, Eleve, Enseignant, Groupe, Matiere, Service
from entsim.formats import elegroupe, emp_sts
from entsim.models import Exchange
from entsim.registry import ExchangeRefused
from entsim.services.exchanges import exchange_content
from tests.edt import edt_data
from tests.edt.edt_data import ESP2, FRANCAIS, UAI

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_world):
    world = make_world()
    edt_data.load(world)
    return world


@pytest.fixture(scope="module")
def reference_schema(reference_dir):
    return etree.XMLSchema(
        etree.parse(str(reference_dir / "specs/schema_Import_EleGroupes_1.4.xsd"))
    )


def unzip(content: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


# --- EDT_STS ----------------------------------------------------------------------------------


def test_emp_sts_export_sends_what_is_matched(world):
    a3 = Division.objects.get(world=world, code="3A")
    francais = Service.objects.get(world=world, division=a3, matiere__sts_code=FRANCAIS)
    services.cours_create(
        world=world,
        service=francais,
        jour=1,
        heure_debut=dt.time(8, 30),
        duree=60,
        salle_code="B12",
    )
    services.cours_create(
        world=world, service=francais, jour=4, heure_debut=dt.time(14), duree=90, salle_code="B12"
    )
    # Made in the software: a group with a name STS-web refuses, a teacher unknown to STS-web.
    bad = services.groupe_create(world=world, code="3°LAT", divisions=[a3])
    stranger = Enseignant.objects.create(world=world, nom="INCONNU", prenom="Ivan")
    services.service_create(
        world=world,
        matiere=Matiere.objects.get(world=world, sts_code=FRANCAIS),
        mod_cours="CG",
        division=None,
        groupe=bad,
        enseignant=stranger,
        heures=None,
    )
    exchange = services.emp_sts_export(world=world)
    assert (exchange.kind, exchange.source, exchange.target) == ("emp_sts", "edt", "sts")
    assert exchange.filename == "emp_sts_0130001E_2027.xml"
    doc = emp_sts.read(exchange_content(exchange=exchange))
    assert (doc.uai, doc.annee, doc.parametres.application_source) == (UAI, 2027, "EDITEUR_PRIVE")
    divisions = {d.code: d for d in doc.donnees.structure.divisions}
    assert sorted(divisions) == ["3A", "3B", "4A"]
    service = next(s for s in divisions["3A"].services if s.code_matiere == FRANCAIS)
    assert service.heures_structure == 2.5 and service.code_mod_cours == "CG"
    (teacher,) = service.enseignants
    assert teacher.id == "1001" and teacher.heures_agent == 2.5
    assert [(c.jour, c.heure_debut, c.duree, c.code_salle) for c in teacher.cours_rattaches] == [
        (1, dt.time(8, 30), dt.timedelta(hours=1), "B12"),
        (4, dt.time(14), dt.timedelta(minutes=90), "B12"),
    ]
    groupes = {g.code: g for g in doc.donnees.structure.groupes}
    assert [d.code for d in groupes["3ESP1"].divisions_appartenance] == ["3A", "3B"]
    assert groupes["3ESP1"].services[0].code_matiere == ESP2
    assert groupes["3°LAT"].services[0].enseignants == ()  # sent as named: STS-web judges
    assert [i.id for i in doc.donnees.individus] == ["1001", "1002", "1003"]
    assert [s.code for s in doc.donnees.salles_cours] == ["B12"]
    assert doc.donnees.horaires[0].debut_cours == dt.time(8, 30)
    assert exchange.report["enseignants_non_envoyes"] == ["INCONNU Ivan"]
    assert len(doc.donnees.alternances[0].semaines) == 43  # school weeks, September to June


def test_emp_sts_export_needs_an_sts_import_first(make_world):
    world = make_world()
    with pytest.raises(ExchangeRefused, match="Aucun fichier STS-web"):
        services.emp_sts_export(world=world)


# --- ELEGROUPE --------------------------------------------------------------------------------


def _links(world):
    groupe = Groupe.objects.get(world=world, code="3ESP1")
    services.groupe_option_add(
        world=world,
        groupe=groupe,
        divisions=Division.objects.filter(world=world, code__in=["3A", "3B"]),
        code_matiere=ESP2,
    )
    tricky = services.groupe_create(world=world, code="3°ESP B")
    services.groupe_eleves_add(
        world=world,
        groupe=tricky,
        eleves=Eleve.objects.filter(world=world, siecle_id__in=[501, 510]),
    )


def test_links_file_is_valid_and_well_named(world, reference_schema):
    _links(world)
    # Hard cases: characters ISO-8859-15 lacks, a name at the 100-character limit, a leaver.
    Eleve.objects.filter(world=world, siecle_id=501).update(
        nom="ŁUKASIEWICZ-" + "X" * 88, prenom2="Zoë", date_sortie=dt.date(2027, 10, 15)
    )
    Eleve.objects.filter(world=world, siecle_id=502).update(actif=False)
    exchange = services.elegroupe_export(world=world, supervisor=True)
    assert (exchange.kind, exchange.source, exchange.target) == ("elegroupe", "edt", "siecle")
    assert exchange.filename == "0130001EELEGROUPE2027270614080000.zip"
    ((inner, xml),) = unzip(exchange_content(exchange=exchange))
    assert inner == "0130001EELEGROUPE2027270614080000.xml"
    assert elegroupe.parse_filename(inner) == elegroupe.FileName(
        uai=UAI, annee=2027, horodatage=dt.datetime(2027, 6, 14, 8, 0)
    )
    assert elegroupe.validate(xml) == []
    assert elegroupe.validate(xml, reference_schema) == []
    name, doc = elegroupe.deposit_check(
        exchange.filename, exchange_content(exchange=exchange), annee=2027
    )
    assert name == inner
    assert doc.parametres.date_import == dt.date(2027, 6, 14) and doc.parametres.num_envoi == 1
    by_id = {e.eleve_id: e for e in doc.donnees.eleves}
    assert sorted(by_id) == [501, 503, 506, 507, 510]  # 502 is no longer in SIECLE's export
    assert all(e.id_national is None and e.id_prv_ele is None for e in by_id.values())
    first = by_id[501]
    assert first.nom_de_famille.startswith("?UKASIEWICZ-") and len(first.nom_de_famille) == 100
    assert [g.code_groupe for g in first.groupes] == ["3ESP1", "3°ESP B"]
    assert first.groupes[0].date_fin_groupe == dt.date(2027, 10, 15)
    assert exchange.report == {"eleves": 5, "liens": 6, "num_envoi": 1}
    again = services.elegroupe_export(world=world, supervisor=True)
    assert elegroupe.read(unzip(exchange_content(exchange=again))[0][1]).parametres.num_envoi == 2


def test_links_file_only_in_supervisor_mode(client, world, make_member):
    _links(world)
    client.force_login(make_member(world))
    response = client.post(reverse("edt:export_siecle", args=[world.slug]), follow=True)
    assert "se placer dans EDT en SPR" in html.unescape(response.content.decode())
    assert not Exchange.objects.filter(world=world, kind="elegroupe").exists()
    page = html.unescape(client.get(reverse("edt:exports", args=[world.slug])).content.decode())
    assert "Réservé au mode superviseur" in page and "Exporter les liens" not in page
    client.post(reverse("edt:spr_mode", args=[world.slug]), {"spr": "1", "retour": "exports"})
    assert Base.objects.get(world=world).spr
    page = html.unescape(client.get(reverse("edt:exports", args=[world.slug])).content.decode())
    assert "Exporter les liens élèves-groupes" in page
    response = client.post(reverse("edt:export_siecle", args=[world.slug]), follow=True)
    exchange = Exchange.objects.get(world=world, kind="elegroupe")
    assert exchange.filename in html.unescape(response.content.decode())
    download = client.get(reverse("exchange_download", args=[world.slug, exchange.pk]))
    assert b"".join(download.streaming_content) == exchange_content(exchange=exchange)
    client.post(reverse("edt:spr_mode", args=[world.slug]), {"spr": "0"})
    with pytest.raises(ExchangeRefused, match="mode superviseur"):
        services.elegroupe_export(world=world, user=make_member(world))


def test_no_links_no_file(world):
    with pytest.raises(ExchangeRefused, match="Aucun élève n'est inscrit dans un groupe"):
        services.elegroupe_export(world=world, supervisor=True)
    assert not Exchange.objects.filter(world=world, kind="elegroupe").exists()


def test_export_pages_report_their_files(client, world, make_member):
    client.force_login(make_member(world))
    response = client.post(reverse("edt:export_sts", args=[world.slug]), follow=True)
    page = html.unescape(response.content.decode())
    assert "fichier emp_sts_0130001E_2027.xml prêt" in page
    assert (
        reverse("exchange_download", args=[world.slug, Exchange.objects.get(kind="emp_sts").pk])
        in page
    )
