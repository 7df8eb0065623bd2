"""The 03:00 "ent.import" job on a real Celery worker: the clock passes the night, the AAF run
waiting for the ENT is imported, the accounts exist in the morning."""

from __future__ import annotations

import time

import pytest

from ent import selectors
from entsim.models import Exchange, Job
from entsim.services.clock import clock_pass_night
from tests.ent.ent_aafkit import etab, pupil, record_run, relative, teacher

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not finish in time")
        time.sleep(0.1)


def test_night_import_on_the_worker(celery_worker, make_world):
    world = make_world()
    exchange = record_run(
        world,
        [
            etab(classes=[("3A", "3EME A")], groups=[("3ESP1", "ESPAGNOL LV2")]),
            pupil(
                "1001", "MARTIN", "Zoé", classes=["3A"], groups=["3ESP1"], relatives=[("51", "1")]
            ),
            relative("51", "MARTIN", "Inès"),
            teacher("7001", "GARCIA", "Lucía", groups=[("3ESP1", "030602")]),
        ],
    )
    assert selectors.account_by_jointure(world=world, jointure="1001") is None
    ids = clock_pass_night(world=world)
    job = Job.objects.get(world=world, kind="ent.import")
    assert job.pk in ids
    wait_for(lambda: Job.objects.get(pk=job.pk).state not in ("pending", "running"))
    job.refresh_from_db()
    assert job.state == Job.State.DONE, job.error
    assert (job.report["traites"], job.report["crees"]) == (1, 3)
    exchange.refresh_from_db()
    assert exchange.state == Exchange.State.PROCESSED
    assert exchange.processed_at == job.due_at
    zoe = selectors.account_by_jointure(world=world, jointure="1001")
    assert zoe.login == "zoe.martin" and zoe.is_active
    assert selectors.person_cohorts(world=world, jointure="7001")["groupes"] == ["3ESP1"]
