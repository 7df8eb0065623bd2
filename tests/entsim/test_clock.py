"""The simulated clock: frozen, running, advancing, and the timeline's jobs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from entsim import registry, timeline
from entsim.models import Job
from entsim.services.clock import (
    ClockError,
    clock_add_hours,
    clock_advance,
    clock_pass_night,
    clock_set_speed,
)
from tests.conftest import START

pytestmark = pytest.mark.django_db


@pytest.fixture
def night_kinds():
    """Register the three recurring kinds of the timeline for the test (systems do it later)."""
    added = []
    for entry in timeline.TIMELINE:
        if registry.job_kind(entry.kind) is None:
            registry.register_job_kind(
                registry.JobKind(entry.kind, entry.system, entry.label, lambda job: {"ok": 1})
            )
            added.append(entry.kind)
    yield
    for kind in added:
        registry._job_kinds.pop(kind)


def test_frozen_clock_does_not_move(make_world, monkeypatch):
    world = make_world()
    later = timezone.now() + dt.timedelta(hours=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert world.now() == START


def test_running_clock_moves_at_its_speed(make_world, monkeypatch):
    world = make_world()
    real = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: real)
    clock_set_speed(world=world, speed=60)  # one simulated minute per real second
    monkeypatch.setattr(timezone, "now", lambda: real + dt.timedelta(seconds=30))
    assert world.now() == START + dt.timedelta(minutes=30)
    clock_set_speed(world=world, speed=0)
    monkeypatch.setattr(timezone, "now", lambda: real + dt.timedelta(hours=2))
    world.refresh_from_db()
    assert world.now() == START + dt.timedelta(minutes=30)


def test_pass_night_lands_at_eight_next_morning(make_world):
    world = make_world()
    clock_pass_night(world=world)
    assert timeline.local(world.now()) == dt.datetime(2027, 6, 15, 8, 0, tzinfo=timeline.PARIS)
    clock_advance(world=world, to=dt.datetime(2027, 6, 16, 2, 30, tzinfo=timeline.PARIS))
    clock_pass_night(world=world)  # still night: ends this morning
    assert timeline.local(world.now()) == dt.datetime(2027, 6, 16, 8, 0, tzinfo=timeline.PARIS)


def test_clock_never_goes_back(make_world):
    world = make_world()
    with pytest.raises(ClockError, match="revenir en arrière"):
        clock_advance(world=world, to=START - dt.timedelta(hours=1))
    with pytest.raises(ClockError):
        clock_add_hours(world=world, hours=-2)
    world.refresh_from_db()
    assert world.now() == START


def test_advance_materialises_the_timeline_in_order(make_world, night_kinds):
    world = make_world()
    ids = clock_add_hours(world=world, hours=48)  # Monday 08:00 → Wednesday 08:00
    jobs = list(Job.objects.filter(pk__in=ids))
    assert [(j.kind, timeline.local(j.due_at).strftime("%a %H:%M")) for j in jobs] == [
        ("aaf.extraction", "Mon 20:00"),
        ("siecle.night_batch", "Tue 01:00"),
        ("ent.import", "Tue 03:00"),
        ("aaf.extraction", "Tue 20:00"),
        ("siecle.night_batch", "Wed 01:00"),
        ("ent.import", "Wed 03:00"),
    ]
    # Advancing again creates no duplicate occurrence.
    clock_add_hours(world=world, hours=1)
    assert Job.objects.filter(world=world).count() == 6


def test_unregistered_kinds_are_not_scheduled(make_world, without_night_jobs):
    world = make_world()
    assert clock_add_hours(world=world, hours=48) == []
    assert not Job.objects.filter(world=world).exists()


def test_timeline_links_file_reaches_ent_at_plus_48h():
    """The seed document's delays: deposit on J by day → SIECLE J+1 → AAF J+1 → ENT J+2."""

    def first_after(moment, kind):
        horizon = moment + dt.timedelta(days=3)
        return next(m for e, m in timeline.occurrences(moment, horizon) if e.kind == kind)

    deposit = dt.datetime(2027, 6, 14, 10, 0, tzinfo=timeline.PARIS)
    in_siecle = first_after(deposit, "siecle.night_batch")
    extracted = first_after(in_siecle, "aaf.extraction")
    in_ent = first_after(extracted, "ent.import")
    assert in_siecle.date() == dt.date(2027, 6, 15)
    assert extracted.date() == dt.date(2027, 6, 15)
    assert in_ent.date() == dt.date(2027, 6, 16)


def test_next_quarter_hour():
    moment = dt.datetime(2027, 6, 14, 10, 7, 30, tzinfo=timeline.PARIS)
    assert timeline.next_quarter_hour(moment).strftime("%H:%M") == "10:15"
    on_the_dot = dt.datetime(2027, 6, 14, 10, 15, tzinfo=timeline.PARIS)
    assert timeline.next_quarter_hour(on_the_dot).strftime("%H:%M") == "10:30"


def test_dst_change_keeps_local_times(make_world, night_kinds):
    """The night of the autumn clock change: jobs stay at their local hour."""
    world = make_world(start=dt.datetime(2027, 10, 30, 8, 0, tzinfo=timeline.PARIS))
    ids = clock_add_hours(world=world, hours=48)
    hours = [timeline.local(j.due_at).strftime("%d %H:%M") for j in Job.objects.filter(pk__in=ids)]
    assert "31 01:00" in hours and "31 03:00" in hours and "30 20:00" in hours


def test_beat_brings_running_worlds_up_to_their_now(make_world, night_kinds, monkeypatch):
    from entsim.services.clock import running_worlds_advance

    frozen = make_world("Arrêté")
    running = make_world("En marche", uai="0130002F")
    real = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: real)
    clock_set_speed(world=running, speed=3600)  # one simulated hour per real second
    monkeypatch.setattr(timezone, "now", lambda: real + dt.timedelta(seconds=13))  # → 21:00
    assert running_worlds_advance() == 1
    kinds = list(Job.objects.filter(world=running).values_list("kind", flat=True))
    assert kinds == ["aaf.extraction"]
    assert not Job.objects.filter(world=frozen).exists()
