"""Teaching services received from STS-web (Exports > Services, guide 2.9): the teachers of
the year and, for each division and group, its subjects and their teachers. That is what gives
teachers their divisions and groups in the base (the "équipe pédagogique" of a structure).

The reception is "annule et remplace": every service and teacher of the school year is
replaced by the file's. A service is kept only on a division or group the base already holds
for the year: the structure must have been received first (Exports > Structure, then
Exports > Services, as the guide asks); the others are listed in the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from entsim.models import World

from .models import Enseignant, Service, Structure

UNKNOWN_STRUCTURES = "services ignorés (structure inconnue de la base élèves)"
UNKNOWN_TEACHERS = "enseignants inconnus"


@transaction.atomic
def services_recevoir(
    *,
    world: World,
    uai: str,
    annee: int,
    enseignants: Sequence[dict],
    services: Sequence[dict],
    le: dt.datetime | None = None,
) -> dict:
    """Replace the teachers and services of a school year.

    `enseignants`: [{"id", "civilite", "nom", "prenom", "suppleant"}];
    `services`: [{"type": "D"|"G", "code", "matiere", "mod_cours", "enseignants": [ids]}].
    """
    moment = le or world.now()
    Service.objects.filter(world=world, uai=uai, annee=annee).delete()
    Enseignant.objects.filter(world=world, uai=uai, annee=annee).delete()
    known = set(
        Structure.objects.filter(world=world, uai=uai, annee=annee).values_list("type", "code")
    )
    teachers: dict[str, Enseignant] = {}
    for item in enseignants:
        if item["id"] in teachers:
            continue  # a substitute also listed among the staff: once
        teachers[item["id"]] = Enseignant(
            world=world,
            uai=uai,
            annee=annee,
            sts_id=item["id"][:20],
            civilite=(item.get("civilite") or "")[:4],
            nom=(item.get("nom") or "")[:50],
            prenom=(item.get("prenom") or "")[:50],
            suppleant=bool(item.get("suppleant")),
            recu_le=moment,
        )
    Enseignant.objects.bulk_create(teachers.values())
    rows: list[Service] = []
    kept = 0
    unknown_structures: set[str] = set()
    unknown_teachers: set[str] = set()
    for item in services:
        if (item["type"], item["code"]) not in known:
            unknown_structures.add(item["code"])
            continue
        kept += 1
        named = []
        for teacher_id in dict.fromkeys(item["enseignants"]):
            if teacher_id in teachers:
                named.append(teachers[teacher_id])
            else:
                unknown_teachers.add(teacher_id)
        rows += [
            Service(
                world=world,
                uai=uai,
                annee=annee,
                structure_type=item["type"],
                structure_code=item["code"],
                matiere_code=item["matiere"][:6],
                mod_cours=item["mod_cours"][:10],
                enseignant=teacher,
            )
            for teacher in named or [None]
        ]
    Service.objects.bulk_create(rows, batch_size=1000)
    report: dict = {
        "année": f"{annee}-{annee + 1}",
        "enseignants": len(teachers),
        "services": kept,
    }
    if unknown_structures:
        report[UNKNOWN_STRUCTURES] = sorted(unknown_structures)
    if unknown_teachers:
        report[UNKNOWN_TEACHERS] = sorted(unknown_teachers)
    return report
