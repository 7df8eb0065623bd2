"""Jobs run at most once, write effects and state together, fail cleanly."""

from __future__ import annotations

import pytest

from entsim import registry, timeline
from entsim.models import Job
from entsim.services.calendar import calendar_jobs_schedule
from entsim.services.clock import clock_pass_night
from entsim.services.jobs import job_create, job_execute, job_retry
from tests.conftest import START, make_event

pytestmark = pytest.mark.django_db


def test_job_runs_once_even_when_delivered_twice(make_world, counting_kind):
    world = make_world()
    event = make_event(world)
    job = job_create(
        world=world, kind="test.count", due_at=START, dedup_key="k", params={"event_id": event.pk}
    )
    assert job_execute(job_id=job.pk).state == Job.State.DONE
    assert job_execute(job_id=job.pk) is None  # second delivery: nothing
    event.refresh_from_db()
    assert event.data == {"count": 1}
    job.refresh_from_db()
    assert job.attempts == 1 and job.report == {"compte": 1}


def test_failed_job_rolls_back_its_effects(make_world, counting_kind):
    world = make_world()
    event = make_event(world)
    job = job_create(
        world=world,
        kind="test.count",
        due_at=START,
        dedup_key="k",
        params={"event_id": event.pk, "fail": True},
    )
    finished = job_execute(job_id=job.pk)
    assert finished.state == Job.State.FAILED
    assert "panne simulée" in finished.error
    event.refresh_from_db()
    assert event.data == {}  # effect rolled back with the failure
    assert job_execute(job_id=job.pk) is None  # failed jobs are not run again by themselves
    job.params = {"event_id": event.pk}
    job.save()
    job_retry(job=job)
    assert job_execute(job_id=job.pk).state == Job.State.DONE


def test_job_create_is_idempotent(make_world):
    world = make_world()
    first = job_create(world=world, kind="x", due_at=START, dedup_key="same")
    second = job_create(world=world, kind="x", due_at=START, dedup_key="same")
    assert first.pk == second.pk


def test_calendar_event_happens_when_its_job_runs(make_world, without_night_jobs):
    world = make_world()
    event = make_event(world)
    assert calendar_jobs_schedule(world=world) == 1
    ids = clock_pass_night(world=world)
    assert len(ids) == 1
    job = job_execute(job_id=ids[0])
    assert job.state == Job.State.DONE
    event.refresh_from_db()
    assert event.happened_at == event.at


def test_listener_is_told_in_the_same_transaction(make_world, without_night_jobs):
    world = make_world()
    event = make_event(world)
    seen = []

    def listener(happened):
        seen.append(happened.pk)
        raise RuntimeError("le système a échoué")

    registry.register_event_listener("rentree", listener)
    try:
        calendar_jobs_schedule(world=world)
        [job_id] = clock_pass_night(world=world)
        assert job_execute(job_id=job_id).state == Job.State.FAILED
    finally:
        registry._event_listeners["rentree"].remove(listener)
    event.refresh_from_db()
    assert seen == [event.pk] and event.happened_at is None


def test_unknown_kind_fails_with_a_french_message(make_world):
    world = make_world()
    job = job_create(world=world, kind="inconnu.kind", due_at=START, dedup_key="u")
    assert "Aucun système ne traite" in job_execute(job_id=job.pk).error
    assert timeline.CALENDAR_EVENT in registry.job_kinds()
