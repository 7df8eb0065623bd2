"""STS-web seeded from the world's truth as it stands in June: the year in progress of every
establishment, no year in preparation, no replacement teacher before the calendar says."""

from __future__ import annotations

import io
import json
import time
from collections import Counter

import pytest
from django.core.management import call_command

from entsim import registry
from entsim.models import Division as TruthDivision
from entsim.models import Establishment, Staff, TeachingGroup
from entsim.models import Service as TruthService
from sts import selectors, services
from sts.models import (
    Division,
    Group,
    NomenclatureEntry,
    SchoolYear,
    Service,
    ServiceTeacher,
    StsEstablishment,
    Teacher,
)
from tests.sts.sts_helpers import STS_TABLES, fresh, module_world, sts_counts

pytestmark = pytest.mark.django_db

big = module_world("Lycée graine STS", "lycee-2000", 2057)


@pytest.fixture
def world(big):
    return fresh(big)


def test_sts_registers_its_seeder_and_reporter():
    assert dict(registry.seeders())["sts"] is services.sts_seed
    assert registry.reporter("sts") is selectors.report_counts


def test_every_establishment_holds_the_year_in_progress_only(world):
    uais = set(Establishment.objects.filter(world=world).values_list("uai", flat=True))
    assert set(StsEstablishment.objects.filter(world=world).values_list("uai", flat=True)) == uais
    years = SchoolYear.objects.filter(world=world)
    assert years.count() == len(uais)
    assert set(years.values_list("year", "state")) == {(2026, SchoolYear.State.EN_COURS)}
    home = StsEstablishment.objects.get(world=world, is_home=True)
    assert home.uai == world.home.uai
    assert f"{home.denom_princ} {home.denom_compl}" == world.home.name


def test_home_structure_and_services_match_the_truth(world):
    year = selectors.context_for(world=world).current
    home = world.home
    truth_divisions = TruthDivision.objects.filter(
        world=world, establishment=home, school_year=2026
    )
    assert sorted(
        Division.objects.filter(year=year).values_list("code", "libelle_long", "mef_code")
    ) == sorted(truth_divisions.values_list("code", "label", "mef_code"))
    assert Division.objects.filter(year=year).count() == 70
    truth_groups = TeachingGroup.objects.filter(world=world, establishment=home, school_year=2026)
    assert sorted(
        (g.code, tuple(sorted(d.code for d in g.divisions.all())))
        for g in Group.objects.filter(year=year).prefetch_related("divisions")
    ) == sorted(
        (g.code, tuple(sorted(d.code for d in g.divisions.all())))
        for g in truth_groups.prefetch_related("divisions")
    )
    truth_services = Counter(
        (
            s.division.code if s.division_id else s.group.code,
            s.subject_code,
            s.teacher.sts_id,
            s.hours,
        )
        for s in TruthService.objects.filter(
            world=world, establishment=home, school_year=2026
        ).select_related("division", "group", "teacher")
    )
    sts_services = Counter(
        (a.service.structure_code, a.service.subject_code, a.teacher.sts_id, a.hours)
        for a in ServiceTeacher.objects.filter(service__year=year).select_related(
            "service__division", "service__group", "teacher"
        )
    )
    assert sts_services == truth_services
    division = Division.objects.filter(year=year, prof_principal__isnull=False).first()
    truth = truth_divisions.get(code=division.code)
    assert division.prof_principal.sts_id == truth.prof_principal.sts_id
    assert division.effectif_prevu and 20 <= division.effectif_prevu <= 40
    profiled = set(
        NomenclatureEntry.objects.filter(year=year, kind="mef", profiled=True).values_list(
            "code", flat=True
        )
    )
    assert profiled == set(truth_divisions.values_list("mef_code", flat=True))


def test_staff_with_supports_and_disciplines(world):
    home = world.home
    staff = Staff.objects.filter(world=world, establishment=home)
    later = staff.filter(replacement__in=["REP", "SUP"])
    assert later.count() == 2
    sts_ids = set(Teacher.objects.filter(world=world).values_list("sts_id", flat=True))
    assert not sts_ids & set(later.values_list("sts_id", flat=True))
    expected = set(staff.exclude(replacement__in=["REP", "SUP"]).values_list("sts_id", flat=True))
    assert expected <= sts_ids
    teacher = Teacher.objects.filter(
        world=world, establishment__is_home=True, fonction="ENS"
    ).first()
    truth = staff.get(sts_id=teacher.sts_id)
    assert (
        teacher.nom_usage,
        teacher.prenom,
        teacher.discipline_code,
        teacher.hours,
        teacher.grade,
    ) == (
        truth.last_name,
        truth.first_name,
        truth.discipline_code,
        truth.hours,
        truth.grade,
    )
    year = selectors.context_for(world=world).current
    newcomers = Teacher.objects.filter(
        world=world, establishment__is_home=True, start_date__year=2027
    )
    assert not selectors.teachers_of_year(year=year).filter(pk__in=newcomers).exists()


def test_the_seed_takes_a_couple_of_seconds(world):
    for name in reversed(STS_TABLES):
        from sts import models

        getattr(models, name).objects.filter(world=world).delete()
    assert not any(sts_counts(world).values())
    started = time.perf_counter()
    services.sts_seed(world)
    elapsed = time.perf_counter() - started
    assert elapsed < 3.0, f"{elapsed:.1f} s"
    assert Service.objects.filter(world=world).count() > 1000


def test_world_report_counts(world):
    out = io.StringIO()
    call_command("world_report", world.name, "--json", stdout=out)
    report = json.loads(out.getvalue())
    counts = report["systemes"]["sts"]
    assert counts["divisions"] == 70
    assert counts["groupes"] == Group.objects.filter(year__establishment__is_home=True).count()
    assert counts["enseignants"] == (
        Teacher.objects.filter(world=world, establishment__is_home=True, fonction="ENS")
        .filter(start_date__lte="2027-08-31")
        .count()
    )
    assert report["annees_scolaires"]["en_preparation"] is None
    services.year_bascule(
        world=world, establishment=StsEstablishment.objects.get(world=world, is_home=True)
    )
    call_command("world_report", world.name, "--json", stdout=(out := io.StringIO()))
    assert json.loads(out.getvalue())["annees_scolaires"]["en_preparation"] == "2027-2028"
