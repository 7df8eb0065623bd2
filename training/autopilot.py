"""The autopilot: plays the correct chronology of the world's scenario, step by step, through
the same services as the pages, advancing the clock where the real chain waits.

Where the chain waits (an export processed at the next quarter hour, the night batches, the
rentrée), the clock moves with `clock_advance` and the due jobs run, either on the Celery
worker (`worker_advance`: the command line, the acceptance test) or here, in this process
(`inline_advance`: the help desk's button, itself a Celery task that must not wait for its own
worker). Either way each job runs once, claimed by its conditional update.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from celery import shared_task
from django.core.cache import cache

from entsim import registry, timeline
from entsim.models import Job, Role, World, WorldMember
from entsim.services.clock import clock_advance
from entsim.services.jobs import due_job_ids, job_execute
from entsim.services.world_changes import world_change_record

from .checklist import StepState, checklist_compute
from .scenarios import scenario_get
from .scenarios.actions import Pilot, PilotError

OPEN_STATES = (Job.State.PENDING, Job.State.RUNNING)


class AutopilotError(Exception):
    """Refused or failed run; the message (French) is shown to the user."""


def _failed(world: World, until: dt.datetime) -> None:
    failed = Job.objects.filter(world=world, state=Job.State.FAILED, due_at__lte=until).first()
    if failed is not None:
        kind = registry.job_kind(failed.kind)
        label = kind.label if kind else failed.kind
        last = failed.error.strip().splitlines()[-1] if failed.error else ""
        raise PilotError(
            f"Tâche en échec le {timeline.local(failed.due_at):%d/%m/%Y %H:%M} ({label}) : {last}"
        )


def inline_advance(world: World, to: dt.datetime) -> None:
    """Move the clock and run the due jobs here, in due order."""
    clock_advance(world=world, to=to)
    for job_id in due_job_ids(world=world, until=to):
        job_execute(job_id=job_id)
    _failed(world, to)


def worker_advance(timeout: float = 3600.0):
    """Move the clock, let the Celery worker run the jobs, wait for them."""

    def advance(world: World, to: dt.datetime) -> None:
        clock_advance(world=world, to=to)
        deadline = time.monotonic() + timeout
        while Job.objects.filter(world=world, state__in=OPEN_STATES, due_at__lte=to).exists():
            if time.monotonic() > deadline:
                raise PilotError(
                    f"Les tâches ne sont pas terminées après {timeout:.0f} s : un worker Celery "
                    "est-il lancé (make worker) ?"
                )
            time.sleep(0.2)
        _failed(world, to)

    return advance


@dataclass(frozen=True)
class AutopilotResult:
    played: list[str]  # step keys played
    log: list[str]
    checklist: list[StepState]


def world_user(world: World):
    """Who the autopilot acts as: the world's trainee, else its trainer, else nobody."""
    for role in (Role.STAGIAIRE, Role.FORMATEUR):
        member = WorldMember.objects.filter(world=world, role=role).select_related("user").first()
        if member is not None:
            return member.user
    return None


def autopilot_run(
    *,
    world: World,
    until: str | None = None,
    advance=inline_advance,
    leave: frozenset[str] = frozenset(),
    user=None,
    on_step=None,
) -> AutopilotResult:
    """Play every step of the world's scenario in order, up to and including `until`.

    `leave`: plant keys the autopilot leaves in (it makes the mistake they invite).
    """
    scenario = scenario_get(world.scenario)
    keys = scenario.step_keys
    if until is not None and until not in keys:
        raise AutopilotError(
            f"Étape inconnue : « {until} ». Étapes du scénario « {scenario.title} » : "
            f"{', '.join(keys) or 'aucune'}."
        )
    unknown = sorted(set(leave) - {plant.key for plant in scenario.plants})
    if unknown:
        raise AutopilotError(f"Piège inconnu dans ce scénario : {', '.join(unknown)}.")
    pilot = Pilot(world=world, user=user or world_user(world), advance=advance, leave=leave)
    played = []
    for step in scenario.steps:
        if on_step is not None:
            on_step(step)
        if step.play is not None:
            try:
                step.play(pilot)
            except PilotError:
                raise
            except Exception as error:
                message = getattr(error, "message", None) or str(error)
                raise PilotError(f"Étape « {step.title} » ({step.guide}) : {message}") from error
            world_change_record(world_id=world.pk)
        played.append(step.key)
        if step.key == until:
            break
    world.refresh_from_db()
    return AutopilotResult(played, pilot.log, checklist_compute(world=world))


# --- The help desk's button: a Celery task, its state in the shared cache -------------------------


def _status_key(world_id: int) -> str:
    return f"entsim:autopilot:{world_id}"


def autopilot_status(*, world: World) -> dict | None:
    return cache.get(_status_key(world.pk))


def autopilot_start(*, world: World, user=None, until: str | None = None) -> None:
    """Start a run on the worker (refused while one runs for this world)."""
    if (autopilot_status(world=world) or {}).get("etat") == "en_cours":
        raise AutopilotError("Le pilote automatique joue déjà ce monde.")
    scenario = scenario_get(world.scenario)
    if not scenario.steps:
        raise AutopilotError(f"Le scénario « {scenario.title} » n'a pas d'étapes à jouer.")
    if until is not None and until not in scenario.step_keys:
        raise AutopilotError(f"Étape inconnue : « {until} ».")
    cache.set(_status_key(world.pk), {"etat": "en_cours", "etape": ""}, timeout=6 * 3600)
    autopilot_task.delay(world.pk, getattr(user, "pk", None), until)


@shared_task
def autopilot_task(world_id: int, user_id: int | None, until: str | None) -> None:
    from django.contrib.auth import get_user_model

    world = World.objects.get(pk=world_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    key = _status_key(world_id)

    def on_step(step) -> None:
        cache.set(key, {"etat": "en_cours", "etape": step.title}, timeout=6 * 3600)

    try:
        autopilot_run(world=world, until=until, user=user, on_step=on_step)
    except (AutopilotError, PilotError) as error:
        cache.set(key, {"etat": "erreur", "etape": str(error)}, timeout=6 * 3600)
        return
    cache.set(key, {"etat": "termine", "etape": ""}, timeout=6 * 3600)
