"""The SIECLE night batch (01:00): a small dispatcher of steps, run in order in one job.

Each step is `step(world=, now=) -> dict` (its report); `now` is the job's due time. The
ELEGROUPE import (links pupil ↔ group deposited during the day) registers itself here before
the multi-inscription signals, so that one night's batch does both, in the real order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from entsim.models import Job, World

from . import elegroupe, services

Step = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class NightStep:
    order: int
    name: str
    label: str
    run: Step


_steps: dict[str, NightStep] = {}


def night_step_register(*, order: int, name: str, label: str, run: Step) -> None:
    _steps[name] = NightStep(order, name, label, run)


def night_steps() -> list[NightStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))


def night_batch_run(job: Job) -> dict[str, Any]:
    """The job handler: every step, in order, in the job's transaction."""
    world: World = job.world
    now: dt.datetime = job.due_at
    return {step.label: step.run(world=world, now=now) for step in night_steps()}


night_step_register(
    order=50,
    name="multi_inscriptions",
    label="Signalements de multi-inscription",
    run=services.multi_inscriptions_detecter,
)


night_step_register(
    order=10,
    name="elegroupe",
    label="Import des liens élève-groupe (ELEGROUPE)",
    run=elegroupe.elegroupe_night,
)
