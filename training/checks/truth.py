"""The world's truth for the trainee's establishment, as the checks and the autopilot need it.

Only `entsim`'s truth tables are read here. People are matched across systems by INE when the
system has it, else by identity (name, first name, birth date, without case or accents), as a
secretary would.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from entsim.models import (
    CalendarEvent,
    Division,
    Establishment,
    PupilResponsable,
    Schooling,
    Service,
    Staff,
    TeachingGroup,
    World,
)
from entsim.timeline import local


def name_key(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.upper().replace("-", " ").replace("'", " ").split())


def identity(last: str, first: str, born: dt.date | None) -> tuple[str, str, dt.date | None]:
    return name_key(last), name_key(first), born


@dataclass
class TruthPupil:
    pk: int
    ine: str
    last_name: str
    first_name: str
    birth_date: dt.date
    mef: str
    division: str
    options: list[dict]
    arrival: str
    start_date: dt.date
    groups: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple:
        return identity(self.last_name, self.first_name, self.birth_date)

    @property
    def name(self) -> str:
        return f"{self.last_name} {self.first_name}"


@dataclass
class TruthTeacher:
    pk: int
    sts_id: int
    last_name: str
    first_name: str
    birth_date: dt.date
    classes: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple:
        return identity(self.last_name, self.first_name, self.birth_date)

    @property
    def name(self) -> str:
        return f"{self.last_name} {self.first_name}"


@dataclass(frozen=True)
class TruthGroup:
    code: str
    label: str
    subject: str
    divisions: tuple[str, ...]
    pupils: frozenset[int]  # truth pupil pks


def home(world: World) -> Establishment:
    return Establishment.objects.get(pk=world.home_id)


def rentree_event(world: World) -> CalendarEvent | None:
    return (
        CalendarEvent.objects.filter(world=world, kind=CalendarEvent.Kind.RENTREE)
        .order_by("at")
        .first()
    )


def prepared_year(world: World) -> int:
    """The school year the scenario prepares: the one of the calendar's rentrée."""
    event = rentree_event(world)
    if event is not None and event.data.get("annee"):
        return int(event.data["annee"])
    return world.school_year() + 1


def rentree_day(world: World, annee: int) -> dt.date:
    event = rentree_event(world)
    if event is not None:
        return local(event.at).date()
    return dt.date(annee, 9, 1)


def divisions(world: World, annee: int) -> dict[str, tuple[str, str]]:
    """Division code -> (label, MEF) of the home establishment for the year."""
    return {
        code: (label, mef)
        for code, label, mef in Division.objects.filter(
            world=world, establishment_id=world.home_id, school_year=annee
        ).values_list("code", "label", "mef_code")
    }


def groups(world: World, annee: int) -> dict[str, TruthGroup]:
    found = {}
    rows = (
        TeachingGroup.objects.filter(world=world, establishment_id=world.home_id, school_year=annee)
        .prefetch_related("divisions")
        .order_by("code")
    )
    members: dict[int, set[int]] = defaultdict(set)
    for group_id, pupil_id in TeachingGroup.pupils.through.objects.filter(
        teachinggroup__world=world,
        teachinggroup__establishment_id=world.home_id,
        teachinggroup__school_year=annee,
    ).values_list("teachinggroup_id", "pupil_id"):
        members[group_id].add(pupil_id)
    for group in rows:
        found[group.code] = TruthGroup(
            group.code,
            group.label,
            group.subject_code,
            tuple(sorted(d.code for d in group.divisions.all())),
            frozenset(members[group.pk]),
        )
    return found


def pupils(world: World, annee: int, day: dt.date) -> dict[int, TruthPupil]:
    """Pupils really at the home establishment on `day` of the year (pk -> pupil)."""
    rows = (
        Schooling.objects.filter(
            world=world, establishment_id=world.home_id, school_year=annee, start_date__lte=day
        )
        .exclude(end_date__lt=day)
        .select_related("pupil", "division")
        .order_by("pupil__last_name", "pupil__first_name", "pk")
    )
    found = {
        s.pupil_id: TruthPupil(
            pk=s.pupil_id,
            ine=s.pupil.ine,
            last_name=s.pupil.last_name,
            first_name=s.pupil.first_name,
            birth_date=s.pupil.birth_date,
            mef=s.mef_code,
            division=s.division.code,
            options=list(s.options or []),
            arrival=s.arrival,
            start_date=s.start_date,
        )
        for s in rows
    }
    for group in groups(world, annee).values():
        for pk in group.pupils:
            if pk in found:
                found[pk].groups.add(group.code)
    return found


def teachers(world: World, annee: int, day: dt.date) -> dict[int, TruthTeacher]:
    """Teachers of the home establishment with services in the year, in post on `day`."""
    found: dict[int, TruthTeacher] = {}
    services = (
        Service.objects.filter(world=world, establishment_id=world.home_id, school_year=annee)
        .filter(teacher__start_date__lte=day)
        .exclude(teacher__end_date__lt=day)
        .select_related("teacher", "division", "group")
    )
    for service in services:
        teacher = service.teacher
        entry = found.get(teacher.pk)
        if entry is None:
            entry = found[teacher.pk] = TruthTeacher(
                teacher.pk,
                teacher.sts_id,
                teacher.last_name,
                teacher.first_name,
                teacher.birth_date,
            )
        if service.division_id:
            entry.classes.add(service.division.code)
        else:
            entry.groups.add(service.group.code)
    # Replacements in post on `day`: a REP takes the absent teacher's services (changement de
    # support), a SUP teaches them too, for the dates of the suppléance.
    for staff in (
        Staff.objects.filter(
            world=world, establishment_id=world.home_id, replaces__isnull=False, start_date__lte=day
        )
        .exclude(end_date__lt=day)
        .select_related("replaces")
    ):
        absent = found.get(staff.replaces_id)
        if absent is None:
            continue
        entry = found.setdefault(
            staff.pk,
            TruthTeacher(
                staff.pk, staff.sts_id, staff.last_name, staff.first_name, staff.birth_date
            ),
        )
        entry.classes |= absent.classes
        entry.groups |= absent.groups
        if staff.replacement == Staff.Replacement.REP:
            absent.classes, absent.groups = set(), set()
    return found


def services(world: World, annee: int) -> list[Service]:
    return list(
        Service.objects.filter(world=world, establishment_id=world.home_id, school_year=annee)
        .select_related("teacher", "division", "group")
        .order_by("pk")
    )


def legal_ties(world: World, pupil_pks: list[int]) -> dict[int, list[PupilResponsable]]:
    ties: dict[int, list[PupilResponsable]] = defaultdict(list)
    for tie in (
        PupilResponsable.objects.filter(world=world, pupil_id__in=pupil_pks)
        .select_related("responsable__address")
        .order_by("level", "pk")
    ):
        ties[tie.pupil_id].append(tie)
    return ties


def staff_by_sts_id(world: World, sts_id: int) -> Staff | None:
    return Staff.objects.filter(world=world, sts_id=sts_id).first()
