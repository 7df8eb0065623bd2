"""Exportations > En XML (pupils): read back equals the data; rules third-party readers apply."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from entsim.formats import bee_eleves, bee_nomenclatures, bee_responsables, bee_structures
from entsim.formats.safe import read_zip
from entsim.models import Exchange
from entsim.services.exchanges import exchange_content, exchange_export
from siecle import exports, selectors
from siecle.models import Exportation, LienResponsable, Mef, Scolarite, Structure
from tests.siecle.readers import readers_rule_violations
from tests.siecle.siecle_world import college, shared_college, url

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from shared_college(django_db_blocker)


def unzip(exchange):
    (member,) = read_zip(exchange_content(exchange=exchange))
    return member


@pytest.mark.parametrize("kind", [exports.SANS_ADRESSES, exports.AVEC_ADRESSES])
def test_pupils_export_reads_back_equal_and_follows_the_readers_rules(kind, world):
    uai, annee = world.home.uai, world.school_year()
    doc = exports.eleves_document(
        world=world, uai=uai, annee=annee, avec_adresses=kind == exports.AVEC_ADRESSES
    )
    name, content = bee_eleves.write_zip_file(doc, avec_adresses=kind == exports.AVEC_ADRESSES)
    (member,) = read_zip(content)
    assert name == "ExportXML_" + member.name.replace(".xml", ".zip")
    assert member.content.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>')
    assert b'<BEE_ELEVES VERSION="3.0">' in member.content
    back = bee_eleves.read(member.content)
    assert back == doc
    eleves = back.donnees.eleves
    assert len(eleves) == Scolarite.objects.filter(world=world, uai=uai, annee=annee).count() > 0
    assert back.uai == uai and back.annee == annee
    ines = [e.id_national for e in eleves]
    assert all(ine and len(ine) == 11 for ine in ines) and len(set(ines)) == len(ines)
    structures = back.structures_by_eleve()
    # the world's planted fiches bloquantes are exported too, within the readers' rules
    bloquantes = {
        s.eleve.eleve_id for s in selectors.fiches_bloquantes(world=world, uai=uai, annee=annee)
    }
    assert len(bloquantes) == 2 and bloquantes <= {e.eleve_id for e in eleves}
    for eleve in eleves:
        assert eleve.code_sexe in ("1", "2") and eleve.date_naiss is not None
        if eleve.code_pays == "100":
            assert eleve.code_commune_insee_naiss and len(eleve.code_commune_insee_naiss) == 5
        if eleve.date_sortie is None:
            assert any(s.type_structure == "D" for s in structures.get(eleve.eleve_id, ()))
    assert readers_rule_violations(back, uai) == []
    if kind == exports.AVEC_ADRESSES:
        ids = {a.adresse_id for a in back.donnees.adresses}
        assert ids and all(e.adresse_id in ids for e in eleves if e.adresse_id)
    else:
        assert back.donnees.adresses is None


@pytest.mark.parametrize("kind", [exports.SANS_ADRESSES, exports.AVEC_ADRESSES])
def test_every_pupils_export_of_the_generated_world_follows_the_readers_rules(kind, world):
    """Both years SIECLE offers (en cours, en préparation), through the real export."""
    from siecle.models import Etablissement

    uai = world.home.uai
    base = Etablissement.objects.get(world=world, uai=uai)
    years = sorted({world.school_year(), base.derniere_annee})
    for annee in years:
        doc = exports.eleves_document(
            world=world, uai=uai, annee=annee, avec_adresses=kind == exports.AVEC_ADRESSES
        )
        _, content = bee_eleves.write_zip_file(doc, avec_adresses=kind == exports.AVEC_ADRESSES)
        (member,) = read_zip(content)
        back = bee_eleves.read(member.content)
        assert back.annee == annee
        assert readers_rule_violations(back, uai) == [], annee


def test_export_is_recorded_as_exchange_and_in_the_log_and_edt_reads_it():
    world = college(name="Exports SIECLE")
    exchange = exchange_export(world=world, kind=exports.SANS_ADRESSES)
    assert (exchange.source, exchange.target) == ("siecle", "edt")
    assert exchange.filename == "ExportXML_ElevesSansAdresses.zip"
    assert unzip(exchange).name == "ElevesSansAdresses.xml"
    log = Exportation.objects.get(world=world, exchange=exchange)
    assert (log.nature, log.uai, log.annee) == (
        "eleves_sans_adresses",
        world.home.uai,
        world.school_year(),
    )
    # the EDT software takes it from the exchanges
    from edt.exchanges import read_eleves

    doc = read_eleves(exchange.filename, exchange_content(exchange=exchange))
    assert doc.uai == world.home.uai


def test_page_exports_for_the_year_chosen_and_cli(client, make_member, tmp_path):
    world = college(name="Exports page")
    client.force_login(make_member(world))
    response = client.post(url("export_xml", world), {"fichier": "eleves_avec_adresses"})
    assert response.status_code == 302
    page = client.get(url("exportations", world)).content.decode()
    assert "ExportXML_ElevesAvecAdresses.zip" in page
    assert Exportation.objects.filter(world=world, nature="eleves_avec_adresses").count() == 1
    call_command("exchange_export", world.name, "eleves_sans_adresses", "--out", str(tmp_path))
    assert (tmp_path / "ExportXML_ElevesSansAdresses.zip").exists()
    assert Exchange.objects.filter(world=world, kind="eleves_sans_adresses").count() == 1


def test_responsables_nomenclature_structures_read_back_equal(world):
    uai, annee = world.home.uai, world.school_year()
    responsables = exports.responsables_document(world=world, uai=uai, annee=annee)
    assert bee_responsables.read(bee_responsables.write(responsables)) == responsables
    ids = {p.personne_id for p in responsables.donnees.personnes}
    assert ids and all(r.personne_id in ids for r in responsables.donnees.responsables)
    adresses = {a.adresse_id for a in responsables.donnees.adresses}
    assert all(p.adresse_id in adresses for p in responsables.donnees.personnes if p.adresse_id)
    assert (
        len(responsables.donnees.responsables)
        == LienResponsable.objects.filter(
            world=world, uai=uai, eleve__scolarites__annee=annee
        ).count()
    )
    nomenclature = exports.nomenclature_document(world=world, uai=uai, annee=annee)
    assert bee_nomenclatures.read(bee_nomenclatures.write(nomenclature)) == nomenclature
    assert len(nomenclature.donnees.mefs) == Mef.objects.filter(world=world, uai=uai).count() > 0
    structures = exports.structures_document(world=world, uai=uai, annee=annee)
    assert bee_structures.read(bee_structures.write(structures)) == structures
    divisions = Structure.objects.filter(world=world, uai=uai, annee=annee, type="D")
    assert {d.code_structure for d in structures.donnees.divisions} == {d.code for d in divisions}


@pytest.mark.parametrize(
    ("kind", "xml", "root", "target"),
    [
        (
            "responsables_avec_adresses",
            "ResponsablesAvecAdresses.xml",
            b'BEE_RESPONSABLES VERSION="2.1"',
            "entsim",
        ),
        ("nomenclature", "Nomenclature.xml", b'BEE_NOMENCLATURES VERSION="3.1"', "edt"),
        ("structures", "Structures.xml", b'BEE_STRUCTURES VERSION="2.0"', "edt"),
    ],
)
def test_other_exports_by_cli(kind, xml, root, target, tmp_path):
    world = college(name=f"Export {kind}")
    call_command("exchange_export", world.name, kind, "--out", str(tmp_path))
    exchange = Exchange.objects.get(world=world, kind=kind)
    assert (exchange.source, exchange.target) == ("siecle", target)
    assert exchange.filename == f"ExportXML_{xml[:-4]}.zip"
    assert (tmp_path / exchange.filename).exists()
    member = unzip(exchange)
    assert member.name == xml and root in member.content.splitlines()[1]
    assert Exportation.objects.get(world=world, exchange=exchange).nature == kind
    # a non-pupils export does not open the links import (check 5)
    assert not Exportation.objects.filter(
        world=world, nature__in=("eleves_sans_adresses", "eleves_avec_adresses")
    ).exists()
