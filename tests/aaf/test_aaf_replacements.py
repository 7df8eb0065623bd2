"""A REP substitute carries the absent teacher's classes in the AAF only after the changement
de support and the two STS-web exports (structure, then services)."""

from __future__ import annotations

import datetime as dt

import pytest

from aaf import services as aaf_services
from aaf.models import AafId
from entsim.formats import aaf
from sts import selectors, services
from sts.models import Teacher
from tests.siecle.siecle_world import college
from tests.sts.sts_helpers import edt_file_from_truth, run_calendar

pytestmark = pytest.mark.django_db


def classes_by_teacher(world, at) -> dict[str, tuple[str, ...]]:
    run = aaf_services.aaf_run(world=world, at=at)
    return {
        r.id: r.values("ENTAuxEnsClassesMatieres") + r.values("ENTAuxEnsGroupesMatieres")
        for r in aaf_services._snapshot_requests(run)
        if r.category == aaf.PERS_EDUC_NAT
    }


def test_rep_gets_classes_after_support_change_and_exports():
    world = college(name="Collège AAF remplacements", seed=8)
    context = selectors.context_for(world=world)
    services.year_bascule(world=world, establishment=context.establishment)
    services.edt_deposit(
        world=world, filename="emp_sts.xml", content=edt_file_from_truth(world, 2027)
    )
    run_calendar(world, "rentree")
    year = selectors.context_for(world=world).current
    services.structure_export(world=world, year=year)
    services.services_export(world=world, year=year)
    event = run_calendar(world, "teacher_rep")
    rep = Teacher.objects.get(world=world, sts_id=event.staff.sts_id)
    absent = rep.replaces
    rep_id = str(AafId.objects.get_or_create(world=world, key=f"P:{rep.sts_id}")[0].pk)
    absent_id = str(AafId.objects.get_or_create(world=world, key=f"P:{absent.sts_id}")[0].pk)
    at = world.now() + dt.timedelta(hours=1)

    before = classes_by_teacher(world, at)
    assert before[absent_id] and not before.get(rep_id)
    rows = selectors.teacher_assignments(year=year, teacher=absent)
    services.support_change(
        world=world,
        year=year,
        absent=absent,
        replacing=rep,
        assignment_ids=[row.assignment.pk for row in rows],
    )
    not_exported = classes_by_teacher(world, at + dt.timedelta(days=1))
    assert not_exported[absent_id] == before[absent_id] and not not_exported.get(rep_id)
    services.structure_export(world=world, year=year)
    services.services_export(world=world, year=year)
    exported = classes_by_teacher(world, at + dt.timedelta(days=2))
    assert sorted(exported[rep_id]) == sorted(before[absent_id])
    assert not exported.get(absent_id)
