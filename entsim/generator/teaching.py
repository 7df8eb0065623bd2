"""Teaching structure of one establishment in one school year: groups, services, teachers.

Groups: for every option taught in groups (LV2, latin, spécialités, options of terminale), the
pupils of a level who take it, in division order, cut into groups of at most `GROUP_MAX`
pupils; so a group draws its pupils from one or several neighbouring divisions ("3ESP1" from
3A and 3B). Codes: level prefix + subject abbreviation + number ("3ESP1", "1MAT2", "TMEX1",
"2PESP1"), at most 8 characters of letters and digits (STS-web naming rule). Subjects with
`split_hours` in the programme (2de physique-chimie, SVT, SNT) also get two half-division
groups per division ("2NDE1P1", "2NDE1P2").

Services: every subject of a division's programme taught to the whole division, and every
group, is a service. A teacher takes all the subjects of their discipline in a division (HG +
EMC + ACHOR). Services are packed first-fit decreasing into teachers of the right discipline,
up to their weekly service (18 h certifié, 15 h agrégé, 14-16 h for the 15 % who work part
time); a teacher is recruited when none has room. The next year reuses the same teachers
(minus those who leave) before recruiting.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from .. import nomenclatures as nom
from .types import Division, Option, Service, Staff, TeachingGroup

GROUP_MAX = {"LV2": 26, "LATIN": 26, "SPE": 26, "OPT": 26}
# Half-division groups: "2NDE1P1" (physique-chimie), "2NDE1S2" (SVT), "2NDE1N1" (SNT).
SPLIT_LETTER = {nom.PHYSIQUE_CHIMIE: "P", nom.SVT: "S", nom.SNT: "N"}
P_PART_TIME = 0.15
BUNDLE_MAX = Decimal(8)
SUBJECT_ABBR = {
    nom.ESPAGNOL_LV2: "ESP",
    nom.ALLEMAND_LV2: "ALL",
    nom.ITALIEN_LV2: "ITA",
    nom.LCA_LATIN: "LAT",
    nom.MATHEMATIQUES: "MAT",
    nom.PHYSIQUE_CHIMIE: "PC",
    nom.SVT: "SVT",
    nom.SES: "SES",
    nom.HGGSP: "HGG",
    nom.HLP: "HLP",
    nom.LLCER_ANGLAIS: "LLC",
    nom.NSI: "NSI",
    nom.SCIENCES_INGENIEUR: "SI",
    nom.MATHS_COMPLEMENTAIRES: "MCO",
    nom.MATHS_EXPERTES: "MEX",
    nom.DGEMC: "DGE",
}
GRADE_WEIGHTS = {
    "college": {
        "CERT. CL N": 60,
        "CERT. H CL": 17,
        "CERT CE": 5,
        "AGREGE CLN": 5,
        "AGREGE HCL": 3,
        "AC2C2": 10,
    },
    "lycee": {
        "CERT. CL N": 48,
        "CERT. H CL": 15,
        "CERT CE": 4,
        "AGREGE CLN": 14,
        "AGREGE HCL": 6,
        "AGREGE CE": 2,
        "AC2C2": 11,
    },
}
NO_AGREGE = {g: w for g, w in GRADE_WEIGHTS["college"].items() if not g.startswith("AGREGE")}


@dataclass(slots=True)
class Level:
    """The divisions of one level (one MEF, or every bac pro MEF of one year)."""

    prefix: str  # group code prefix: "3", "2", "1", "T", "2P"...
    label: str  # group label suffix: "3E", "2NDE", "1ERE", "TLE", "2NDPRO"
    voie: str
    mef_codes: tuple[str, ...]
    divisions: list[str] = field(default_factory=list)  # in order
    division_mef: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Enrolment:
    """A schooling being built (mutable until the académie is frozen)."""

    ine: str
    uai: str
    year: int
    mef: str
    options: tuple[Option, ...]
    start: dt.date
    end: dt.date | None
    arrival: str
    division: str = ""


@dataclass(slots=True)
class Teacher:
    sts_id: int
    discipline: str
    grade: str
    capacity: Decimal
    identity: dict[str, object]
    start: dt.date
    end: dt.date | None = None
    used: Decimal = Decimal(0)
    years: list[int] = field(default_factory=list)

    def freeze(self, uai: str) -> Staff:
        return Staff(
            sts_id=self.sts_id,
            establishment=uai,
            function="ENS",
            grade=self.grade,
            discipline_code=self.discipline,
            hours=self.capacity,
            start_date=self.start,
            end_date=self.end,
            replacement="",
            replaces=None,
            **self.identity,  # type: ignore[arg-type]
        )


def _group(
    uai: str,
    year: int,
    code: str,
    label: str,
    subject: str,
    chunk: list[tuple[str, str]],
    order: list[str],
) -> TeachingGroup:
    return TeachingGroup(
        establishment=uai,
        school_year=year,
        code=code,
        label=label,
        subject_code=subject,
        divisions=tuple(sorted({d for d, _ in chunk}, key=order.index)),
        pupils=tuple(ine for _, ine in chunk),
    )


def _label(subject: str, suffix: str) -> str:
    court = nom.SUBJECTS[subject].libelle_court
    return f"{court[: 20 - len(suffix)].rstrip()}{suffix}"


def build_groups(
    *, uai: str, year: int, levels: list[Level], enrolments: list[Enrolment]
) -> tuple[list[TeachingGroup], dict[str, tuple[str, Decimal]]]:
    """The groups of the year, and the (MEF, weekly hours) of each group, by group code."""
    by_division: dict[str, list[Enrolment]] = {}
    for enrolment in enrolments:
        by_division.setdefault(enrolment.division, []).append(enrolment)
    groups: list[TeachingGroup] = []
    teaching: dict[str, tuple[str, Decimal]] = {}
    for level in levels:
        # Options taught in groups drawn from the level's divisions.
        subjects: list[tuple[str, nom.OptionSlot]] = []
        for mef in level.mef_codes:
            for slot in nom.PROGRAMMES[mef].slots:
                if slot.in_division:
                    continue
                for subject in slot.subjects:
                    if all(subject != s for s, _ in subjects):
                        subjects.append((subject, slot))
        for subject, slot in subjects:
            takers = [
                (division, e.ine)
                for division in level.divisions
                for e in by_division.get(division, ())
                if any(o.subject == subject for o in e.options)
            ]
            if not takers:
                continue
            count = math.ceil(len(takers) / GROUP_MAX[slot.key])
            for index in range(count):
                chunk = takers[len(takers) * index // count : len(takers) * (index + 1) // count]
                code = f"{level.prefix}{SUBJECT_ABBR[subject]}{index + 1}"
                label = _label(subject, f" {level.label} G{index + 1}")
                groups.append(_group(uai, year, code, label, subject, chunk, level.divisions))
                teaching[code] = (level.mef_codes[0], slot.hours)
        # Half-division groups (dédoublements).
        for division in level.divisions:
            mef = level.division_mef[division]
            members = [(division, e.ine) for e in by_division.get(division, ())]
            if len(members) < 2:
                continue
            for subject, hours in nom.PROGRAMMES[mef].split_lines():
                half = len(members) // 2
                for index, chunk in enumerate((members[:half], members[half:])):
                    code = f"{division}{SPLIT_LETTER[subject]}{index + 1}"
                    label = _label(subject, f" {division} G{index + 1}")
                    groups.append(_group(uai, year, code, label, subject, chunk, level.divisions))
                    teaching[code] = (mef, hours)
    return groups, teaching


@dataclass(slots=True)
class _Bundle:
    disciplines: tuple[str, ...]
    division: str | None
    group: str | None
    items: list[tuple[str, Decimal]]
    total: Decimal


class Faculty:
    """The teachers of one establishment, across both school years."""

    def __init__(
        self,
        *,
        rng: random.Random,
        uai: str,
        kind: str,
        next_sts_id: Callable[[], int],
        identity: Callable[[], dict[str, object]],
    ) -> None:
        self.rng = rng
        self.uai = uai
        self.kind = kind
        self.next_sts_id = next_sts_id
        self.identity = identity
        self.teachers: list[Teacher] = []

    def _recruit(self, discipline: str, year: int, first_year: int) -> Teacher:
        rng = self.rng
        if discipline.startswith("P"):
            weights = NO_AGREGE
        else:
            weights = GRADE_WEIGHTS["college" if self.kind == "college" else "lycee"]
        grade = rng.choices(list(weights), weights=list(weights.values()))[0]
        identity = self.identity()
        if year == first_year:
            birth = identity["birth_date"]
            assert isinstance(birth, dt.date)
            earliest = max(1995, birth.year + 24)
            start = dt.date(rng.randrange(earliest, year + 1) if earliest <= year else year, 9, 1)
        else:
            start = dt.date(year, 9, 1)
        capacity = nom.GRADES[grade]
        if rng.random() < P_PART_TIME:  # temps partiel (80 % or 90 %)
            capacity = Decimal(rng.choice(("14", "15", "16")))
        teacher = Teacher(
            sts_id=self.next_sts_id(),
            discipline=discipline,
            grade=grade,
            capacity=capacity,
            identity=identity,
            start=start,
        )
        self.teachers.append(teacher)
        return teacher

    def staff_services(
        self,
        *,
        year: int,
        first_year: int,
        divisions: list[tuple[str, str]],  # (code, MEF)
        groups: list[TeachingGroup],
        teaching: dict[str, tuple[str, Decimal]],  # group code -> (MEF, weekly hours)
        p_leave: float,
    ) -> tuple[list[Service], dict[str, int]]:
        """Services of the year, and the prof principal of each division (sts_id)."""
        rng = self.rng
        bundles: list[_Bundle] = []
        for code, mef in divisions:
            voie = nom.MEFS[mef].voie
            # One bundle per discipline: the same teacher takes HG, EMC and ACHOR of a class
            # (unless that makes a bundle of more than BUNDLE_MAX hours).
            per_discipline: dict[str, _Bundle] = {}
            for subject, hours in nom.PROGRAMMES[mef].division_lines():
                disciplines = nom.teaching_disciplines(subject, voie)
                bundle = per_discipline.get(disciplines[0])
                if bundle is None or bundle.total + hours > BUNDLE_MAX:
                    bundle = _Bundle(disciplines, code, None, [], Decimal(0))
                    per_discipline[disciplines[0]] = bundle
                    bundles.append(bundle)
                bundle.items.append((subject, hours))
                bundle.total += hours
        for group in groups:
            mef, hours = teaching[group.code]
            disciplines = nom.teaching_disciplines(group.subject_code, nom.MEFS[mef].voie)
            bundles.append(
                _Bundle(disciplines, None, group.code, [(group.subject_code, hours)], hours)
            )
        # This year's teachers: those still here, with an empty timetable.
        active: list[Teacher] = []
        for teacher in self.teachers:
            if teacher.end is not None:
                continue
            if year != first_year and rng.random() < p_leave:
                teacher.end = dt.date(year, 8, 31)
                continue
            teacher.used = Decimal(0)
            active.append(teacher)
        by_discipline: dict[str, list[Teacher]] = {}
        for teacher in active:
            by_discipline.setdefault(teacher.discipline, []).append(teacher)
        bundles.sort(key=lambda b: (b.disciplines[0], -b.total, b.division or "", b.group or ""))
        services: list[Service] = []
        hours_in_division: dict[str, dict[int, Decimal]] = {}
        for bundle in bundles:
            chosen = None
            for discipline in bundle.disciplines:
                for teacher in by_discipline.get(discipline, ()):
                    if teacher.used + bundle.total <= teacher.capacity:
                        chosen = teacher
                        break
                if chosen is not None:
                    break
            if chosen is None:
                chosen = self._recruit(bundle.disciplines[0], year, first_year)
                by_discipline.setdefault(chosen.discipline, []).append(chosen)
                active.append(chosen)
            chosen.used += bundle.total
            if year not in chosen.years:
                chosen.years.append(year)
            for subject, hours in bundle.items:
                services.append(
                    Service(
                        establishment=self.uai,
                        school_year=year,
                        teacher=chosen.sts_id,
                        division=bundle.division,
                        group=bundle.group,
                        subject_code=subject,
                        mod_cours="CG",
                        hours=hours,
                    )
                )
            if bundle.division is not None:
                per_teacher = hours_in_division.setdefault(bundle.division, {})
                per_teacher[chosen.sts_id] = per_teacher.get(chosen.sts_id, 0) + bundle.total
        # A teacher of last year with nothing to teach this year has left.
        if year != first_year:
            for teacher in active:
                if year not in teacher.years and teacher.end is None:
                    teacher.end = dt.date(year, 8, 31)
        principals: dict[str, int] = {}
        taken: set[int] = set()
        for code, _mef in divisions:
            ranked = sorted(hours_in_division.get(code, {}).items(), key=lambda kv: (-kv[1], kv[0]))
            pick = next((sts for sts, _ in ranked if sts not in taken), None)
            if pick is None and ranked:
                pick = ranked[0][0]
            if pick is not None:
                principals[code] = pick
                taken.add(pick)
        return services, principals


def freeze_divisions(
    *, uai: str, year: int, names: list[tuple[str, str, str]], principals: dict[str, int]
) -> list[Division]:
    return [
        Division(
            establishment=uai,
            school_year=year,
            code=code,
            label=label,
            mef_code=mef,
            prof_principal=principals.get(code),
        )
        for code, label, mef in names
    ]
