"""The 20:00 AAF extraction then the 03:00 ENT import on a real Celery worker."""

from __future__ import annotations

import time

import pytest

from aaf.models import AafRun
from ent.models import Account
from entsim.formats import aaf
from entsim.models import Exchange, Job
from entsim.services.clock import clock_pass_night
from tests.siecle.siecle_world import college

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not finish in time")
        time.sleep(0.2)


def test_extraction_then_import_on_the_worker(celery_worker):
    world = college(name="Collège AAF worker")
    ids = clock_pass_night(world=world)
    extraction = Job.objects.get(world=world, kind="aaf.extraction")
    night_import = Job.objects.get(world=world, kind="ent.import")
    assert extraction.pk in ids and night_import.pk in ids
    assert extraction.due_at < night_import.due_at

    def finished() -> bool:
        return not Job.objects.filter(pk__in=ids, state__in=("pending", "running")).exists()

    wait_for(finished)
    for job in Job.objects.filter(pk__in=ids):
        assert job.state == Job.State.DONE, (job.kind, job.error)
    run = AafRun.objects.get(world=world)
    assert run.kind == aaf.COMPLET
    run.exchange.refresh_from_db()
    assert run.exchange.state == Exchange.State.PROCESSED
    pupils = Account.objects.filter(world=world, category=aaf.ELEVE, present=True).count()
    assert pupils == run.counts[aaf.ELEVE] > 0
