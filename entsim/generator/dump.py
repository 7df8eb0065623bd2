"""world_truth_dump: a canonical JSON text of a world's truth, without database ids.

Foreign keys become natural keys: an establishment is its UAI, a pupil its INE, a member of
staff its STS id, a division or a group "UAI/year/code". Addresses and responsables, which have
no natural key, are numbered in creation order ("A0", "R0"...), which a seed fixes. Rows are
sorted by natural key. Two worlds created from the same seed and size dump identically.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..models import World


def _default(value: object) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    raise TypeError(f"not serialisable: {value!r}")


def _rows(model: Any, world: World, *fields: str) -> list[tuple]:
    return list(model.objects.filter(world=world).order_by("pk").values_list("pk", *fields))


def world_truth_dump(*, world: World) -> str:
    from ..models import truth as m  # Django models: imported when Django is ready

    establishments = {pk: uai for pk, uai in _rows(m.Establishment, world, "uai")}
    est_fields = (
        "uai",
        "kind",
        "sigle",
        "nature_code",
        "name",
        "commune",
        "commune_insee",
        "code_postal",
        "address",
        "telephone",
        "is_home",
    )
    out: dict[str, Any] = {
        "academie": {"code": world.academie_code, "name": world.academie_name},
        "home": establishments.get(world.home_id),
    }
    out["establishments"] = sorted(
        (
            dict(zip(est_fields, row[1:], strict=True))
            for row in _rows(m.Establishment, world, *est_fields)
        ),
        key=lambda r: r["uai"],
    )

    addr_fields = (
        "line1",
        "line2",
        "line3",
        "line4",
        "code_postal",
        "commune_insee",
        "commune",
        "country_code",
    )
    addresses: dict[int, str] = {}
    out["addresses"] = []
    for index, row in enumerate(_rows(m.Address, world, *addr_fields)):
        key = f"A{index}"
        addresses[row[0]] = key
        out["addresses"].append({"key": key, **dict(zip(addr_fields, row[1:], strict=True))})

    resp_fields = (
        "civilite",
        "last_name",
        "usage_name",
        "first_name",
        "address_id",
        "tel_personnel",
        "tel_portable",
        "tel_professionnel",
        "email",
        "profession_code",
    )
    responsables: dict[int, str] = {}
    out["responsables"] = []
    for index, row in enumerate(_rows(m.Responsable, world, *resp_fields)):
        key = f"R{index}"
        responsables[row[0]] = key
        record = dict(zip(resp_fields, row[1:], strict=True))
        record["address"] = addresses[record.pop("address_id")]
        out["responsables"].append({"key": key, **record})

    pupil_fields = (
        "ine",
        "last_name",
        "usage_name",
        "first_name",
        "first_name2",
        "first_name3",
        "sex",
        "birth_date",
        "birth_country",
        "birth_departement",
        "birth_commune_insee",
        "birth_commune",
        "nationality",
        "regime",
        "address_id",
    )
    pupils: dict[int, str] = {}
    out["pupils"] = []
    for row in _rows(m.Pupil, world, *pupil_fields):
        record = dict(zip(pupil_fields, row[1:], strict=True))
        record["address"] = addresses[record.pop("address_id")]
        pupils[row[0]] = record["ine"]
        out["pupils"].append(record)
    out["pupils"].sort(key=lambda r: r["ine"])

    tie_fields = (
        "pupil_id",
        "responsable_id",
        "parente",
        "level",
        "financier",
        "contact",
        "paiement",
    )
    ties = []
    for row in _rows(m.PupilResponsable, world, *tie_fields):
        record = dict(zip(tie_fields, row[1:], strict=True))
        record["pupil"] = pupils[record.pop("pupil_id")]
        record["responsable"] = responsables[record.pop("responsable_id")]
        ties.append(record)
    out["ties"] = sorted(ties, key=lambda r: (r["pupil"], int(r["responsable"][1:])))

    staff_fields = (
        "sts_id",
        "establishment_id",
        "function",
        "civilite",
        "sex",
        "last_name",
        "birth_name",
        "first_name",
        "birth_date",
        "grade",
        "discipline_code",
        "hours",
        "start_date",
        "end_date",
        "replacement",
        "replaces_id",
    )
    staff_rows = _rows(m.Staff, world, *staff_fields)
    staff = {row[0]: row[1] for row in staff_rows}
    out["staff"] = []
    for row in staff_rows:
        record = dict(zip(staff_fields, row[1:], strict=True))
        record["establishment"] = establishments[record.pop("establishment_id")]
        replaces = record.pop("replaces_id")
        record["replaces"] = staff[replaces] if replaces is not None else None
        out["staff"].append(record)
    out["staff"].sort(key=lambda r: r["sts_id"])

    div_fields = (
        "establishment_id",
        "school_year",
        "code",
        "label",
        "mef_code",
        "prof_principal_id",
    )
    divisions: dict[int, str] = {}
    out["divisions"] = []
    for row in _rows(m.Division, world, *div_fields):
        record = dict(zip(div_fields, row[1:], strict=True))
        record["establishment"] = establishments[record.pop("establishment_id")]
        principal = record.pop("prof_principal_id")
        record["prof_principal"] = staff[principal] if principal is not None else None
        divisions[row[0]] = f"{record['establishment']}/{record['school_year']}/{record['code']}"
        out["divisions"].append(record)
    out["divisions"].sort(key=lambda r: (r["establishment"], r["school_year"], r["code"]))

    group_fields = ("establishment_id", "school_year", "code", "label", "subject_code")
    groups: dict[int, str] = {}
    group_records: dict[int, dict[str, Any]] = {}
    for row in _rows(m.TeachingGroup, world, *group_fields):
        record = dict(zip(group_fields, row[1:], strict=True))
        record["establishment"] = establishments[record.pop("establishment_id")]
        record["divisions"] = []
        record["pupils"] = []
        groups[row[0]] = f"{record['establishment']}/{record['school_year']}/{record['code']}"
        group_records[row[0]] = record
    through = m.TeachingGroup.divisions.through
    for group_id, division_id in through.objects.filter(teachinggroup__world=world).values_list(
        "teachinggroup_id", "division_id"
    ):
        group_records[group_id]["divisions"].append(divisions[division_id])
    through = m.TeachingGroup.pupils.through
    for group_id, pupil_id in through.objects.filter(teachinggroup__world=world).values_list(
        "teachinggroup_id", "pupil_id"
    ):
        group_records[group_id]["pupils"].append(pupils[pupil_id])
    for record in group_records.values():
        record["divisions"].sort()
        record["pupils"].sort()
    out["groups"] = sorted(
        group_records.values(), key=lambda r: (r["establishment"], r["school_year"], r["code"])
    )

    sch_fields = (
        "pupil_id",
        "establishment_id",
        "school_year",
        "mef_code",
        "division_id",
        "options",
        "start_date",
        "end_date",
        "arrival",
    )
    schoolings = []
    for row in _rows(m.Schooling, world, *sch_fields):
        record = dict(zip(sch_fields, row[1:], strict=True))
        record["pupil"] = pupils[record.pop("pupil_id")]
        record["establishment"] = establishments[record.pop("establishment_id")]
        record["division"] = divisions[record.pop("division_id")]
        schoolings.append(record)
    out["schoolings"] = sorted(
        schoolings,
        key=lambda r: (
            r["pupil"],
            r["school_year"],
            r["start_date"].isoformat(),
            r["establishment"],
        ),
    )

    svc_fields = (
        "establishment_id",
        "school_year",
        "teacher_id",
        "division_id",
        "group_id",
        "subject_code",
        "mod_cours",
        "hours",
    )
    services = []
    for row in _rows(m.Service, world, *svc_fields):
        record = dict(zip(svc_fields, row[1:], strict=True))
        record["establishment"] = establishments[record.pop("establishment_id")]
        record["teacher"] = staff[record.pop("teacher_id")]
        division_id = record.pop("division_id")
        group_id = record.pop("group_id")
        record["division"] = divisions[division_id] if division_id is not None else None
        record["group"] = groups[group_id] if group_id is not None else None
        services.append(record)
    out["services"] = sorted(
        services,
        key=lambda r: (
            r["establishment"],
            r["school_year"],
            r["division"] or "",
            r["group"] or "",
            r["subject_code"],
            r["teacher"],
        ),
    )

    event_fields = (
        "at",
        "kind",
        "label",
        "establishment_id",
        "pupil_id",
        "staff_id",
        "data",
        "happened_at",
    )
    events = []
    for row in _rows(m.CalendarEvent, world, *event_fields):
        record = dict(zip(event_fields, row[1:], strict=True))
        est = record.pop("establishment_id")
        pupil = record.pop("pupil_id")
        member = record.pop("staff_id")
        record["establishment"] = establishments[est] if est is not None else None
        record["pupil"] = pupils[pupil] if pupil is not None else None
        record["staff"] = staff[member] if member is not None else None
        events.append(record)
    out["events"] = sorted(events, key=lambda r: (r["at"], r["kind"], r["label"]))

    return json.dumps(out, default=_default, ensure_ascii=False, sort_keys=True, indent=1)
