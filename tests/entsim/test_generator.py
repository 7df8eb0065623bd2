"""The synthetic académie generator: determinism, sizes, codes, families, structure."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest

from entsim import nomenclatures as nom
from entsim.generator import (
    CLOCK_START,
    CURRENT_YEAR,
    NEXT_YEAR,
    Academie,
    academie_persist,
    generate_academie,
    world_truth_dump,
)

STS_NAME = re.compile(r"^[A-Za-z0-9 _-]{1,8}$")
INE = re.compile(r"^[0-9]{9}[A-Z]{2}$")


@pytest.fixture(scope="module")
def academies() -> dict[str, Academie]:
    return {
        size: generate_academie(seed=2057, size=size) for size in ("college", "lycee", "lycee-2000")
    }


@pytest.fixture(scope="module")
def big(academies) -> Academie:
    return academies["lycee-2000"]


def home_schoolings(a: Academie, year: int):
    return [s for s in a.schoolings if s.establishment == a.home.uai and s.school_year == year]


def home_teachers(a: Academie, year: int) -> set[int]:
    return {
        s.teacher for s in a.services if s.establishment == a.home.uai and s.school_year == year
    }


# -- determinism ---------------------------------------------------------------------------------


def test_same_seed_same_academie(academies):
    assert generate_academie(seed=2057, size="college") == academies["college"]
    assert generate_academie(seed=2057, size="lycee-2000") == academies["lycee-2000"]


def test_other_seed_or_size_differs(academies):
    other = generate_academie(seed=2058, size="college")
    assert other != academies["college"]
    assert {p.ine for p in other.pupils} != {p.ine for p in academies["college"].pupils}
    assert academies["lycee"] != academies["lycee-2000"]


def test_unknown_size_is_refused():
    with pytest.raises(ValueError, match="Taille inconnue"):
        generate_academie(seed=1, size="universite")


def test_academie_constants(big):
    assert (big.code, big.name) == ("002", "AIX-MARSEILLE")
    assert big.clock_start == CLOCK_START
    assert big.clock_start.isoformat() == "2027-06-14T08:00:00+02:00"
    assert (big.current_year, big.next_year) == (2026, 2027)


# -- sizes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "pupils", "divisions", "teachers"),
    [
        ("college", 500, 20, (30, 50)),
        ("lycee", 1000, 33, (70, 90)),
        ("lycee-2000", 2057, 70, (140, 160)),
    ],
)
def test_home_sizes(academies, size, pupils, divisions, teachers):
    a = academies[size]
    assert len(home_schoolings(a, CURRENT_YEAR)) == pupils
    home_divisions = [
        d for d in a.divisions if d.establishment == a.home.uai and d.school_year == CURRENT_YEAR
    ]
    assert len(home_divisions) == divisions
    low, high = teachers
    assert low <= len(home_teachers(a, CURRENT_YEAR)) <= high
    # The year in preparation has about the same size.
    assert abs(len(home_schoolings(a, NEXT_YEAR)) - pupils) < pupils * 0.1


def test_neighbours(academies):
    college, lycee = academies["college"], academies["lycee-2000"]
    kinds = Counter(e.kind for e in college.establishments if not e.is_home)
    assert kinds == {"college": 2, "lycee": 1}
    kinds = Counter(e.kind for e in lycee.establishments if not e.is_home)
    assert kinds == {"college": 3, "lycee": 1}
    for a in (college, lycee):
        assert a.home.kind == ("college" if a is college else "lycee")
        for e in a.establishments:
            if e.is_home:
                continue
            count = sum(
                1
                for s in a.schoolings
                if s.establishment == e.uai and s.school_year == CURRENT_YEAR
            )
            assert 150 <= count <= 400, (e.name, count)


def test_more_neighbours():
    a = generate_academie(seed=5, size="college", neighbours=8)
    assert len(a.establishments) == 9
    assert sum(1 for e in a.establishments if e.kind != "college") >= 2


def test_establishments(academies):
    for a in academies.values():
        uais = [e.uai for e in a.establishments]
        assert len(set(uais)) == len(uais)
        assert sum(e.is_home for e in a.establishments) == 1
        for e in a.establishments:
            assert nom.uai_is_valid(e.uai), e.uai
            assert e.uai[:3] in nom.ACADEMIE_DEPARTEMENTS
            assert e.commune_insee in nom.COMMUNES
            assert e.nature_code == {"college": "340", "lycee": "300", "lp": "320"}[e.kind]
            assert e.name.startswith(
                {"college": "COLLEGE ", "lycee": "LYCEE ", "lp": "LYCEE "}[e.kind]
            )


def test_uai_check_letter():
    assert nom.uai_make("0131706") == "0131706J"
    assert nom.uai_is_valid("0771991W")
    assert not nom.uai_is_valid("0123456A")


# -- people --------------------------------------------------------------------------------------


def test_ine_unique_and_well_formed(academies):
    for a in academies.values():
        ines = [p.ine for p in a.pupils]
        assert len(set(ines)) == len(ines)
        assert all(INE.match(ine) for ine in ines)


@pytest.mark.parametrize("size", ["college", "lycee", "lycee-2000"])
def test_responsables_per_pupil(academies, size):
    a = academies[size]
    used = {t.responsable for t in a.ties}
    assert used == {r.key for r in a.responsables}
    assert 1.5 <= len(a.responsables) / len(a.pupils) <= 1.7


def test_families(big):
    legal = defaultdict(list)
    pupils_of = defaultdict(set)
    for tie in big.ties:
        assert tie.parente in nom.CODES_PARENTE
        assert tie.level in nom.NIVEAUX_RESPONSABILITE
        pupils_of[tie.responsable].add(tie.pupil)
        if tie.level == 1:
            legal[tie.pupil].append(tie)
    for pupil in big.pupils:
        assert 1 <= len(legal[pupil.ine]) <= 2, pupil
    shapes = Counter(tuple(sorted(t.parente for t in ties)) for ties in legal.values())
    assert shapes[("10", "20")] > len(big.pupils) * 0.6  # mostly a mother and a father
    assert shapes[("10",)] > 0 and shapes[("20",)] > 0  # some single parents
    assert any(t.level == 3 for t in big.ties)  # some extra contacts
    # Siblings share their responsables and live at the same address.
    by_ine = {p.ine: p for p in big.pupils}
    siblings = [pupils for pupils in pupils_of.values() if len(pupils) > 1]
    assert len(siblings) > 100
    responsables = {r.key: r for r in big.responsables}
    addresses = {a.key for a in big.addresses}
    for resp in responsables.values():
        assert resp.address in addresses
        assert resp.email == "" or resp.email.split("@")[1].startswith("example.")
    separated = 0
    for key, pupils in pupils_of.items():
        if len(pupils) > 1 and responsables[key].civilite == "MME":
            assert len({by_ine[i].address for i in pupils}) == 1
    for ties in legal.values():
        if len(ties) == 2:
            a, b = (responsables[t.responsable].address for t in ties)
            separated += a != b
    assert separated > 0  # some separated parents at two addresses


def test_pupils(big):
    sexes = Counter(p.sex for p in big.pupils)
    assert set(sexes) == {"1", "2"}
    abroad = [p for p in big.pupils if p.birth_country != nom.PAYS_FRANCE]
    assert 0 < len(abroad) < len(big.pupils) * 0.1
    for p in big.pupils:
        assert p.regime in nom.REGIMES
        assert p.nationality in nom.PAYS
        assert p.birth_country in nom.PAYS
        assert p.last_name == p.last_name.upper()
        if p.birth_country == nom.PAYS_FRANCE:
            assert p.birth_commune_insee in nom.COMMUNES or (
                p.birth_commune_insee in nom.OTHER_BIRTH_COMMUNES
            )
            assert len(p.birth_departement) == 3
        else:
            assert p.birth_commune_insee == "" and p.birth_departement == ""
            assert p.birth_commune in nom.FOREIGN_CITIES[p.birth_country]
    # Birth dates fit the level.
    born = {p.ine: p.birth_date for p in big.pupils}
    for s in big.schoolings:
        normal = s.school_year - 11 - nom.MEFS[s.mef_code].rank
        assert normal - 3 <= born[s.pupil].year <= normal + 1, s


# -- codes ---------------------------------------------------------------------------------------


def test_codes_exist_in_nomenclatures(academies):
    for a in academies.values():
        for d in a.divisions:
            assert d.mef_code in nom.MEFS and d.mef_code in nom.PROGRAMMES
        for s in a.schoolings:
            assert s.mef_code in nom.MEFS
            for option in s.options:
                assert option.subject in nom.SUBJECTS
                assert option.modalite in nom.MODALITES_ELECTION
        for g in a.groups:
            assert g.subject_code in nom.SUBJECTS
        for s in a.services:
            assert s.subject_code in nom.SUBJECTS
            assert s.mod_cours in nom.MODS_COURS
        for s in a.staff:
            assert s.function in nom.FONCTIONS
            assert s.discipline_code == "" or s.discipline_code in nom.DISCIPLINES
            assert s.grade == "" or s.grade in nom.GRADES
        for r in a.responsables:
            assert r.profession_code == "" or r.profession_code in nom.PROFESSIONS
            assert r.civilite in nom.CIVILITE_BY_LC


def test_nomenclatures_consistent():
    for mef in nom.MEFS.values():
        assert len(mef.code) == 11 and len(mef.mefstat11) == 11
        assert mef.mefstat11.startswith(mef.mefstat4)
        assert mef.next_code is None or nom.MEFS[mef.next_code].rank == mef.rank + 1
    for subject in nom.SUBJECTS.values():
        assert len(subject.code) == 6 and len(subject.libelle_court) <= 20
    for programme in nom.PROGRAMMES.values():
        for subject, _hours, modalite in programme.lines():
            assert subject in nom.SUBJECTS and modalite in nom.MODALITES_ELECTION
            for voie in (nom.Voie.COLLEGE, nom.Voie.GT, nom.Voie.PRO):
                assert all(d in nom.DISCIPLINES for d in nom.teaching_disciplines(subject, voie))
    for commune in nom.COMMUNES.values():
        assert commune.departement in nom.ACADEMIE_DEPARTEMENTS
        assert commune.insee[:2] == commune.departement[1:]
    assert nom.COMMUNES["13213"].mail_name == "MARSEILLE"
    assert nom.COMMUNES["13213"].code_postal == "13013"


def test_structure_names_follow_sts_rules(academies):
    for a in academies.values():
        for d in a.divisions:
            assert STS_NAME.match(d.code), d.code
            assert len(d.label) <= 20, d.label
        for g in a.groups:
            assert STS_NAME.match(g.code), g.code
            assert len(g.label) <= 20, g.label
        keys = [(g.establishment, g.school_year, g.code) for g in a.groups]
        keys += [(d.establishment, d.school_year, d.code) for d in a.divisions]
        assert len(set(keys)) == len(keys)


# -- structure -----------------------------------------------------------------------------------


def test_every_schooling_has_its_division(academies):
    for a in academies.values():
        divisions = {(d.establishment, d.school_year, d.code): d for d in a.divisions}
        for s in a.schoolings:
            division = divisions[(s.establishment, s.school_year, s.division)]
            assert division.mef_code == s.mef_code


def test_one_schooling_at_a_time(big):
    per_year = defaultdict(list)
    for s in big.schoolings:
        per_year[(s.pupil, s.school_year)].append(s)
    for schoolings in per_year.values():
        if len(schoolings) > 1:  # moved during the year: the first one has ended
            ordered = sorted(schoolings, key=lambda s: s.start_date)
            assert ordered[0].end_date is not None
            assert ordered[0].end_date < ordered[1].start_date


def test_options(academies):
    college = academies["college"]
    for s in college.schoolings:
        subjects = [o.subject for o in s.options]
        assert subjects[0] == nom.ANGLAIS_LV1
        lv2 = [x for x in subjects if x in nom.LV2_SUBJECTS]
        assert len(lv2) == (0 if s.mef_code == nom.MEF_6EME else 1)
        if nom.LCA_LATIN in subjects:
            assert s.mef_code != nom.MEF_6EME
    big = academies["lycee-2000"]
    spes = nom.PROGRAMMES[nom.MEF_1ERE_G].slots[2].subjects
    for s in big.schoolings:
        chosen = [o.subject for o in s.options if o.subject in spes]
        if s.mef_code == nom.MEF_1ERE_G:
            assert len(chosen) == 3
        elif s.mef_code == nom.MEF_TLE_G:
            assert len(chosen) == 2


def test_groups_draw_on_several_divisions(academies):
    college = academies["college"]
    home = college.home.uai
    lv2 = [
        g for g in college.groups if g.establishment == home and g.subject_code == nom.ESPAGNOL_LV2
    ]
    assert lv2 and any(len(g.divisions) > 1 for g in lv2)
    assert any(re.match(r"^3ESP\d$", g.code) for g in lv2)
    big = academies["lycee-2000"]
    codes = {g.code for g in big.groups if g.establishment == big.home.uai}
    assert {"1MAT1", "TMAT1", "2ESP1", "2PESP1", "2NDE1P1"} <= codes


def test_group_members_take_the_subject(academies):
    for a in academies.values():
        schooling = {(s.pupil, s.establishment, s.school_year): s for s in a.schoolings}
        for g in a.groups:
            assert g.pupils
            for ine in g.pupils:
                s = schooling[(ine, g.establishment, g.school_year)]
                assert s.division in g.divisions
                programme = nom.PROGRAMMES[s.mef_code]
                in_core = any(line.subject == g.subject_code for line in programme.core)
                assert in_core or any(o.subject == g.subject_code for o in s.options)


def test_services_cover_divisions_and_groups(academies):
    for a in academies.values():
        by_division = defaultdict(set)
        by_group = defaultdict(set)
        teachers = {s.sts_id: s for s in a.staff}
        for s in a.services:
            assert (s.division is None) != (s.group is None)
            assert s.hours > 0
            teacher = teachers[s.teacher]
            assert teacher.function == "ENS" and teacher.establishment == s.establishment
            assert s.subject_code in nom.SUBJECTS
            if s.division:
                by_division[(s.establishment, s.school_year, s.division)].add(s.subject_code)
            else:
                by_group[(s.establishment, s.school_year, s.group)].add(s.subject_code)
        for d in a.divisions:
            expected = {subject for subject, h in nom.PROGRAMMES[d.mef_code].division_lines() if h}
            assert by_division[(d.establishment, d.school_year, d.code)] == expected, d
            assert d.prof_principal is not None
        for g in a.groups:
            assert by_group[(g.establishment, g.school_year, g.code)] == {g.subject_code}


def test_teachers(big):
    staff = {s.sts_id: s for s in big.staff}
    assert len(staff) == len(big.staff)  # sts_id unique
    load = defaultdict(lambda: 0)
    for s in big.services:
        load[(s.teacher, s.school_year)] += s.hours
    for (sts_id, _year), hours in load.items():
        assert hours <= staff[sts_id].hours
    home = [s for s in big.staff if s.establishment == big.home.uai]
    functions = Counter(s.function for s in home)
    assert functions["DIR"] >= 2 and functions["EDU"] >= 1
    assert functions["DOC"] >= 1 and functions["ADF"] >= 1
    heads = [s for s in home if s.discipline_code == "D0010"]
    assert len(heads) == 1
    for s in home:
        if s.function == "ENS" and not s.replacement:
            assert 9 <= s.hours <= 18


# -- the year in preparation and the calendar ------------------------------------------------


def test_next_year_lycee(big):
    home = big.home.uai
    feeders = {e.uai for e in big.establishments if e.kind == "college"}
    by_pupil = defaultdict(dict)
    for s in big.schoolings:
        by_pupil[s.pupil][(s.school_year, s.establishment)] = s
    arrivals = Counter(s.arrival for s in home_schoolings(big, NEXT_YEAR))
    assert arrivals["affectation"] > 400
    assert arrivals["neighbour"] >= 3
    assert arrivals["other_academie"] >= 2
    from_feeders = 0
    for s in home_schoolings(big, NEXT_YEAR):
        before = [v for (year, _), v in by_pupil[s.pupil].items() if year == CURRENT_YEAR]
        if s.arrival == "continuing":
            assert before and before[0].establishment == home
            mef = nom.MEFS[before[0].mef_code]
            assert s.mef_code in (mef.code, mef.next_code)
        elif s.arrival == "affectation":
            assert nom.MEFS[s.mef_code].rank == 4
            if before:
                assert before[0].establishment in feeders
                assert before[0].mef_code == nom.MEF_3EME
                from_feeders += 1
        elif s.arrival == "neighbour":
            assert before and before[0].establishment != home
        else:
            assert not before
    assert from_feeders > 100
    # Terminale pupils leave.
    tle = [s for s in home_schoolings(big, CURRENT_YEAR) if s.mef_code == nom.MEF_TLE_G]
    gone = [s for s in tle if (NEXT_YEAR, home) not in by_pupil[s.pupil]]
    assert len(gone) > len(tle) * 0.9


def test_next_year_college(academies):
    a = academies["college"]
    lycee = next(e.uai for e in a.establishments if e.kind == "lycee")
    current = {s.pupil: s for s in home_schoolings(a, CURRENT_YEAR)}
    nxt = defaultdict(list)
    for s in a.schoolings:
        if s.school_year == NEXT_YEAR:
            nxt[s.pupil].append(s)
    sixth = [s for s in home_schoolings(a, NEXT_YEAR) if s.mef_code == nom.MEF_6EME]
    assert sixth and all(s.arrival in ("affectation", "continuing") for s in sixth)
    assert sum(s.arrival == "affectation" and s.pupil not in current for s in sixth) > 100
    third = [p for p, s in current.items() if s.mef_code == nom.MEF_3EME]
    to_lycee = [p for p in third if any(s.establishment == lycee for s in nxt[p])]
    assert to_lycee
    assert all(s.arrival == "affectation" for p in to_lycee for s in nxt[p])
    fifth = [p for p, s in current.items() if s.mef_code == nom.MEF_5EME]
    promoted = [p for p in fifth if any(s.mef_code == nom.MEF_4EME for s in nxt[p])]
    assert len(promoted) > len(fifth) * 0.9


def test_calendar(academies):
    for a in academies.values():
        events = list(a.events)
        kinds = Counter(e.kind for e in events)
        for kind in (
            "bee_bascule",
            "affectation_results",
            "rentree",
            "teacher_absence",
            "teacher_rep",
            "teacher_sup",
            "pupil_from_neighbour",
            "pupil_from_other_academie",
            "pupil_leaves",
        ):
            assert kinds[kind] >= 1, kind
        for e in events:
            assert e.at.year == 2027 and e.at.tzinfo is not None
            assert e.label
            if e.at < CLOCK_START:
                assert e.happened_at == e.at
            else:
                assert e.happened_at is None
        bascule = next(e for e in events if e.kind == "bee_bascule")
        assert bascule.at.month == 5
        results = next(e for e in events if e.kind == "affectation_results")
        assert results.at.date() == dt.date(2027, 6, 30)
        rentree = next(e for e in events if e.kind == "rentree")
        assert rentree.at.date() == dt.date(2027, 9, 1)
        staff = {s.sts_id: s for s in a.staff}
        rep = staff[next(e.staff for e in events if e.kind == "teacher_rep")]
        sup = staff[next(e.staff for e in events if e.kind == "teacher_sup")]
        assert rep.replacement == "REP" and rep.replaces in staff
        assert staff[rep.replaces].discipline_code == rep.discipline_code
        assert rep.start_date > dt.date(2027, 9, 1)
        assert sup.replacement == "SUP" and sup.end_date is not None and sup.replaces in staff
        pupils = {p.ine for p in a.pupils}
        home = a.home.uai
        for e in events:
            if e.kind.startswith("pupil_"):
                assert e.pupil in pupils
        other = next(e for e in events if e.kind == "pupil_from_other_academie")
        schoolings = [s for s in a.schoolings if s.pupil == other.pupil]
        assert len(schoolings) == 1 and schoolings[0].arrival == "other_academie"
        assert schoolings[0].establishment == home and schoolings[0].start_date == other.at.date()
        moving = next(e for e in events if e.kind == "pupil_from_neighbour")
        arrival = next(
            s for s in a.schoolings if s.pupil == moving.pupil and s.establishment == home
        )
        assert arrival.arrival == "neighbour" and arrival.start_date == moving.at.date()
        leaves = next(e for e in events if e.kind == "pupil_leaves")
        last = next(
            s
            for s in a.schoolings
            if s.pupil == leaves.pupil and s.school_year == NEXT_YEAR and s.establishment == home
        )
        assert last.end_date == leaves.at.date()


# -- persistence ---------------------------------------------------------------------------------


def _world(name: str, seed: int, size: str = "college"):
    from django.utils import timezone

    from entsim.models import World

    return World.objects.create(
        name=name,
        slug=name.lower().replace(" ", "-"),
        seed=seed,
        size=size,
        academie_code="002",
        academie_name="AIX-MARSEILLE",
        sim_anchor=CLOCK_START,
        real_anchor=timezone.now(),
        scheduled_until=CLOCK_START,
    )


@pytest.mark.django_db
def test_persisted_worlds_dump_identically(academies):
    from entsim.models import (
        CalendarEvent,
        Division,
        Pupil,
        PupilResponsable,
        Responsable,
        Schooling,
        Service,
        Staff,
        TeachingGroup,
    )

    academie = academies["college"]
    first, second, third = _world("Monde A", 2057), _world("Monde B", 2057), _world("Monde C", 9)
    academie_persist(world=first, academie=academie)
    academie_persist(world=second, academie=generate_academie(seed=2057, size="college"))
    academie_persist(world=third, academie=generate_academie(seed=9, size="college"))

    first.refresh_from_db()
    assert first.home.uai == academie.home.uai and first.home.is_home
    assert Pupil.objects.filter(world=first).count() == len(academie.pupils)
    assert Responsable.objects.filter(world=first).count() == len(academie.responsables)
    assert PupilResponsable.objects.filter(world=first).count() == len(academie.ties)
    assert Staff.objects.filter(world=first).count() == len(academie.staff)
    assert Division.objects.filter(world=first).count() == len(academie.divisions)
    assert TeachingGroup.objects.filter(world=first).count() == len(academie.groups)
    assert Schooling.objects.filter(world=first).count() == len(academie.schoolings)
    assert Service.objects.filter(world=first).count() == len(academie.services)
    assert CalendarEvent.objects.filter(world=first).count() == len(academie.events)
    members = TeachingGroup.pupils.through.objects.filter(teachinggroup__world=first).count()
    assert members == sum(len(g.pupils) for g in academie.groups)
    rep = Staff.objects.get(world=first, replacement="REP")
    assert rep.replaces is not None and rep.replaces.world_id == first.pk
    schooling = Schooling.objects.filter(world=first).exclude(options=[]).first()
    assert schooling.options[0] == {"subject": nom.ANGLAIS_LV1, "modalite": "O"}

    dump = world_truth_dump(world=first)
    assert dump == world_truth_dump(world=second)
    assert dump != world_truth_dump(world=third)
    assert '"id"' not in dump and str(academie.pupils[0].ine) in dump


@pytest.mark.django_db
def test_world_create_uses_the_generator():
    from entsim.models import Pupil
    from entsim.services.worlds import world_create

    world = world_create(name="Collège démo", size="college", seed=3)
    assert world.home is not None and world.home.kind == "college"
    assert world.academie_code == "002" and world.sim_anchor == CLOCK_START
    assert Pupil.objects.filter(world=world).count() == len(
        generate_academie(seed=3, size="college").pupils
    )


def test_values_fit_the_columns(big):
    """Every string fits its column (PostgreSQL refuses what SQLite would store)."""
    from django.db import models as dj

    from entsim.models import truth as m

    pairs = [
        (m.Establishment, big.establishments),
        (m.Address, big.addresses),
        (m.Responsable, big.responsables),
        (m.Pupil, big.pupils),
        (m.PupilResponsable, big.ties),
        (m.Staff, big.staff),
        (m.Division, big.divisions),
        (m.TeachingGroup, big.groups),
        (m.Schooling, big.schoolings),
        (m.Service, big.services),
        (m.CalendarEvent, big.events),
    ]
    for model, rows in pairs:
        fields = [
            f
            for f in model._meta.concrete_fields
            if isinstance(f, dj.CharField) and hasattr(rows[0], f.name)
        ]
        assert fields, model
        for row in rows:
            for field in fields:
                value = getattr(row, field.name)
                assert isinstance(value, str), (model.__name__, field.name, value)
                assert len(value) <= field.max_length, (model.__name__, field.name, value)
                if field.choices:
                    assert value in {c for c, _ in field.choices}, (field.name, value)
