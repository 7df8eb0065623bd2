"""generate_academie: the académie's truth, from a seed, without a database.

Determinism: one `random.Random(seed)` and one Faker('fr_FR') seeded with `seed_instance(seed)`
make every draw, in a fixed order; no set of strings is iterated, nothing depends on today's
date. The same (seed, size, neighbours) gives an equal `Academie`.

The world opens in June of school year 2026-2027 (CURRENT_YEAR); the truth holds that year
and the next one (NEXT_YEAR), which trainees prepare:
- 2026: every establishment with its divisions, pupils, options, groups, teachers, services.
- 2027: pupils move up a MEF (a few repeat, a few move away); collège 3e pupils are affected
  to a lycée of the world in 2de (same pupil, new schooling, arrival "affectation") or leave
  the world; terminale pupils leave; entry levels (6e, 2de) are completed with new pupils
  (arrival "affectation"); a few pupils move between the home establishment and a neighbour
  (arrival "neighbour") and a few arrive from another académie ("other_academie").
- Calendar events of 2027 (bascule, affectation, rentrée, REP, SUP, arrivals, a departure).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from faker import Faker

from .. import nomenclatures as nom
from .options import choose_options
from .people import People
from .teaching import Enrolment, Faculty, Level, Teacher, build_groups, freeze_divisions
from .types import (
    Academie,
    CalendarEvent,
    Division,
    Establishment,
    Schooling,
    Service,
    Staff,
    TeachingGroup,
)

PARIS = ZoneInfo("Europe/Paris")
CURRENT_YEAR = 2026  # school year 2026-2027, in progress when the world opens
NEXT_YEAR = 2027  # school year 2027-2028, in preparation
CLOCK_START = dt.datetime(2027, 6, 14, 8, 0, tzinfo=PARIS)
RENTREE = {CURRENT_YEAR: dt.date(2026, 9, 1), NEXT_YEAR: dt.date(2027, 9, 1)}
SIZES = ("college-200", "college", "lycee", "lycee-2000")

# Pupil flows between the two years.
P_MOVE_AWAY = 0.015  # leaves the world at the end of the year (moves out of the académie)
P_REPEAT = {"college": 0.01, "gt": 0.015, "pro": 0.02}
P_REPEAT_LAST = {"college": 0.02, "gt": 0.04, "pro": 0.03}
P_TEACHER_LEAVES = 0.04  # mutation at the end of the year
HOME_MOVERS_IN = 4  # pupils of a neighbour who come to the home establishment at the rentrée
HOME_MOVERS_OUT = 2
HOME_OTHER_ACADEMIE = 2

# Typical division sizes (min, max) and weights for the exact total of the home establishment.
DIVISION_SIZE = {"college": (23, 28), "gt": (28, 33), "pro": (20, 26)}
DIVISION_WEIGHT = {"college": 25, "gt": 31, "pro": 24}
REGIME_WEIGHTS = {
    "college": (("2", 64), ("0", 31), ("1", 5)),
    "lycee": (("2", 55), ("0", 38), ("1", 2), ("3", 4), ("5", 1)),
}
PRO_SPECIALITY = {"COMMERCE": "COM", "SECRETARIAT": "SEC", "COMPTABILITE": "CPT"}


@dataclass(frozen=True, slots=True)
class SizeSpec:
    kind: str
    layout: tuple[tuple[str, int], ...]  # (MEF, number of divisions)
    pupils: int  # home pupils in the current year, exactly
    staff: tuple[int, int, int, int]  # adjoints, CPE, documentalistes, secretaries


HOME_SPECS: dict[str, SizeSpec] = {
    # A small rural collège: two divisions per level.
    "college-200": SizeSpec(
        "college",
        ((nom.MEF_6EME, 2), (nom.MEF_5EME, 2), (nom.MEF_4EME, 2), (nom.MEF_3EME, 2)),
        200,
        (1, 1, 1, 2),
    ),
    "college": SizeSpec(
        "college",
        ((nom.MEF_6EME, 5), (nom.MEF_5EME, 5), (nom.MEF_4EME, 5), (nom.MEF_3EME, 5)),
        500,
        (1, 2, 1, 3),
    ),
    "lycee": SizeSpec(
        "lycee",
        (
            (nom.MEF_2NDE_GT, 10),
            (nom.MEF_1ERE_G, 10),
            (nom.MEF_TLE_G, 10),
            (nom.MEF_2NDPRO_COMMERCE, 1),
            (nom.MEF_1ERPRO_COMMERCE, 1),
            (nom.MEF_TLEPRO_COMMERCE, 1),
        ),
        1000,
        (2, 3, 2, 4),
    ),
    # The figure on the guide's SIECLE dashboard: 2,057 pupils.
    "lycee-2000": SizeSpec(
        "lycee",
        (
            (nom.MEF_2NDE_GT, 20),
            (nom.MEF_1ERE_G, 19),
            (nom.MEF_TLE_G, 19),
            (nom.MEF_2NDPRO_COMMERCE, 2),
            (nom.MEF_1ERPRO_COMMERCE, 2),
            (nom.MEF_TLEPRO_COMMERCE, 2),
            (nom.MEF_2NDPRO_SECRETARIAT, 2),
            (nom.MEF_1ERPRO_SECRETARIAT, 2),
            (nom.MEF_TLEPRO_SECRETARIAT, 2),
        ),
        2057,
        (3, 4, 2, 6),
    ),
}

HOME_COMMUNES = (
    *(f"132{n:02d}" for n in range(1, 17)),
    "13001",
    "13005",
    "13056",
    "13103",
    "13047",
    "13117",
    "13054",
    "13028",
    "13004",
    "84007",
    "84031",
    "05061",
    "04070",
    "04112",
)
PATRONS = (
    "JEAN MOULIN",
    "MARCEL PAGNOL",
    "VICTOR HUGO",
    "JULES FERRY",
    "ALBERT CAMUS",
    "FREDERIC MISTRAL",
    "PAUL CEZANNE",
    "JEAN GIONO",
    "EDMOND ROSTAND",
    "MARIE CURIE",
    "LOUIS PASTEUR",
    "ARTHUR RIMBAUD",
    "SIMONE VEIL",
    "JEAN JAURES",
    "PIERRE MENDES FRANCE",
    "GEORGES BRASSENS",
    "JACQUES PREVERT",
    "ANTOINE DE SAINT-EXUPERY",
    "HONORE DAUMIER",
    "ALPHONSE DAUDET",
    "EMILE ZOLA",
    "JEAN ROSTAND",
    "LOUISE MICHEL",
    "CONDORCET",
    "MONTESQUIEU",
    "LES CHARTREUX",
    "LES CALANQUES",
    "LE VALLON",
    "LES OLIVIERS",
    "LA PINEDE",
    "MONT VENTOUX",
    "SAINTE-VICTOIRE",
    "ROSA PARKS",
    "NELSON MANDELA",
    "OLYMPE DE GOUGES",
    "GERMAINE TILLION",
    "LUCIE AUBRAC",
    "CAMILLE CLAUDEL",
    "RENE CHAR",
    "ELSA TRIOLET",
)
NEIGHBOUR_DIVISIONS = (2, 3, 3)  # divisions per MEF of a neighbour, drawn


@dataclass(slots=True)
class _Plan:
    est: Establishment
    commune: nom.Commune
    layout: tuple[tuple[str, int], ...]
    exact_total: int | None
    staff: tuple[int, int, int, int]
    names: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # MEF -> (code, label)
    routes: list[tuple[str | None, str, float]] = field(default_factory=list)  # collèges

    @property
    def uai(self) -> str:
        return self.est.uai

    @property
    def kind(self) -> str:
        return self.est.kind

    def entry_mefs(self) -> list[str]:
        rank = 0 if self.kind == "college" else 4
        return [mef for mef, _ in self.layout if nom.MEFS[mef].rank == rank]


def division_names(mef_code: str, count: int) -> list[tuple[str, str]]:
    """Meaningful division codes (<= 8 characters) and labels (<= 20 characters)."""
    mef = nom.MEFS[mef_code]
    if mef.voie == nom.Voie.COLLEGE:
        digit = str(6 - mef.rank)
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        return [(f"{digit}{letters[i]}", f"{digit}EME {letters[i]}") for i in range(count)]
    if mef.voie == nom.Voie.GT:
        code, label = {4: ("2NDE", "2NDE"), 5: ("1ERE", "1ERE"), 6: ("TLE", "TERMINALE")}[mef.rank]
        return [(f"{code}{i + 1}", f"{label} {i + 1}") for i in range(count)]
    speciality = mef.libelle_long.split(" ", 1)[1]
    abbr = PRO_SPECIALITY.get(speciality, speciality[:3])
    digit = {4: "2", 5: "1", 6: "T"}[mef.rank]
    if count == 1:
        return [(f"{digit}P{abbr}", f"{mef.formation} {speciality}"[:20])]
    return [
        (f"{digit}P{abbr}{i + 1}", f"{mef.formation} {speciality}"[:17] + f" {i + 1}")
        for i in range(count)
    ]


def level_of(mef_code: str) -> tuple[str, str, str]:
    """(group code prefix, group label level, level key) of a MEF."""
    mef = nom.MEFS[mef_code]
    if mef.voie == nom.Voie.COLLEGE:
        digit = str(6 - mef.rank)
        return digit, f"{digit}E", mef_code
    if mef.voie == nom.Voie.GT:
        prefix, label = {4: ("2", "2NDE"), 5: ("1", "1ERE"), 6: ("T", "TLE")}[mef.rank]
        return prefix, label, mef_code
    prefix, label = {4: ("2P", "2NDPRO"), 5: ("1P", "1ERPRO"), 6: ("TP", "TLEPRO")}[mef.rank]
    return prefix, label, f"pro{mef.rank}"


def split_evenly(total: int, parts: int) -> list[int]:
    return [total * (i + 1) // parts - total * i // parts for i in range(parts)]


class _Builder:
    def __init__(self, *, seed: int, size: str, neighbours: int | None) -> None:
        if size not in HOME_SPECS:
            raise ValueError(f"Taille inconnue : {size}. Tailles possibles : {', '.join(SIZES)}.")
        if neighbours is not None and neighbours < 0:
            raise ValueError("Le nombre d'établissements voisins doit être positif.")
        self.seed = seed
        self.size = size
        self.spec = HOME_SPECS[size]
        self.rng = random.Random(seed)
        fake = Faker("fr_FR")
        fake.seed_instance(seed)
        self.people = People(self.rng, fake)
        if neighbours is None:
            neighbours = 3 if self.spec.kind == "college" else 4
        self.n_neighbours = neighbours
        self.plans: list[_Plan] = []
        self.enrolments: dict[int, list[Enrolment]] = {CURRENT_YEAR: [], NEXT_YEAR: []}
        self.staff: list[Staff] = []
        self.faculties: dict[str, Faculty] = {}
        self.divisions: list[Division] = []
        self.groups: list[TeachingGroup] = []
        self.services: list[Service] = []
        self.events: list[CalendarEvent] = []
        self.replacements: list[Staff] = []  # REP and SUP
        self.special: dict[str, Enrolment] = {}  # the pupils of the calendar
        self._sts_id = self.rng.randrange(10_000, 60_000)
        self._used_uai: set[str] = set()
        self._patrons = list(PATRONS)
        self.rng.shuffle(self._patrons)

    # -- identifiers ----------------------------------------------------------------------------

    def next_sts_id(self) -> int:
        self._sts_id += self.rng.randrange(1, 60)
        return self._sts_id

    def _uai(self, departement: str) -> str:
        while True:
            seven = f"{departement}{self.rng.randrange(1000, 3000):04d}"
            uai = nom.uai_make(seven)
            if uai not in self._used_uai:
                self._used_uai.add(uai)
                return uai

    def _patron(self) -> str:
        if not self._patrons:
            self._patrons = list(PATRONS)
            self.rng.shuffle(self._patrons)
        return self._patrons.pop()

    # -- establishments -------------------------------------------------------------------------

    def _establishment(self, kind: str, commune: nom.Commune, home: bool) -> Establishment:
        nature = nom.NATURE_BY_KIND[kind]
        title = {"college": "COLLEGE", "lycee": "LYCEE", "lp": "LYCEE PROFESSIONNEL"}[kind]
        return Establishment(
            uai=self._uai(commune.departement),
            kind=kind,
            sigle=nature.sigle,
            nature_code=nature.code,
            name=f"{title} {self._patron()}"[:60],
            commune=commune.mail_name,
            commune_insee=commune.insee,
            code_postal=commune.code_postal,
            address=self.people.street_line(),
            telephone=self.people.phone_landline(commune.departement),
            is_home=home,
        )

    def _neighbour_commune(self, home: nom.Commune) -> nom.Commune:
        rng = self.rng
        same_dep = [c for c in nom.COMMUNES.values() if c.departement == home.departement]
        if home.mail_name == "MARSEILLE" and rng.random() < 0.7:
            return nom.COMMUNES[f"132{rng.randrange(1, 17):02d}"]
        if rng.random() < 0.4:
            return home
        return rng.choice(same_dep)

    def _neighbour_layout(self, kind: str) -> tuple[tuple[str, int], ...]:
        rng = self.rng
        if kind == "college":
            mefs: tuple[str, ...] = (nom.MEF_6EME, nom.MEF_5EME, nom.MEF_4EME, nom.MEF_3EME)
        elif kind == "lycee":
            mefs = (nom.MEF_2NDE_GT, nom.MEF_1ERE_G, nom.MEF_TLE_G)
        else:
            mefs = (
                nom.MEF_2NDPRO_COMMERCE,
                nom.MEF_1ERPRO_COMMERCE,
                nom.MEF_TLEPRO_COMMERCE,
                nom.MEF_2NDPRO_SECRETARIAT,
                nom.MEF_1ERPRO_SECRETARIAT,
                nom.MEF_TLEPRO_SECRETARIAT,
            )
        if kind == "lp":
            return tuple((mef, rng.choice((1, 2))) for mef in mefs)
        if kind == "lycee":
            return tuple((mef, 3) for mef in mefs)
        count = rng.choice(NEIGHBOUR_DIVISIONS)
        return tuple((mef, count) for mef in mefs)

    def plan_establishments(self) -> None:
        rng = self.rng
        spec = self.spec
        home_commune = nom.COMMUNES[rng.choice(HOME_COMMUNES)]
        home = _Plan(
            est=self._establishment(spec.kind, home_commune, True),
            commune=home_commune,
            layout=spec.layout,
            exact_total=spec.pupils,
            staff=spec.staff,
        )
        self.plans.append(home)
        n = self.n_neighbours
        if spec.kind == "college":
            n_lycees = max(1, n // 3) if n else 0
        else:
            n_lycees = max(1, n // 4) if n else 0
        n_colleges = n - n_lycees
        kinds = ["college"] * n_colleges + [
            "lp" if i % 4 == 3 else "lycee" for i in range(n_lycees)
        ]
        for kind in kinds:
            commune = self._neighbour_commune(home_commune)
            self.plans.append(
                _Plan(
                    est=self._establishment(kind, commune, False),
                    commune=commune,
                    layout=self._neighbour_layout(kind),
                    exact_total=None,
                    staff=(1, 1, 1, 2),
                )
            )
        for plan in self.plans:
            for mef, count in plan.layout:
                plan.names[mef] = division_names(mef, count)
        self._plan_routes()

    def _plan_routes(self) -> None:
        """Where the 3e pupils of each collège go in 2de (sector lycée, others, pro)."""
        gt_lycees = [p for p in self.plans if p.kind == "lycee"]
        pro_lycees = [
            p for p in self.plans if any(nom.MEFS[m].voie == nom.Voie.PRO for m, _ in p.layout)
        ]
        home = self.plans[0]
        colleges = [p for p in self.plans if p.kind == "college"]
        neighbour_gt = [p for p in gt_lycees if p is not home] or gt_lycees
        for index, college in enumerate(colleges):
            if home.kind == "lycee" and index < 3:
                sector = home  # the home lycée's feeder collèges
            elif neighbour_gt:
                sector = neighbour_gt[index % len(neighbour_gt)]
            else:
                continue
            routes: list[tuple[str | None, str, float]] = [(sector.uai, nom.Voie.GT, 0.72)]
            others = [p for p in gt_lycees if p is not sector]
            if others:
                routes.append((others[index % len(others)].uai, nom.Voie.GT, 0.1))
            if pro_lycees:
                home_has_pro = any(p is home for p in pro_lycees)
                pro = (
                    home if home_has_pro and sector is home else pro_lycees[index % len(pro_lycees)]
                )
                routes.append((pro.uai, nom.Voie.PRO, 0.12))
            college.routes = routes

    def plan_staff(self) -> None:
        """Direction, vie scolaire, documentation and secretaries of every establishment."""
        rng = self.rng
        for plan in self.plans:
            adjoints, cpe, doc, adf = plan.staff
            roles = (
                [("DIR", "D0010", "")]
                + [("DIR", "D0011", "")] * adjoints
                + [("EDU", "E0030", "")] * cpe
                + [("DOC", "L0080", "CERT. CL N")] * doc
                + [("ADF", "", "")] * adf
            )
            for function, discipline, grade in roles:
                born = (1963, 1983) if function == "DIR" else (1965, 1999)
                identity = self.people.staff_identity(born)
                birth = identity["birth_date"]
                assert isinstance(birth, dt.date)
                earliest = min(CURRENT_YEAR, max(2005, birth.year + 25))
                start = dt.date(rng.randrange(earliest, CURRENT_YEAR + 1), 9, 1)
                self.staff.append(
                    Staff(
                        sts_id=self.next_sts_id(),
                        establishment=plan.uai,
                        function=function,
                        grade=grade,
                        discipline_code=discipline,
                        hours=Decimal(0),
                        start_date=start,
                        end_date=None,
                        replacement="",
                        replaces=None,
                        **identity,  # type: ignore[arg-type]
                    )
                )

    # -- pupils ---------------------------------------------------------------------------------

    def _regime(self, kind: str) -> str:
        table = REGIME_WEIGHTS["college" if kind == "college" else "lycee"]
        return self.rng.choices([c for c, _ in table], weights=[w for _, w in table])[0]

    def _birth_year(self, mef_code: str, year: int) -> int:
        mef = nom.MEFS[mef_code]
        normal = year - 11 - mef.rank
        r = self.rng.random()
        late = 0.3 if mef.voie == nom.Voie.PRO else 0.11
        if r < 0.02:
            return normal + 1
        if r < 0.02 + late:
            return normal - 1
        if r < 0.03 + late:
            return normal - 2
        return normal

    def _new_enrolment(self, plan: _Plan, mef: str, year: int, arrival: str) -> Enrolment:
        pupil = self.people.new_pupil(
            birth_year=self._birth_year(mef, year),
            commune=plan.commune,
            regime=self._regime(plan.kind),
        )
        return Enrolment(
            ine=pupil.ine,
            uai=plan.uai,
            year=year,
            mef=mef,
            options=choose_options(self.rng, mef),
            start=RENTREE[year],
            end=None,
            arrival=arrival,
        )

    def _division_counts(self, plan: _Plan) -> dict[str, list[int]]:
        rng = self.rng
        if plan.exact_total is None:
            return {
                mef: [rng.randint(*DIVISION_SIZE[nom.MEFS[mef].voie]) for _ in range(n)]
                for mef, n in plan.layout
            }
        weights = [
            (mef, DIVISION_WEIGHT[nom.MEFS[mef].voie]) for mef, n in plan.layout for _ in range(n)
        ]
        total_weight = sum(w for _, w in weights)
        sizes = [plan.exact_total * w // total_weight for _, w in weights]
        for i in range(plan.exact_total - sum(sizes)):
            sizes[i % len(sizes)] += 1
        counts: dict[str, list[int]] = {}
        for (mef, _), size in zip(weights, sizes, strict=True):
            counts.setdefault(mef, []).append(size)
        return counts

    def _assign_divisions(
        self, plan: _Plan, mef: str, enrolments: list[Enrolment], counts: list[int] | None = None
    ) -> None:
        names = plan.names[mef]
        if counts is None:
            counts = split_evenly(len(enrolments), len(names))
        order = list(enrolments)
        self.rng.shuffle(order)
        position = 0
        for (code, _), count in zip(names, counts, strict=True):
            for enrolment in order[position : position + count]:
                enrolment.division = code
            position += count

    def year_current(self) -> None:
        year = CURRENT_YEAR
        for plan in self.plans:
            counts = self._division_counts(plan)
            entry = set(plan.entry_mefs())
            for mef, _ in plan.layout:
                arrival = "affectation" if mef in entry else "continuing"
                batch = [
                    self._new_enrolment(plan, mef, year, arrival) for _ in range(sum(counts[mef]))
                ]
                self._assign_divisions(plan, mef, batch, counts[mef])
                self.enrolments[year].extend(batch)

    def year_next(self) -> None:
        rng = self.rng
        year = NEXT_YEAR
        plans = {p.uai: p for p in self.plans}
        nxt: list[Enrolment] = []
        leaving_college: list[Enrolment] = []
        for e in self.enrolments[CURRENT_YEAR]:
            mef = nom.MEFS[e.mef]
            if rng.random() < P_MOVE_AWAY:
                continue
            repeat = P_REPEAT_LAST if mef.next_code is None else P_REPEAT
            if rng.random() < repeat[mef.voie]:
                nxt.append(
                    Enrolment(
                        e.ine, e.uai, year, e.mef, e.options, RENTREE[year], None, "continuing"
                    )
                )
            elif mef.next_code is not None:
                options = choose_options(rng, mef.next_code, e.options, e.mef)
                nxt.append(
                    Enrolment(
                        e.ine,
                        e.uai,
                        year,
                        mef.next_code,
                        options,
                        RENTREE[year],
                        None,
                        "continuing",
                    )
                )
            elif mef.voie == nom.Voie.COLLEGE:
                leaving_college.append(e)
            # after terminale: the pupil leaves the world
        # Affectation in 2de: capacity of each entry MEF = its size this year.
        capacity: dict[tuple[str, str], int] = {}
        for e in self.enrolments[CURRENT_YEAR]:
            if nom.MEFS[e.mef].rank == 4:
                capacity[(e.uai, e.mef)] = capacity.get((e.uai, e.mef), 0) + 1
        filled: dict[tuple[str, str], int] = {}
        rng.shuffle(leaving_college)
        for e in leaving_college:
            routes = plans[e.uai].routes
            r = rng.random()
            target = None
            for uai, voie, weight in routes:
                if r < weight:
                    target = (uai, voie)
                    break
                r -= weight
            if target is None or target[0] is None:
                continue
            lycee = plans[target[0]]
            mefs = [
                m
                for m, n in lycee.layout
                if nom.MEFS[m].rank == 4 and nom.MEFS[m].voie == target[1]
            ]
            if not mefs:
                continue
            weights = [n for m, n in lycee.layout if m in mefs]
            mef_code = rng.choices(mefs, weights=weights)[0]
            key = (lycee.uai, mef_code)
            if filled.get(key, 0) >= capacity.get(key, 0):
                continue  # no room: affected to a lycée outside the world
            filled[key] = filled.get(key, 0) + 1
            options = choose_options(rng, mef_code, e.options, e.mef)
            nxt.append(
                Enrolment(
                    e.ine, lycee.uai, year, mef_code, options, RENTREE[year], None, "affectation"
                )
            )
        self._movers(nxt)
        # Entry levels completed with new pupils (from schools outside the world).
        have: dict[tuple[str, str], int] = {}
        for e in nxt:
            have[(e.uai, e.mef)] = have.get((e.uai, e.mef), 0) + 1
        current: dict[tuple[str, str], int] = {}
        for e in self.enrolments[CURRENT_YEAR]:
            current[(e.uai, e.mef)] = current.get((e.uai, e.mef), 0) + 1
        for plan in self.plans:
            for mef in plan.entry_mefs():
                missing = current.get((plan.uai, mef), 0) - have.get((plan.uai, mef), 0)
                for _ in range(max(0, missing)):
                    nxt.append(self._new_enrolment(plan, mef, year, "affectation"))
        self._arrivals_during_year(nxt)
        by_key: dict[tuple[str, str], list[Enrolment]] = {}
        for e in nxt:
            by_key.setdefault((e.uai, e.mef), []).append(e)
        for plan in self.plans:
            for mef, _ in plan.layout:
                self._assign_divisions(plan, mef, by_key.get((plan.uai, mef), []))
        self.enrolments[year] = nxt

    def _movers(self, nxt: list[Enrolment]) -> None:
        """Pupils moving between the home establishment and a neighbour of the same kind."""
        rng = self.rng
        home = self.plans[0]
        same = [p for p in self.plans[1:] if p.kind == home.kind]
        if not same:
            return
        home_mefs = {m for m, _ in home.layout}
        same_uai = {p.uai for p in same}
        candidates = [
            i
            for i, e in enumerate(nxt)
            if e.uai in same_uai and e.arrival == "continuing" and e.mef in home_mefs
        ]
        for i in sorted(rng.sample(candidates, min(HOME_MOVERS_IN, len(candidates)))):
            nxt[i].uai = home.uai
            nxt[i].arrival = "neighbour"
        target = same[0]
        target_mefs = {m for m, _ in target.layout}
        candidates = [
            i
            for i, e in enumerate(nxt)
            if e.uai == home.uai and e.arrival == "continuing" and e.mef in target_mefs
        ]
        for i in sorted(rng.sample(candidates, min(HOME_MOVERS_OUT, len(candidates)))):
            nxt[i].uai = target.uai
            nxt[i].arrival = "neighbour"
        non_entry = [m for m, _ in home.layout if m not in home.entry_mefs()]
        for _ in range(HOME_OTHER_ACADEMIE):
            nxt.append(
                self._new_enrolment(home, rng.choice(non_entry), NEXT_YEAR, "other_academie")
            )

    def _arrivals_during_year(self, nxt: list[Enrolment]) -> None:
        """The pupils of the calendar: one from a neighbour, one from another académie, one
        who leaves."""
        rng = self.rng
        home = self.plans[0]
        same = {p.uai for p in self.plans[1:] if p.kind == home.kind}
        home_mefs = {m for m, _ in home.layout}
        candidates = [
            e for e in nxt if e.uai in same and e.arrival == "continuing" and e.mef in home_mefs
        ]
        if candidates:
            moving = rng.choice(candidates)
            moving.end = dt.date(2027, 9, 17)
            arrival = Enrolment(
                moving.ine,
                home.uai,
                NEXT_YEAR,
                moving.mef,
                moving.options,
                dt.date(2027, 9, 20),
                None,
                "neighbour",
            )
            nxt.append(arrival)
            self.special["from_neighbour"] = arrival
            self.special["from_neighbour_before"] = moving
        non_entry = [m for m, _ in home.layout if m not in home.entry_mefs()]
        other = self._new_enrolment(home, rng.choice(non_entry), NEXT_YEAR, "other_academie")
        other.start = dt.date(2027, 10, 4)
        nxt.append(other)
        self.special["other_academie"] = other
        staying = [e for e in nxt if e.uai == home.uai and e.arrival == "continuing"]
        leaver = rng.choice(staying)
        leaver.end = dt.date(2027, 10, 15)
        self.special["leaves"] = leaver

    # -- teaching -----------------------------------------------------------------------------

    def teaching(self) -> None:
        for plan in self.plans:
            faculty = Faculty(
                rng=self.rng,
                uai=plan.uai,
                kind=plan.kind,
                next_sts_id=self.next_sts_id,
                identity=self.people.staff_identity,
            )
            self.faculties[plan.uai] = faculty
            levels: dict[str, Level] = {}
            for mef, _ in plan.layout:
                prefix, label, key = level_of(mef)
                level = levels.get(key)
                if level is None:
                    level = Level(prefix, label, nom.MEFS[mef].voie, (mef,))
                    levels[key] = level
                elif mef not in level.mef_codes:
                    level.mef_codes = (*level.mef_codes, mef)
                for code, _ in plan.names[mef]:
                    level.divisions.append(code)
                    level.division_mef[code] = mef
            names = [
                (code, label, mef) for mef, _ in plan.layout for code, label in plan.names[mef]
            ]
            for year in (CURRENT_YEAR, NEXT_YEAR):
                enrolments = [e for e in self.enrolments[year] if e.uai == plan.uai]
                groups, group_teaching = build_groups(
                    uai=plan.uai, year=year, levels=list(levels.values()), enrolments=enrolments
                )
                services, principals = faculty.staff_services(
                    year=year,
                    first_year=CURRENT_YEAR,
                    divisions=[(code, mef) for code, _, mef in names],
                    groups=groups,
                    teaching=group_teaching,
                    p_leave=P_TEACHER_LEAVES,
                )
                self.groups.extend(groups)
                self.services.extend(services)
                self.divisions.extend(
                    freeze_divisions(uai=plan.uai, year=year, names=names, principals=principals)
                )

    # -- calendar -------------------------------------------------------------------------------

    def calendar(self) -> None:
        rng = self.rng
        home = self.plans[0]
        faculty = self.faculties[home.uai]

        def at(day: dt.date, hour: int) -> dt.datetime:
            return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS)

        def event(when: dt.datetime, kind: str, label: str, **kwargs: object) -> None:
            happened = when if when < CLOCK_START else None
            self.events.append(
                CalendarEvent(
                    at=when,
                    kind=kind,
                    label=label,
                    establishment=kwargs.pop("establishment", home.uai),  # type: ignore[arg-type]
                    pupil=kwargs.pop("pupil", None),  # type: ignore[arg-type]
                    staff=kwargs.pop("staff", None),  # type: ignore[arg-type]
                    data=dict(kwargs.pop("data", {})),  # type: ignore[call-overload]
                    happened_at=happened,
                )
            )

        event(
            at(dt.date(2027, 5, 25), 18),
            "bee_bascule",
            "Bascule de la base élèves : l'année 2027-2028 est ouverte en préparation",
            establishment=None,
            data={"annee": NEXT_YEAR},
        )
        entry = home.entry_mefs()
        affected = sum(
            1
            for e in self.enrolments[NEXT_YEAR]
            if e.uai == home.uai and e.arrival == "affectation"
        )
        level = "6e" if home.kind == "college" else "2de"
        event(
            at(dt.date(2027, 6, 30), 14),
            "affectation_results",
            f"Résultats de l'affectation en {level} : {affected} élèves affectés",
            data={"mefs": entry, "eleves": affected},
        )
        event(
            at(RENTREE[NEXT_YEAR], 8),
            "rentree",
            f"Rentrée scolaire {NEXT_YEAR}",
            establishment=None,
            data={"annee": NEXT_YEAR},
        )
        # A long absence replaced by a REP, a short one by a SUP.
        candidates = [t for t in faculty.teachers if NEXT_YEAR in t.years and t.end is None]
        absent_rep, absent_sup = rng.sample(candidates, 2)
        rep = self._replacement(absent_rep, "REP", dt.date(2027, 9, 20), None)
        sup = self._replacement(absent_sup, "SUP", dt.date(2027, 11, 15), dt.date(2027, 12, 17))

        def who(staff: dict[str, object] | Staff) -> str:
            if isinstance(staff, Staff):
                return f"{staff.civilite} {staff.last_name} {staff.first_name}"
            return f"{staff['civilite']} {staff['last_name']} {staff['first_name']}"

        def discipline(code: str) -> str:
            return nom.DISCIPLINES[code].libelle.lower()

        event(
            at(dt.date(2027, 9, 13), 8),
            "teacher_absence",
            f"Absence de longue durée de {who(absent_rep.identity)} "
            f"({discipline(absent_rep.discipline)})",
            staff=absent_rep.sts_id,
            data={"debut": "2027-09-13", "fin": None, "remplacement": "REP"},
        )
        event(
            at(dt.date(2027, 9, 20), 8),
            "teacher_rep",
            f"Arrivée de {who(rep)}, remplaçant(e) (REP) de {who(absent_rep.identity)}",
            staff=rep.sts_id,
            data={"remplace": absent_rep.sts_id, "services": "tous"},
        )
        event(
            at(dt.date(2027, 11, 8), 8),
            "teacher_absence",
            f"Absence de {who(absent_sup.identity)} ({discipline(absent_sup.discipline)}) "
            "jusqu'au 17/12/2027",
            staff=absent_sup.sts_id,
            data={"debut": "2027-11-08", "fin": "2027-12-17", "remplacement": "SUP"},
        )
        event(
            at(dt.date(2027, 11, 15), 8),
            "teacher_sup",
            f"Arrivée de {who(sup)}, suppléant(e) (SUP) de {who(absent_sup.identity)} "
            "jusqu'au 17/12/2027",
            staff=sup.sts_id,
            data={"remplace": absent_sup.sts_id, "fin": "2027-12-17"},
        )
        pupils = self.people.pupils_by_ine
        names = {p.uai: p.est for p in self.plans}

        def pupil_name(ine: str) -> str:
            pupil = pupils[ine]
            return f"{pupil.last_name} {pupil.first_name}"

        def mef_label(code: str) -> str:
            return nom.MEFS[code].libelle_long

        special = self.special
        if "from_neighbour" in special:
            arrival = special["from_neighbour"]
            origin = names[special["from_neighbour_before"].uai]
            event(
                at(arrival.start, 9),
                "pupil_from_neighbour",
                f"Arrivée de {pupil_name(arrival.ine)} ({mef_label(arrival.mef)}) venant du "
                f"{origin.name} ({origin.uai})",
                pupil=arrival.ine,
                data={"origine": origin.uai, "mef": arrival.mef, "division": arrival.division},
            )
        other = special["other_academie"]
        academie = nom.OTHER_ACADEMIES["023"]
        event(
            at(other.start, 9),
            "pupil_from_other_academie",
            f"Arrivée de {pupil_name(other.ine)} ({mef_label(other.mef)}) venant de "
            f"l'académie de {academie.title()}",
            pupil=other.ine,
            data={"academie_origine": "023", "mef": other.mef, "division": other.division},
        )
        leaver = special["leaves"]
        event(
            at(dt.date(2027, 10, 15), 17),
            "pupil_leaves",
            f"Départ de {pupil_name(leaver.ine)} ({mef_label(leaver.mef)}) : déménagement "
            "hors de l'académie",
            pupil=leaver.ine,
            data={"date_sortie": "2027-10-15", "division": leaver.division},
        )
        self.events.sort(key=lambda e: (e.at, e.kind))

    def _replacement(
        self, absent: Teacher, kind: str, start: dt.date, end: dt.date | None
    ) -> Staff:
        staff = Staff(
            sts_id=self.next_sts_id(),
            establishment=self.plans[0].uai,
            function="ENS",
            grade="AC2C2",
            discipline_code=absent.discipline,
            hours=absent.capacity,
            start_date=start,
            end_date=end,
            replacement=kind,
            replaces=absent.sts_id,
            **self.people.staff_identity(),  # type: ignore[arg-type]
        )
        self.replacements.append(staff)
        return staff

    # -- assembly -------------------------------------------------------------------------------

    def build(self) -> Academie:
        self.plan_establishments()
        self.plan_staff()
        self.year_current()
        self.year_next()
        self.teaching()
        self.calendar()
        staff = list(self.staff)
        for plan in self.plans:
            staff.extend(t.freeze(plan.uai) for t in self.faculties[plan.uai].teachers)
        staff.extend(self.replacements)
        schoolings = tuple(
            Schooling(
                pupil=e.ine,
                establishment=e.uai,
                school_year=e.year,
                mef_code=e.mef,
                division=e.division,
                options=e.options,
                start_date=e.start,
                end_date=e.end,
                arrival=e.arrival,
            )
            for year in (CURRENT_YEAR, NEXT_YEAR)
            for e in self.enrolments[year]
        )
        people = self.people
        return Academie(
            seed=self.seed,
            size=self.size,
            code=nom.ACADEMIE_CODE,
            name=nom.ACADEMIE_NAME,
            clock_start=CLOCK_START,
            current_year=CURRENT_YEAR,
            next_year=NEXT_YEAR,
            establishments=tuple(p.est for p in self.plans),
            addresses=tuple(people.addresses),
            responsables=tuple(people.responsables),
            pupils=tuple(people.pupils),
            ties=tuple(people.ties),
            staff=tuple(staff),
            divisions=tuple(self.divisions),
            groups=tuple(self.groups),
            schoolings=schoolings,
            services=tuple(self.services),
            events=tuple(self.events),
        )


def generate_academie(*, seed: int, size: str, neighbours: int | None = None) -> Academie:
    """The académie's truth for a seed and a size; pure (no database), deterministic."""
    return _Builder(seed=seed, size=size, neighbours=neighbours).build()
