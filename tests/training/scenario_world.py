"""Helpers for the scenario tests: worlds of a scenario, and a quick summer.

The unit tests play the autopilot with the jobs run in the test's process. From June to the
rentrée the directory's night jobs (AAF extraction, ENT import) are left out of the registry,
so the long summer costs seconds: the SIECLE night batch, the STS → BEE deliveries and the
calendar still run. From the rentrée on they are back: the first AAF extraction of the year
is a Complet, read by the ENT the next night. The acceptance test (test_autopilot_worker.py)
keeps every night job, on a real worker.
"""

from __future__ import annotations

import uuid

from entsim import registry
from entsim.models import CalendarEvent
from entsim.services.worlds import world_create
from training.autopilot import autopilot_run, inline_advance

DIRECTORY_KINDS = ("aaf.extraction", "ent.import")


def scenario_world(scenario: str, size: str = "college", seed: int = 11):
    return world_create(
        name=f"{scenario} {uuid.uuid4().hex[:6]}", size=size, seed=seed, scenario=scenario
    )


class QuickSummer:
    """An `advance` for the autopilot: no directory night jobs until the rentrée has passed,
    or (`directory_from`) until that step starts."""

    def __init__(self, world, directory_from: str | None = None) -> None:
        rentree = CalendarEvent.objects.filter(world=world, kind="rentree").order_by("at").first()
        self.rentree = rentree.at
        self.directory_from = directory_from
        self.saved = {
            k: registry._job_kinds.pop(k) for k in DIRECTORY_KINDS if k in registry._job_kinds
        }

    def __call__(self, world, to) -> None:
        if self.directory_from is None and to > self.rentree:
            self.restore()
        inline_advance(world, to)

    def on_step(self, step) -> None:
        if step.key == self.directory_from:
            self.restore()

    def restore(self) -> None:
        registry._job_kinds.update(self.saved)


def play(world, directory_from: str | None = None, **options):
    summer = QuickSummer(world, directory_from)
    try:
        return autopilot_run(world=world, advance=summer, on_step=summer.on_step, **options)
    finally:
        summer.restore()


def states(checklist) -> dict[str, str]:
    return {step.key: step.state for step in checklist}
