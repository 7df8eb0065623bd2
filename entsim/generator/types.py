"""The generated académie: frozen dataclasses, no Django.

Rows refer to each other by natural keys: an establishment by its UAI, a pupil by its INE, a
member of staff by its STS id, a division or a group by (UAI, school year, code), an address or
a responsable by its `key` (its rank in generation order, stable for a given seed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Establishment:
    uai: str
    kind: str  # "college", "lycee", "lp"
    sigle: str
    nature_code: str
    name: str
    commune: str
    commune_insee: str
    code_postal: str
    address: str
    telephone: str
    is_home: bool


@dataclass(frozen=True, slots=True)
class Address:
    key: int
    line1: str
    line2: str
    line3: str
    line4: str
    code_postal: str
    commune_insee: str
    commune: str
    country_code: str = "100"


@dataclass(frozen=True, slots=True)
class Responsable:
    key: int
    civilite: str  # "M." or "MME"
    last_name: str
    usage_name: str
    first_name: str
    address: int  # Address.key
    tel_personnel: str
    tel_portable: str
    tel_professionnel: str
    email: str
    profession_code: str


@dataclass(frozen=True, slots=True)
class Pupil:
    ine: str
    last_name: str
    usage_name: str
    first_name: str
    first_name2: str
    first_name3: str
    sex: str  # "1" masculin, "2" féminin
    birth_date: dt.date
    birth_country: str
    birth_departement: str
    birth_commune_insee: str
    birth_commune: str
    nationality: str
    regime: str
    address: int  # Address.key


@dataclass(frozen=True, slots=True)
class Tie:
    pupil: str  # INE
    responsable: int  # Responsable.key
    parente: str
    level: int  # 1 légal, 2 en charge, 3 contact
    financier: bool
    contact: bool
    paiement: bool


@dataclass(frozen=True, slots=True)
class Staff:
    sts_id: int
    establishment: str  # UAI
    function: str  # ENS, DIR, EDU, DOC, ADF
    civilite: str
    sex: str
    last_name: str
    birth_name: str
    first_name: str
    birth_date: dt.date
    grade: str
    discipline_code: str
    hours: Decimal
    start_date: dt.date
    end_date: dt.date | None
    replacement: str  # "", "REP", "SUP"
    replaces: int | None  # sts_id of the absent teacher


@dataclass(frozen=True, slots=True)
class Division:
    establishment: str
    school_year: int
    code: str
    label: str
    mef_code: str
    prof_principal: int | None  # sts_id


@dataclass(frozen=True, slots=True)
class TeachingGroup:
    establishment: str
    school_year: int
    code: str
    label: str
    subject_code: str
    divisions: tuple[str, ...]  # division codes, sorted
    pupils: tuple[str, ...]  # INEs, in division order


@dataclass(frozen=True, slots=True)
class Option:
    subject: str
    modalite: str


@dataclass(frozen=True, slots=True)
class Schooling:
    pupil: str
    establishment: str
    school_year: int
    mef_code: str
    division: str
    options: tuple[Option, ...]  # in NUM_OPTION order
    start_date: dt.date
    end_date: dt.date | None
    arrival: str  # "continuing", "affectation", "neighbour", "other_academie"


@dataclass(frozen=True, slots=True)
class Service:
    establishment: str
    school_year: int
    teacher: int  # sts_id
    division: str | None
    group: str | None
    subject_code: str
    mod_cours: str
    hours: Decimal


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    at: dt.datetime
    kind: str
    label: str
    establishment: str | None
    pupil: str | None
    staff: int | None
    data: Mapping[str, object] = field(default_factory=dict)
    happened_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Academie:
    seed: int
    size: str
    code: str
    name: str
    clock_start: dt.datetime
    current_year: int
    next_year: int
    establishments: tuple[Establishment, ...]
    addresses: tuple[Address, ...]
    responsables: tuple[Responsable, ...]
    pupils: tuple[Pupil, ...]
    ties: tuple[Tie, ...]
    staff: tuple[Staff, ...]
    divisions: tuple[Division, ...]
    groups: tuple[TeachingGroup, ...]
    schoolings: tuple[Schooling, ...]
    services: tuple[Service, ...]
    events: tuple[CalendarEvent, ...]

    @property
    def home(self) -> Establishment:
        return next(e for e in self.establishments if e.is_home)
