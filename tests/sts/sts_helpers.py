"""Shared helpers of the STS-web tests: worlds, EDT files, calendar jobs, row counts."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import pytest

from entsim.formats import emp_sts

STS_TABLES = (
    "StsEstablishment",
    "SchoolYear",
    "NomenclatureEntry",
    "NomenclatureRequest",
    "Teacher",
    "Division",
    "Group",
    "Service",
    "ServiceTeacher",
    "EdtImport",
    "Change",
    "Export",
)


def sts_counts(world) -> dict[str, int]:
    """Rows of every STS-web table for the world (plus group ↔ division links)."""
    from sts import models

    counts = {
        name: getattr(models, name).objects.filter(world=world).count() for name in STS_TABLES
    }
    counts["liens groupe-division"] = models.Group.divisions.through.objects.filter(
        group__world=world
    ).count()
    return counts


def module_world(name: str, size: str, seed: int):
    """A module-scoped fixture: one generated world shared by the tests of a module.

    Created outside the tests' transactions, deleted at the end of the module; each test's own
    changes are rolled back as usual.
    """

    @pytest.fixture(scope="module")
    def fixture(django_db_setup, django_db_blocker):
        from entsim.services.worlds import world_create

        with django_db_blocker.unblock():
            world = world_create(name=name, size=size, seed=seed)
        yield world
        from django.db import DatabaseError

        from entsim.models import World

        # (if another app's tables are not migrated yet, the world is left for the session)
        with django_db_blocker.unblock(), contextlib.suppress(DatabaseError):
            World.objects.filter(pk=world.pk).delete()

    return fixture


def fresh(world):
    """The world row as it is now (module worlds are shared; tests move clocks)."""
    from entsim.models import World

    return World.objects.select_related("home").get(pk=world.pk)


def run_calendar(world, kind: str):
    """The first event of `kind` happens: STS-web's listeners (found in the registry, where
    StsConfig.ready put them) are told, as the calendar job tells every system. Other systems'
    listeners are left out: this tests STS-web alone."""
    from entsim import registry
    from entsim.models import CalendarEvent

    event = (
        CalendarEvent.objects.filter(world=world, kind=kind)
        .select_related("world", "staff__establishment", "staff__replaces")
        .order_by("at")
        .first()
    )
    listeners = [
        listener
        for listener in registry.event_listeners(kind)
        if listener.__module__.startswith("sts.")
    ]
    assert listeners, f"STS-web does not listen to {kind}"
    event.happened_at = event.at
    event.save(update_fields=["happened_at"])
    for listener in listeners:
        listener(event)
    return event


def edt_file_from_truth(world, year: int, *, uai: str | None = None, extra_groups=()) -> bytes:
    """The EDT_STS file an EDT software would send back: the truth's groups and services of
    `year` for the home establishment (what the timetable was built with)."""
    from entsim.models import Service, TeachingGroup

    home = world.home
    groups = list(
        TeachingGroup.objects.filter(world=world, establishment=home, school_year=year)
        .prefetch_related("divisions")
        .order_by("code")
    )
    services = list(
        Service.objects.filter(world=world, establishment=home, school_year=year)
        .select_related("teacher", "division", "group")
        .order_by("id")
    )
    by_division: dict[str, list] = {}
    by_group: dict[str, list] = {}
    for s in services:
        item = emp_sts.Service(
            code_matiere=s.subject_code,
            code_mod_cours=s.mod_cours,
            heures_structure=s.hours,
            co_ens=False,
            enseignants=(
                emp_sts.Enseignant(type="epp", id=str(s.teacher.sts_id), heures_agent=s.hours),
            ),
        )
        if s.division_id:
            by_division.setdefault(s.division.code, []).append(item)
        else:
            by_group.setdefault(s.group.code, []).append(item)
    doc = emp_sts.EmpSts(
        parametres=emp_sts.Parametres(
            uaj=uai or home.uai, annee_scolaire=year, application_source="EDITEUR_PRIVE"
        ),
        donnees=emp_sts.Donnees(
            horaires=(
                emp_sts.Horaire(jour=1, debut_cours=dt.time(8, 0), fin_cours=dt.time(17, 0)),
            ),
            structure=emp_sts.Structure(
                divisions=tuple(
                    emp_sts.Division(code=code, services=tuple(items))
                    for code, items in sorted(by_division.items())
                ),
                groupes=tuple(
                    emp_sts.Groupe(
                        code=g.code,
                        libelle_long=g.label,
                        divisions_appartenance=tuple(
                            emp_sts.DivisionAppartenance(code=d.code)
                            for d in sorted(g.divisions.all(), key=lambda d: d.code)
                        ),
                        services=tuple(by_group.get(g.code, ())),
                    )
                    for g in groups
                )
                + tuple(extra_groups),
            ),
        ),
    )
    return emp_sts.write(doc)


def small_edt_file(uai: str, year: int, *, groups=(), divisions=()) -> bytes:
    """A hand-made EDT_STS file: `groups` as (code, libellé, [division codes], [(matière, id)])."""
    return emp_sts.write(
        emp_sts.EmpSts(
            parametres=emp_sts.Parametres(uaj=uai, annee_scolaire=year),
            donnees=emp_sts.Donnees(
                structure=emp_sts.Structure(
                    divisions=tuple(divisions),
                    groupes=tuple(
                        emp_sts.Groupe(
                            code=code,
                            libelle_long=label,
                            divisions_appartenance=tuple(
                                emp_sts.DivisionAppartenance(code=d) for d in division_codes
                            ),
                            services=tuple(
                                emp_sts.Service(
                                    code_matiere=subject,
                                    code_mod_cours="CG",
                                    heures_structure=Decimal("2.00"),
                                    enseignants=(
                                        emp_sts.Enseignant(
                                            type="epp", id=str(sts_id), heures_agent=Decimal(2)
                                        ),
                                    ),
                                )
                                for subject, sts_id in services
                            ),
                        )
                        for code, label, division_codes, services in groups
                    ),
                )
            ),
        )
    )
