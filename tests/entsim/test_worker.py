"""Night jobs on a real Celery worker (Redis when CELERY_BROKER_URL is set, else filesystem)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from entsim.models import CalendarEvent, Job
from entsim.services.calendar import calendar_jobs_schedule
from entsim.services.clock import clock_advance, clock_pass_night
from entsim.services.jobs import job_create, job_execute
from entsim.tasks import job_run
from tests.conftest import START, make_event

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not finish in time")
        time.sleep(0.1)


def all_finished(ids) -> bool:
    return not Job.objects.filter(pk__in=ids, state__in=["pending", "running"]).exists()


def test_night_job_runs_on_the_worker(celery_worker, make_world):
    """The whole night on the worker: the systems' night jobs (on a bare world) and the event."""
    world = make_world()
    event = make_event(world)
    calendar_jobs_schedule(world=world)
    ids = clock_pass_night(world=world)
    wait_for(lambda: all_finished(ids))
    failed = Job.objects.filter(pk__in=ids, state=Job.State.FAILED)
    assert not failed.exists(), [job.error for job in failed]
    job = Job.objects.get(pk__in=ids, kind="entsim.calendar_event")
    assert job.state == Job.State.DONE, job.error
    assert job.report["événement"] == "Rentrée"
    event.refresh_from_db()
    assert event.happened_at == event.at


def test_task_delivered_twice_has_one_effect(celery_worker, make_world, counting_kind):
    world = make_world()
    event = make_event(world)
    job = job_create(
        world=world,
        kind="test.count",
        due_at=START,
        dedup_key="twice",
        params={"event_id": event.pk},
    )
    job_run.delay(job.pk)
    job_run.delay(job.pk)
    wait_for(lambda: all_finished([job.pk]) and len(counting_kind) >= 1)
    time.sleep(0.5)  # let the second delivery be consumed too
    event.refresh_from_db()
    assert event.data == {"count": 1}
    assert Job.objects.get(pk=job.pk).attempts == 1


def test_jobs_run_in_due_order(celery_worker, make_world, counting_kind):
    world = make_world()
    events = [make_event(world) for _ in range(5)]
    # created in reverse time order: the chain must still run them by due time
    for index, event in reversed(list(enumerate(events))):
        job_create(
            world=world,
            kind="test.count",
            due_at=START + dt.timedelta(hours=1 + index),
            dedup_key=f"order-{index}",
            params={"event_id": event.pk},
        )
    ids = clock_advance(world=world, to=START + dt.timedelta(hours=10))
    wait_for(lambda: all_finished(ids))
    due = dict(Job.objects.filter(pk__in=ids).values_list("pk", "due_at"))
    assert [due[pk] for pk in counting_kind] == sorted(due.values())


@pytest.mark.postgres
def test_racing_advances_run_each_job_exactly_once(
    celery_worker, make_world, counting_kind, without_night_jobs
):
    world = make_world()
    events = [make_event(world) for _ in range(6)]
    for index, event in enumerate(events):
        job_create(
            world=world,
            kind="test.count",
            due_at=START + dt.timedelta(hours=1 + index),
            dedup_key=f"race-{index}",
            params={"event_id": event.pk},
        )
    target = START + dt.timedelta(days=2)
    barrier = threading.Barrier(2)
    dispatched: list[list[int]] = []
    errors: list[BaseException] = []

    def advance():
        try:
            barrier.wait()
            dispatched.append(clock_advance(world=world, to=target))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=advance) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    all_ids = sorted({pk for ids in dispatched for pk in ids})
    assert len(all_ids) == 6
    wait_for(lambda: all_finished(all_ids))
    # and two direct executors racing on the same ids change nothing more
    racers = [threading.Thread(target=_execute_all, args=(all_ids,)) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    counts = [
        e.data.get("count") for e in CalendarEvent.objects.filter(pk__in=[e.pk for e in events])
    ]
    assert counts == [1] * 6
    assert sorted(counting_kind) == all_ids
    assert Job.objects.filter(world=world).count() == 6


@pytest.mark.postgres
def test_concurrent_claims_on_postgres(make_world, counting_kind):
    world = make_world()
    events = [make_event(world) for _ in range(20)]
    ids = [
        job_create(
            world=world,
            kind="test.count",
            due_at=START,
            dedup_key=f"claim-{index}",
            params={"event_id": event.pk},
        ).pk
        for index, event in enumerate(events)
    ]
    racers = [threading.Thread(target=_execute_all, args=(ids,)) for _ in range(4)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert sorted(counting_kind) == sorted(ids)
    assert {e.data["count"] for e in CalendarEvent.objects.filter(world=world)} == {1}


def _execute_all(ids):
    try:
        for pk in ids:
            job_execute(job_id=pk)
    finally:
        connection.close()
