"""academie_persist: write a generated académie into a world's truth tables.

Everything goes through `bulk_create` (the primary keys come back from the database on SQLite
3.35+ and PostgreSQL) and natural keys are mapped to primary keys in memory: no query per row.
The caller holds the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TYPE_CHECKING, Any

from .types import Academie

if TYPE_CHECKING:
    from ..models import World

BATCH = 1000


def _chunks(rows: Iterable[Any], size: int = BATCH * 10) -> Iterator[list[Any]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(model: Any, rows: Iterable[Any]) -> None:
    """Bulk insert a stream of unsaved rows without keeping them (no primary keys needed)."""
    for chunk in _chunks(rows):
        model.objects.bulk_create(chunk, batch_size=BATCH)


def academie_persist(*, world: World, academie: Academie) -> None:
    """Write the académie into the world's truth tables; set and save `world.home`."""
    from ..models import truth as m  # Django models: imported when Django is ready

    wid = world.pk

    establishments = m.Establishment.objects.bulk_create(
        [
            m.Establishment(
                world_id=wid,
                uai=e.uai,
                kind=e.kind,
                sigle=e.sigle,
                nature_code=e.nature_code,
                name=e.name,
                commune=e.commune,
                commune_insee=e.commune_insee,
                code_postal=e.code_postal,
                address=e.address,
                telephone=e.telephone,
                is_home=e.is_home,
            )
            for e in academie.establishments
        ],
        batch_size=BATCH,
    )
    est_pk = {row.uai: row.pk for row in establishments}

    addresses = m.Address.objects.bulk_create(
        [
            m.Address(
                world_id=wid,
                line1=a.line1,
                line2=a.line2,
                line3=a.line3,
                line4=a.line4,
                code_postal=a.code_postal,
                commune_insee=a.commune_insee,
                commune=a.commune,
                country_code=a.country_code,
            )
            for a in academie.addresses
        ],
        batch_size=BATCH,
    )
    address_pk = [row.pk for row in addresses]  # index = Address.key
    del addresses

    responsables = m.Responsable.objects.bulk_create(
        [
            m.Responsable(
                world_id=wid,
                civilite=r.civilite,
                last_name=r.last_name,
                usage_name=r.usage_name,
                first_name=r.first_name,
                address_id=address_pk[r.address],
                tel_personnel=r.tel_personnel,
                tel_portable=r.tel_portable,
                tel_professionnel=r.tel_professionnel,
                email=r.email,
                profession_code=r.profession_code,
            )
            for r in academie.responsables
        ],
        batch_size=BATCH,
    )
    responsable_pk = [row.pk for row in responsables]  # index = Responsable.key
    del responsables

    pupils = m.Pupil.objects.bulk_create(
        [
            m.Pupil(
                world_id=wid,
                ine=p.ine,
                last_name=p.last_name,
                usage_name=p.usage_name,
                first_name=p.first_name,
                first_name2=p.first_name2,
                first_name3=p.first_name3,
                sex=p.sex,
                birth_date=p.birth_date,
                birth_country=p.birth_country,
                birth_departement=p.birth_departement,
                birth_commune_insee=p.birth_commune_insee,
                birth_commune=p.birth_commune,
                nationality=p.nationality,
                regime=p.regime,
                address_id=address_pk[p.address],
            )
            for p in academie.pupils
        ],
        batch_size=BATCH,
    )
    pupil_pk = {row.ine: row.pk for row in pupils}
    del pupils

    _insert(
        m.PupilResponsable,
        (
            m.PupilResponsable(
                world_id=wid,
                pupil_id=pupil_pk[t.pupil],
                responsable_id=responsable_pk[t.responsable],
                parente=t.parente,
                level=t.level,
                financier=t.financier,
                contact=t.contact,
                paiement=t.paiement,
            )
            for t in academie.ties
        ),
    )

    staff = m.Staff.objects.bulk_create(
        [
            m.Staff(
                world_id=wid,
                establishment_id=est_pk[s.establishment],
                sts_id=s.sts_id,
                function=s.function,
                civilite=s.civilite,
                sex=s.sex,
                last_name=s.last_name,
                birth_name=s.birth_name,
                first_name=s.first_name,
                birth_date=s.birth_date,
                grade=s.grade,
                discipline_code=s.discipline_code,
                hours=s.hours,
                start_date=s.start_date,
                end_date=s.end_date,
                replacement=s.replacement,
            )
            for s in academie.staff
        ],
        batch_size=BATCH,
    )
    staff_pk = {row.sts_id: row.pk for row in staff}
    replacing = []
    for row, s in zip(staff, academie.staff, strict=True):
        if s.replaces is not None:
            row.replaces_id = staff_pk[s.replaces]
            replacing.append(row)
    m.Staff.objects.bulk_update(replacing, ["replaces"], batch_size=BATCH)
    del staff, replacing

    divisions = m.Division.objects.bulk_create(
        [
            m.Division(
                world_id=wid,
                establishment_id=est_pk[d.establishment],
                school_year=d.school_year,
                code=d.code,
                label=d.label,
                mef_code=d.mef_code,
                prof_principal_id=(
                    staff_pk[d.prof_principal] if d.prof_principal is not None else None
                ),
            )
            for d in academie.divisions
        ],
        batch_size=BATCH,
    )
    division_pk = {
        (d.establishment, d.school_year, d.code): row.pk
        for row, d in zip(divisions, academie.divisions, strict=True)
    }
    del divisions

    groups = m.TeachingGroup.objects.bulk_create(
        [
            m.TeachingGroup(
                world_id=wid,
                establishment_id=est_pk[g.establishment],
                school_year=g.school_year,
                code=g.code,
                label=g.label,
                subject_code=g.subject_code,
            )
            for g in academie.groups
        ],
        batch_size=BATCH,
    )
    group_pk = {
        (g.establishment, g.school_year, g.code): row.pk
        for row, g in zip(groups, academie.groups, strict=True)
    }
    del groups
    group_divisions = m.TeachingGroup.divisions.through
    group_pupils = m.TeachingGroup.pupils.through
    _insert(
        group_divisions,
        (
            group_divisions(
                teachinggroup_id=group_pk[(g.establishment, g.school_year, g.code)],
                division_id=division_pk[(g.establishment, g.school_year, code)],
            )
            for g in academie.groups
            for code in g.divisions
        ),
    )
    _insert(
        group_pupils,
        (
            group_pupils(
                teachinggroup_id=group_pk[(g.establishment, g.school_year, g.code)],
                pupil_id=pupil_pk[ine],
            )
            for g in academie.groups
            for ine in g.pupils
        ),
    )

    _insert(
        m.Schooling,
        (
            m.Schooling(
                world_id=wid,
                pupil_id=pupil_pk[s.pupil],
                establishment_id=est_pk[s.establishment],
                school_year=s.school_year,
                mef_code=s.mef_code,
                division_id=division_pk[(s.establishment, s.school_year, s.division)],
                options=[{"subject": o.subject, "modalite": o.modalite} for o in s.options],
                start_date=s.start_date,
                end_date=s.end_date,
                arrival=s.arrival,
            )
            for s in academie.schoolings
        ),
    )
    _insert(
        m.Service,
        (
            m.Service(
                world_id=wid,
                establishment_id=est_pk[s.establishment],
                school_year=s.school_year,
                teacher_id=staff_pk[s.teacher],
                division_id=(
                    division_pk[(s.establishment, s.school_year, s.division)]
                    if s.division is not None
                    else None
                ),
                group_id=(
                    group_pk[(s.establishment, s.school_year, s.group)]
                    if s.group is not None
                    else None
                ),
                subject_code=s.subject_code,
                mod_cours=s.mod_cours,
                hours=s.hours,
            )
            for s in academie.services
        ),
    )
    _insert(
        m.CalendarEvent,
        (
            m.CalendarEvent(
                world_id=wid,
                at=e.at,
                kind=e.kind,
                label=e.label,
                establishment_id=est_pk[e.establishment] if e.establishment else None,
                pupil_id=pupil_pk[e.pupil] if e.pupil else None,
                staff_id=staff_pk[e.staff] if e.staff is not None else None,
                data=dict(e.data),
                happened_at=e.happened_at,
            )
            for e in academie.events
        ),
    )

    world.home_id = est_pk[academie.home.uai]
    world.save(update_fields=["home"])
