"""Shared fixtures: isolated files and queues, worlds, users, a real Celery worker."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from django.db import connection

from entsim.timeline import PARIS

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def _own_cache_prefix() -> None:
    """Give this run its own cache keys, in this process and in the workers and servers it starts.

    A new test database reuses row ids; on a shared Redis, a key left by an earlier run (an
    autopilot "en cours", a job's progress) would otherwise show on this run's rows.
    """
    from django.conf import settings

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    os.environ["ENTSIM_CACHE_PREFIX"] = prefix
    settings.CACHES["default"]["KEY_PREFIX"] = prefix


_own_cache_prefix()


def pytest_addoption(parser):
    parser.addoption("--bench", action="store_true", help="run the benchmarks (tests/bench)")
    parser.addoption(
        "--part",
        choices=("parallel", "serial"),
        help="only the tests that may run beside others (pytest-xdist), or only the others",
    )


# Tests that start servers, workers or browsers, consume the shared broker, or restart
# PostgreSQL: they run alone, after the others (`make test`).
SERIAL_DIRS = ("browser", "faults", "load")
SERIAL_MARKERS = ("worker", "postgres")
SERIAL_FIXTURES = ("celery_worker", "live_server", "real_server")


def is_serial(item) -> bool:
    folder = Path(str(item.path)).relative_to(Path(__file__).parent).parts[0]
    return (
        folder in SERIAL_DIRS
        or any(item.get_closest_marker(name) for name in SERIAL_MARKERS)
        or any(name in item.fixturenames for name in SERIAL_FIXTURES)
    )


def pytest_collection_modifyitems(config, items):
    run_bench = config.getoption("--bench")
    skip_bench = pytest.mark.skip(reason="benchmark: make bench (pytest --bench)")
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL")
    on_postgres = connection.vendor == "postgresql"
    for item in items:
        if "bench" in item.keywords and not run_bench:
            item.add_marker(skip_bench)
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
    part = config.getoption("--part")
    if part:
        kept = [item for item in items if is_serial(item) == (part == "serial")]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference folder absent ({REFERENCE}): third-party samples not available")
    return REFERENCE


START = dt.datetime(2027, 6, 14, 8, 0, tzinfo=PARIS)


@pytest.fixture
def make_world(db):
    """A bare world (no generated truth): fast, for clock, jobs, access tests."""
    from django.utils import timezone

    from entsim.models import Establishment, World

    def make(name: str = "Monde A", *, start: dt.datetime = START, uai: str = "0130001E"):
        now = timezone.now()
        world = World.objects.create(
            name=name,
            slug=name.lower().replace(" ", "-"),
            seed=1,
            size="college",
            academie_code="002",
            academie_name="AIX-MARSEILLE",
            sim_anchor=start,
            real_anchor=now,
            scheduled_until=start,
        )
        home = Establishment.objects.create(
            world=world,
            uai=uai,
            kind="college",
            sigle="CLG",
            nature_code="340",
            name="COLLEGE DE TEST",
            commune="MARSEILLE",
            commune_insee="13055",
            code_postal="13001",
            address="1 RUE DE LA REPUBLIQUE",
            telephone="0491000000",
            is_home=True,
        )
        world.home = home
        world.save(update_fields=["home"])
        return world

    return make


@pytest.fixture
def make_member(db, django_user_model):
    from entsim.models import WorldMember

    def make(world, role: str = "stagiaire", username: str | None = None):
        user = django_user_model.objects.create_user(
            username=username or f"{role}-{world.slug}-{uuid.uuid4().hex[:6]}",
            password="mot-de-passe-de-test",
        )
        WorldMember.objects.create(world=world, user=user, role=role)
        return user

    return make


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker in a thread, on the configured broker (Redis or filesystem).

    Messages left in the queue by an earlier run are purged first: they could name job ids
    that a new test database reuses.
    """
    from celery.contrib.testing.worker import start_worker

    from entsim.celery import app

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


def make_event(world, **extra):
    from entsim.models import CalendarEvent

    return CalendarEvent.objects.create(
        world=world, at=START + dt.timedelta(hours=20), kind="rentree", label="Rentrée", **extra
    )


@pytest.fixture
def counting_kind():
    """A job kind whose effect is countable: it increments a counter on a calendar event."""
    from entsim import registry
    from entsim.models import CalendarEvent

    calls = []

    def handler(job):
        event = CalendarEvent.objects.select_for_update().get(pk=job.params["event_id"])
        event.data = {"count": event.data.get("count", 0) + 1}
        event.save(update_fields=["data"])
        calls.append(job.pk)
        if job.params.get("fail"):
            raise ValueError("panne simulée")
        return {"compte": event.data["count"]}

    registry.register_job_kind(registry.JobKind("test.count", "entsim", "Compter", handler))
    yield calls
    registry._job_kinds.pop("test.count")


@pytest.fixture
def without_night_jobs():
    """The registry without the systems' recurring night jobs (restored after the test)."""
    from entsim import registry, timeline

    saved = dict(registry._job_kinds)
    for entry in timeline.TIMELINE:
        registry._job_kinds.pop(entry.kind, None)
    yield
    registry._job_kinds.clear()
    registry._job_kinds.update(saved)
