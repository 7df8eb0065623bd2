"""STS-web → BEE: the structure export reaches the base at the next quarter hour (guide 2.4)."""

from __future__ import annotations

import datetime as dt

import pytest

from entsim import nomenclatures as nom
from entsim import registry, timeline
from entsim.formats import sts_emp
from entsim.models import Exchange, Job
from entsim.services.exchanges import (
    exchange_content,
    exchange_export,
    exchange_record,
    exchange_schedule_delivery,
)
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


def services_file(uai: str, annee: int, services: dict[str, list[tuple[str, list[str]]]]) -> bytes:
    """A Services export: `services` = {structure code: [(subject, [teacher ids])]}."""
    base = sts_emp.read(structure_file(uai, annee))
    people = (
        sts_emp.Individu(
            id="1001", type="epp", sexe="2", civilite="2", nom_usage="DURAND", prenom="Alice"
        ),
        sts_emp.Individu(
            id="1002", type="epp", sexe="1", civilite="1", nom_usage="MARTIN", prenom="Paul"
        ),
    )
    substitute = sts_emp.Individu(
        id="2001", type="epp", sexe="1", nom_usage="BERNARD", prenom="Luc"
    )

    def of(code: str) -> tuple[sts_emp.Service, ...]:
        return tuple(
            sts_emp.Service(
                code_matiere=subject,
                code_mod_cours="CG",
                enseignants=tuple(sts_emp.EnseignantRef(id=i, type="epp") for i in ids),
            )
            for subject, ids in services.get(code, [])
        )

    structure = base.donnees.structure
    extra = tuple(
        sts_emp.Division(code=code, services=of(code))
        for code in services
        if code not in {d.code for d in structure.divisions}
        and code not in {g.code for g in structure.groupes}
    )
    document = sts_emp.StsEmp(
        parametres=base.parametres,
        nomenclatures=sts_emp.Nomenclatures(
            civilites=(
                sts_emp.Civilite(code="1", libelle_court="M.", libelle_long="Monsieur"),
                sts_emp.Civilite(code="2", libelle_court="MME", libelle_long="Madame"),
            )
        ),
        donnees=sts_emp.Donnees(
            individus=people,
            structure=sts_emp.Structure(
                divisions=tuple(
                    sts_emp.Division(code=d.code, services=of(d.code)) for d in structure.divisions
                )
                + extra,
                groupes=tuple(
                    sts_emp.Groupe(code=g.code, services=of(g.code)) for g in structure.groupes
                ),
            ),
            suppleants=(substitute,),
        ),
    )
    return sts_emp.write(document)


def test_services_give_teachers_their_divisions_and_groups_annule_et_remplace(client, make_member):
    """Exports > Services (guide 2.9), after the structure: the équipe pédagogique."""
    from siecle import equipes
    from siecle.models import Enseignant, Service
    from tests.siecle.siecle_world import choose_year, url

    world = college()
    home = world.home.uai
    deliver(world, structure_file(home, 2027))
    content = services_file(
        home,
        2027,
        {
            "5A": [("020700", ["1001"]), ("061300", ["1002", "9999"])],
            "5ESP2": [("030602", ["1002", "2001"])],
            "5Z": [("020700", ["1001"])],  # a division STS-web did not send in the structure
        },
    )
    exchange, job = deliver(world, content, kind="sts_services")
    assert exchange.state == Exchange.State.PROCESSED
    assert job.report == {
        "année": "2027-2028",
        "enseignants": 3,
        "services": 3,
        equipes.UNKNOWN_STRUCTURES: ["5Z"],
        equipes.UNKNOWN_TEACHERS: ["9999"],
    }
    teachers = {
        t.enseignant.sts_id: (t.divisions, t.groupes)
        for t in selectors.enseignants_structures(world=world, uai=home, annee=2027)
    }
    assert teachers == {
        "1001": (["5A"], []),
        "1002": (["5A"], ["5ESP2"]),
        "2001": ([], ["5ESP2"]),
    }
    substitute = Enseignant.objects.get(world=world, annee=2027, sts_id="2001")
    assert substitute.suppleant and str(substitute) == "M. BERNARD Luc"
    division = selectors.divisions(world=world, uai=home, annee=2027)[0]
    equipe = selectors.equipe_pedagogique(world=world, uai=home, structure=division)
    assert [(line.matiere_code, [str(t) for t in line.enseignants]) for line in equipe] == [
        ("020700", ["MME DURAND Alice"]),
        ("061300", ["M. MARTIN Paul"]),
    ]
    # the pages: Exploitation > Structures et équipes pédagogiques, the division's page
    client.force_login(make_member(world))
    choose_year(client, world, 2027)
    page = client.get(url("structures", world)).content.decode()
    assert "M. BERNARD Luc (suppléant)" in page and "5ESP2" in page
    page = client.get(url("structure", world, division.pk)).content.decode()
    assert "Équipe pédagogique" in page and "MME DURAND Alice" in page
    page = client.get(url("importations", world)).content.decode()
    assert "STS-web : services" in page and f"{equipes.UNKNOWN_STRUCTURES} : 5Z" in page
    # another world's structure is not reachable
    other = college(name="Autre monde")
    foreign = Structure.objects.filter(world=other).first()
    assert client.get(url("structure", world, foreign.pk)).status_code == 404
    # annule et remplace: a new Services export replaces every service and teacher of the year
    deliver(world, services_file(home, 2027, {"5B": [("020700", ["1001"])]}), kind="sts_services")
    teachers = {
        t.enseignant.sts_id: (t.divisions, t.groupes)
        for t in selectors.enseignants_structures(world=world, uai=home, annee=2027)
    }
    assert teachers == {"1001": (["5B"], []), "1002": ([], []), "2001": ([], [])}
    assert Service.objects.filter(world=world, annee=2027).count() == 1
    # the year in progress keeps its own services
    assert not Service.objects.filter(world=world, annee=2026).exists()


def test_services_before_the_structure_find_no_division():
    """The guide: structure first, then services. Services of an unknown year's structure
    are listed, not kept."""
    from siecle import equipes
    from siecle.models import Service

    world = college()
    content = services_file(world.home.uai, 2027, {"5A": [("020700", ["1001"])]})
    _, job = deliver(world, content, kind="sts_services")
    assert job.report[equipes.UNKNOWN_STRUCTURES] == ["5A"] and job.report["services"] == 0
    assert not Service.objects.filter(world=world).exists()


def test_the_sts_services_export_reaches_the_base():
    """STS-web's own exports, structure then services: every teacher of a service gets the
    divisions and groups STS-web gives them."""
    world = college(name="Services réels")
    for kind in ("sts_structure", "sts_services"):
        exchange = exchange_export(world=world, kind=kind)
        job = Job.objects.get(
            world=world, kind=timeline.STS_TO_BEE, params__exchange_id=exchange.pk
        )
        job = job_execute(job_id=job.pk)
        assert job.state == Job.State.DONE, job.error
        exchange.refresh_from_db()
        assert exchange.state == Exchange.State.PROCESSED, exchange.report
    from siecle import equipes

    assert equipes.UNKNOWN_STRUCTURES not in job.report
    annee = int(job.report["année"][:4])
    doc = sts_emp.read(exchange_content(exchange=exchange))
    expected = {
        (teacher.id, kind, item.code)
        for kind, items in (
            ("D", doc.donnees.structure.divisions),
            ("G", doc.donnees.structure.groupes),
        )
        for item in items
        for service in item.services
        for teacher in service.enseignants
    }
    got = {
        (t.enseignant.sts_id, kind, code)
        for t in selectors.enseignants_structures(world=world, uai=world.home.uai, annee=annee)
        for kind, codes in (("D", t.divisions), ("G", t.groupes))
        for code in codes
    }
    assert got == expected and len(expected) > 10
