"""How SIECLE BEE reads the files it receives.

STS-web → BEE (Exports > Structure, Exports > Services, guide 2.4 and 2.9): STS-web carries
them in the STS_EDT layout (see sts/exchanges.py); they reach the base at the next quarter hour
(job `siecle.receive_sts`). The structure of the school year is replaced as a whole (divisions
and groups, with their MEFs and their divisions): that is how the year in preparation gets the
divisions its pupils are affected to. The services file replaces the teachers and the
teaching services of the year (`equipes.services_recevoir`): it gives teachers their divisions
and groups.
"""

from __future__ import annotations

from typing import Any

from entsim.formats import sts_emp
from entsim.formats.safe import FormatError
from entsim.models import Exchange, Job
from entsim.services.exchanges import exchange_content, exchange_settle

from . import equipes, services
from .models import Etablissement

STRUCTURE = "sts_structure"
SERVICES = "sts_services"


def _refuse(exchange: Exchange, job: Job, message: str) -> dict[str, Any]:
    report = {"refus": message}
    exchange_settle(exchange=exchange, state=Exchange.State.REJECTED, report=report, at=job.due_at)
    return report


def _teachers(document: sts_emp.StsEmp) -> list[dict[str, Any]]:
    """INDIVIDUS then SUPPLEANTS, with the civility's short label (M., MME)."""
    civilites = {c.code: c.libelle_court for c in document.nomenclatures.civilites}
    by_sex = {"1": "M.", "2": "MME"}
    return [
        {
            "id": person.id,
            "civilite": civilites.get(person.civilite or "") or by_sex.get(person.sexe or "", ""),
            "nom": person.nom_usage or person.nom_patronymique or "",
            "prenom": person.prenom or "",
            "suppleant": suppleant,
        }
        for people, suppleant in (
            (document.donnees.individus, False),
            (document.donnees.suppleants, True),
        )
        for person in people
    ]


def _services(structure: sts_emp.Structure) -> list[dict[str, Any]]:
    return [
        {
            "type": kind,
            "code": item.code,
            "matiere": service.code_matiere,
            "mod_cours": service.code_mod_cours,
            "enseignants": [teacher.id for teacher in service.enseignants],
        }
        for kind, items in (("D", structure.divisions), ("G", structure.groupes))
        for item in items
        for service in item.services
    ]


def sts_receive(job: Job) -> dict[str, Any]:
    """The job handler: read one STS-web export and bring it into the establishment's base."""
    world = job.world
    exchange = Exchange.objects.select_for_update().get(pk=job.params["exchange_id"], world=world)
    if exchange.state in (Exchange.State.PROCESSED, Exchange.State.REJECTED):
        return {"déjà traité": exchange.filename}
    try:
        document = sts_emp.read(exchange_content(exchange=exchange))
    except FormatError as error:
        return _refuse(exchange, job, f"Fichier illisible : {error}")
    uai, annee = document.uai, document.annee
    base = Etablissement.objects.filter(world=world, uai=uai).first()
    if base is None:
        return _refuse(exchange, job, f"Aucune base élèves pour l'établissement {uai}.")
    current = world.school_year(job.due_at)
    if not current <= annee <= max(base.derniere_annee, current):
        return _refuse(
            exchange,
            job,
            f"L'année {annee}-{annee + 1} n'est pas ouverte dans la base élèves "
            f"(année en cours {current}-{current + 1}).",
        )
    structure = document.donnees.structure
    if exchange.kind == SERVICES:
        report = equipes.services_recevoir(
            world=world,
            uai=uai,
            annee=annee,
            enseignants=_teachers(document),
            services=_services(structure),
            le=job.due_at,
        )
    else:
        counts = services.structures_recevoir(
            world=world,
            uai=uai,
            annee=annee,
            divisions=[
                {
                    "code": d.code,
                    "libelle": d.libelle_long or "",
                    "mefs": [m.code for m in d.mefs_appartenance],
                }
                for d in structure.divisions
            ],
            groupes=[
                {
                    "code": g.code,
                    "libelle": g.libelle_long or "",
                    "divisions": [d.code for d in g.divisions_appartenance],
                    "mefs": [m.code for m in g.mefs_appartenance],
                }
                for g in structure.groupes
            ],
            le=job.due_at,
        )
        report = {"année": f"{annee}-{annee + 1}", **counts}
    exchange_settle(exchange=exchange, state=Exchange.State.PROCESSED, report=report, at=job.due_at)
    return report
