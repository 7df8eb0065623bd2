"""STS-web → BEE: the structure export reaches the base at the next quarter hour (guide 2.4)."""

from __future__ import annotations

import datetime as dt

import pytest

from entsim import nomenclatures as nom
from entsim import registry, timeline
from entsim.formats import sts_emp
from entsim.models import Exchange, Job
from entsim.services.exchanges import exchange_export, exchange_record, exchange_schedule_delivery
from entsim.services.jobs import job_execute
from siecle import selectors
from siecle.models import Structure
from tests.siecle.siecle_world import college

pytestmark = pytest.mark.django_db


def structure_file(uai: str, annee: int) -> bytes:
    division = sts_emp.Division(
        code="5A",
        libelle_long="5EME A",
        mefs_appartenance=(sts_emp.MefAppartenance(code=nom.MEF_5EME),),
    )
    other = sts_emp.Division(
        code="5B",
        libelle_long="5EME B",
        mefs_appartenance=(sts_emp.MefAppartenance(code=nom.MEF_5EME),),
    )
    groupe = sts_emp.Groupe(
        code="5ESP2",
        libelle_long="5 ESPAGNOL",
        divisions_appartenance=(
            sts_emp.DivisionAppartenance(code="5A"),
            sts_emp.DivisionAppartenance(code="5B"),
        ),
        mefs_appartenance=(sts_emp.MefAppartenance(code=nom.MEF_5EME),),
    )
    document = sts_emp.StsEmp(
        parametres=sts_emp.Parametres(
            uaj=sts_emp.Uaj(code=uai),
            annee_scolaire=sts_emp.AnneeScolaire(
                annee=annee, date_debut=dt.date(annee, 9, 1), date_fin=dt.date(annee + 1, 8, 31)
            ),
        ),
        nomenclatures=sts_emp.Nomenclatures(),
        donnees=sts_emp.Donnees(
            structure=sts_emp.Structure(divisions=(division, other), groupes=(groupe,))
        ),
    )
    return sts_emp.write(document)


def deliver(world, content: bytes, kind: str = "sts_structure") -> tuple[Exchange, Job]:
    exchange = exchange_record(
        world=world, kind=kind, source="sts", target="siecle", filename="s.xml", content=content
    )
    job = exchange_schedule_delivery(
        exchange=exchange,
        job_kind=timeline.STS_TO_BEE,
        due_at=timeline.next_quarter_hour(world.now()),
    )
    job = job_execute(job_id=job.pk)
    assert job.state == Job.State.DONE, job.error
    exchange.refresh_from_db()
    return exchange, job


def test_structure_of_the_year_in_preparation_arrives_annule_et_remplace():
    world = college()
    home = world.home.uai
    assert registry.job_kind(timeline.STS_TO_BEE).system == "siecle"
    exchange, job = deliver(world, structure_file(home, 2027))
    assert exchange.state == Exchange.State.PROCESSED
    assert job.report == {"année": "2027-2028", "divisions": 2, "groupes": 1}
    assert (
        exchange.processed_at
        == job.due_at
        == dt.datetime(2027, 6, 14, 8, 15, tzinfo=timeline.PARIS)
    )
    divisions = selectors.divisions(world=world, uai=home, annee=2027)
    assert [(d.code, d.mefs) for d in divisions] == [("5A", [nom.MEF_5EME]), ("5B", [nom.MEF_5EME])]
    groupe = selectors.groupes(world=world, uai=home, annee=2027)[0]
    assert (groupe.code, groupe.divisions, groupe.type) == ("5ESP2", ["5A", "5B"], "G")
    # the year in progress keeps its own structure
    assert Structure.objects.filter(world=world, uai=home, annee=2026).count() == 20
    # a new export replaces the whole structure of the year
    deliver(world, structure_file(home, 2027).replace(b'CODE="5B"', b'CODE="5C"'))
    assert [d.code for d in selectors.divisions(world=world, uai=home, annee=2027)] == ["5A", "5C"]


def test_bad_files_are_rejected_with_a_french_message():
    world = college()
    exchange, job = deliver(world, b"<pas du xml")
    assert exchange.state == Exchange.State.REJECTED
    assert job.report["refus"].startswith("Fichier illisible")
    exchange, _ = deliver(world, structure_file("0999999A", 2027))
    assert exchange.report == {"refus": "Aucune base élèves pour l'établissement 0999999A."}
    exchange, _ = deliver(world, structure_file(world.home.uai, 2031))
    assert "n'est pas ouverte dans la base élèves" in exchange.report["refus"]
    assert not Structure.objects.filter(world=world, annee__in=(2027, 2031)).exists()
    # the services file is acknowledged; it does not touch the structure
    exchange, job = deliver(world, structure_file(world.home.uai, 2027), kind="sts_services")
    assert exchange.state == Exchange.State.PROCESSED
    assert job.report == {"année": "2027-2028", "enseignants": 0, "services": 0}
    assert not Structure.objects.filter(world=world, annee=2027).exists()


def test_the_sts_export_reaches_the_base():
    """Through STS-web's own export (the registry), as the command line does it."""
    world = college()
    exchange = exchange_export(world=world, kind="sts_structure")
    job = Job.objects.get(world=world, kind=timeline.STS_TO_BEE, params__exchange_id=exchange.pk)
    job = job_execute(job_id=job.pk)
    assert job.state == Job.State.DONE, job.error
    exchange.refresh_from_db()
    assert exchange.state == Exchange.State.PROCESSED, exchange.report
    annee = int(job.report["année"][:4])
    assert (
        job.report["divisions"]
        == len(selectors.divisions(world=world, uai=world.home.uai, annee=annee))
        > 0
    )
