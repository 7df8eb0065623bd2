"""academie_persist: write a generated académie into a world's truth tables.

Each generated row type maps onto its model field by field (same names): rows go in as plain
tuples through `entsim.bulk.rows_insert` (no model instance, no per-value ORM compilation),
natural keys turned into primary keys in memory. The primary keys that later rows refer to are
read back with one query per table, by natural key (UAI, INE, STS id, establishment + year +
code) or, for addresses and responsables, whose natural key is their rank in generation order,
in primary key order (rows are inserted in that order). The caller holds the transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from ..bulk import rows_insert
from . import types as t

if TYPE_CHECKING:
    from ..models import World

BATCH = 1000


def academie_persist(*, world: World, academie: t.Academie) -> None:
    """Write the académie into the world's truth tables; set and save `world.home`."""
    from ..models import truth as m  # Django models: imported when Django is ready

    wid = world.pk

    def put(model, kind: type, rows: Iterable[Any], skip=(), **refs: Callable[[Any], Any]):
        _put(model, wid, kind, rows, skip, refs)

    put(m.Establishment, t.Establishment, academie.establishments)
    est_pk = dict(m.Establishment.objects.filter(world_id=wid).values_list("uai", "pk"))
    est_uai = {pk: uai for uai, pk in est_pk.items()}

    put(m.Address, t.Address, academie.addresses, skip=("key",))
    address_pk = _pks_in_order(m.Address, wid, len(academie.addresses))  # index = Address.key

    put(
        m.Responsable,
        t.Responsable,
        academie.responsables,
        skip=("key",),
        address=lambda r: address_pk[r.address],
    )
    # index = Responsable.key
    responsable_pk = _pks_in_order(m.Responsable, wid, len(academie.responsables))

    put(m.Pupil, t.Pupil, academie.pupils, address=lambda p: address_pk[p.address])
    pupil_pk = dict(m.Pupil.objects.filter(world_id=wid).values_list("ine", "pk"))

    put(
        m.PupilResponsable,
        t.Tie,
        academie.ties,
        pupil=lambda tie: pupil_pk[tie.pupil],
        responsable=lambda tie: responsable_pk[tie.responsable],
    )

    put(
        m.Staff,
        t.Staff,
        academie.staff,
        establishment=lambda s: est_pk[s.establishment],
        replaces=lambda s: None,  # below, once every member of staff has a key
    )
    staff_pk = dict(m.Staff.objects.filter(world_id=wid).values_list("sts_id", "pk"))
    m.Staff.objects.bulk_update(
        [
            m.Staff(pk=staff_pk[s.sts_id], replaces_id=staff_pk[s.replaces])
            for s in academie.staff
            if s.replaces is not None
        ],
        ["replaces"],
        batch_size=BATCH,
    )

    put(
        m.Division,
        t.Division,
        academie.divisions,
        establishment=lambda d: est_pk[d.establishment],
        prof_principal=lambda d: (
            staff_pk[d.prof_principal] if d.prof_principal is not None else None
        ),
    )
    division_pk = _pks_by_code(m.Division, wid, est_uai)

    put(
        m.TeachingGroup,
        t.TeachingGroup,
        academie.groups,
        skip=("divisions", "pupils"),
        establishment=lambda g: est_pk[g.establishment],
    )
    group_pk = _pks_by_code(m.TeachingGroup, wid, est_uai)
    rows_insert(
        m.TeachingGroup.divisions.through,
        ("teachinggroup", "division"),
        (
            (
                group_pk[(g.establishment, g.school_year, g.code)],
                division_pk[(g.establishment, g.school_year, code)],
            )
            for g in academie.groups
            for code in g.divisions
        ),
    )
    rows_insert(
        m.TeachingGroup.pupils.through,
        ("teachinggroup", "pupil"),
        (
            (group_pk[(g.establishment, g.school_year, g.code)], pupil_pk[ine])
            for g in academie.groups
            for ine in g.pupils
        ),
    )

    put(
        m.Schooling,
        t.Schooling,
        academie.schoolings,
        pupil=lambda s: pupil_pk[s.pupil],
        establishment=lambda s: est_pk[s.establishment],
        division=lambda s: division_pk[(s.establishment, s.school_year, s.division)],
        options=lambda s: [{"subject": o.subject, "modalite": o.modalite} for o in s.options],
    )
    put(
        m.Service,
        t.Service,
        academie.services,
        establishment=lambda s: est_pk[s.establishment],
        teacher=lambda s: staff_pk[s.teacher],
        division=lambda s: (
            division_pk[(s.establishment, s.school_year, s.division)]
            if s.division is not None
            else None
        ),
        group=lambda s: (
            group_pk[(s.establishment, s.school_year, s.group)] if s.group is not None else None
        ),
    )
    put(
        m.CalendarEvent,
        t.CalendarEvent,
        academie.events,
        establishment=lambda e: est_pk[e.establishment] if e.establishment else None,
        pupil=lambda e: pupil_pk[e.pupil] if e.pupil else None,
        staff=lambda e: staff_pk[e.staff] if e.staff is not None else None,
        data=lambda e: dict(e.data),
    )

    world.home_id = est_pk[academie.home.uai]
    world.save(update_fields=["home"])


def _put(
    model,
    wid: int,
    kind: type,
    rows: Iterable[Any],
    skip: tuple[str, ...],
    refs: dict[str, Callable[[Any], Any]],
) -> None:
    """Insert generated rows of dataclass `kind`: the world, then one column per field of the
    same name (less `skip`); a field in `refs` is written as refs[field](row) (a natural key
    turned into a primary key), the others as they are."""
    names = [f.name for f in dataclasses.fields(kind) if f.name not in skip]
    unknown = set(refs) - set(names)
    if unknown:
        raise ValueError(f"{kind.__name__}: no field {', '.join(sorted(unknown))}")
    values = attrgetter(*names) if len(names) > 1 else lambda item: (getattr(item, names[0]),)
    replaced = [(index, refs[name]) for index, name in enumerate(names) if name in refs]

    def row(item: Any) -> tuple:
        out = [wid, *values(item)]
        for index, ref in replaced:
            out[index + 1] = ref(item)
        return tuple(out)

    rows_insert(model, ("world", *names), map(row, rows))


def _pks_in_order(model, wid: int, expected: int) -> list[int]:
    """The world's rows' primary keys in insertion order (auto-increment follows it)."""
    pks = list(model.objects.filter(world_id=wid).order_by("pk").values_list("pk", flat=True))
    if len(pks) != expected:  # the world was not empty: ranks would not match
        raise RuntimeError(f"{model.__name__}: {len(pks)} rows in the world, {expected} written.")
    return pks


def _pks_by_code(model, wid: int, est_uai: dict[int, str]) -> dict[tuple[str, int, str], int]:
    """(UAI, school year, code) → primary key, for divisions and teaching groups."""
    return {
        (est_uai[est], year, code): pk
        for est, year, code, pk in model.objects.filter(world_id=wid).values_list(
            "establishment_id", "school_year", "code", "pk"
        )
    }
