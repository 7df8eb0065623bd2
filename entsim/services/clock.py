"""The simulated clock of a world: advance, pause, run at a speed.

Every way of moving time (the trainer's buttons, the command line, Celery beat for running
worlds) goes through `clock_advance`, which materialises the timeline's jobs up to the new time
and dispatches every due job, in due order, to Celery once the transaction has committed.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from .. import timeline
from ..models import World
from .jobs import due_job_ids, jobs_dispatch, jobs_schedule_recurring
from .world_changes import world_change_record

# The speeds offered to run by itself, in simulated seconds per real second.
SPEEDS = (
    (60, "×60 — 1 h simulée par minute"),
    (360, "×360 — 6 h simulées par minute"),
    (1440, "×1440 — 1 jour simulé par minute"),
)


class ClockError(Exception):
    """A refused clock move; the message is shown to the user."""


def clock_advance(*, world: World, to: dt.datetime | None = None) -> list[int]:
    """Move the clock to `to` (default: now, for a running world) and dispatch due jobs.

    Returns the ids of the jobs dispatched. Two racing calls are serialised on the world row;
    a job dispatched by both still runs once (see `job_execute`).
    """
    with transaction.atomic():
        locked = World.objects.select_for_update().get(pk=world.pk)
        now = locked.now()
        target = now if to is None else to
        if timezone.is_naive(target):
            raise ClockError("L'heure demandée doit préciser son fuseau horaire.")
        if target < now - dt.timedelta(seconds=1):
            raise ClockError(
                "Impossible de revenir en arrière : l'horloge du monde est au "
                f"{timeline.local(now):%d/%m/%Y %H:%M}."
            )
        target = max(target, now)
        locked.sim_anchor = target
        locked.real_anchor = timezone.now()
        if target > locked.scheduled_until:
            jobs_schedule_recurring(world=locked, start=locked.scheduled_until, end=target)
            locked.scheduled_until = target
        locked.save(update_fields=["sim_anchor", "real_anchor", "scheduled_until"])
        job_ids = due_job_ids(world=locked, until=target)
        transaction.on_commit(lambda: jobs_dispatch(job_ids=job_ids))
        world_change_record(world_id=locked.pk)
    _refresh(world, locked)
    return job_ids


def clock_pass_night(*, world: World) -> list[int]:
    """'Passer la nuit': to the next 08:00, after every night job."""
    return clock_advance(world=world, to=timeline.next_morning(world.now()))


def clock_add_hours(*, world: World, hours: float) -> list[int]:
    if hours <= 0:
        raise ClockError("Le nombre d'heures doit être positif.")
    return clock_advance(world=world, to=world.now() + dt.timedelta(hours=hours))


def clock_set_speed(*, world: World, speed: float) -> World:
    """Pause (speed 0) or run by itself at `speed` simulated seconds per real second."""
    if speed < 0 or speed > 100_000:
        raise ClockError("La vitesse doit être comprise entre 0 (pause) et 100 000.")
    clock_advance(world=world)
    with transaction.atomic():
        locked = World.objects.select_for_update().get(pk=world.pk)
        locked.sim_anchor = locked.now()
        locked.real_anchor = timezone.now()
        locked.speed = speed
        locked.save(update_fields=["sim_anchor", "real_anchor", "speed"])
    _refresh(world, locked)
    return world


def running_worlds_advance() -> int:
    """Celery beat: bring every running world's jobs up to its own now."""
    count = 0
    for world in World.objects.filter(speed__gt=0):
        clock_advance(world=world)
        count += 1
    return count


def _refresh(world: World, source: World) -> None:
    for field in ("sim_anchor", "real_anchor", "speed", "scheduled_until"):
        setattr(world, field, getattr(source, field))
