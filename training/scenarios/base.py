"""What a scenario is made of: steps in the guide's order, each with its check and its play.

A scenario is data: a `Scenario` built in one module of this package. A step's `check` reads
the world (its systems through their selectors, and its truth) and returns a `Verdict`; its
`play` is what the autopilot does for it, through the same services as the pages. A plant is
a situation the guide warns about, put in the world when it is created (or already there,
planted by the systems' seeders), with the step that goes wrong when it is left in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from entsim.models import World

    from ..checks.facts import Facts
    from .actions import Pilot

FAIT = "fait"
A_FAIRE = "a_faire"
ERREUR = "erreur"
# Not finished: "à faire" while the trainee has not gone further, "erreur" once a later step
# was done (the trainee moved on leaving it unfinished).
INCOMPLET = "incomplet"


@dataclass(frozen=True)
class Verdict:
    state: str
    message: str


def done(message: str) -> Verdict:
    return Verdict(FAIT, message)


def todo(message: str) -> Verdict:
    return Verdict(A_FAIRE, message)


def wrong(message: str) -> Verdict:
    return Verdict(ERREUR, message)


def unfinished(message: str) -> Verdict:
    return Verdict(INCOMPLET, message)


@dataclass(frozen=True)
class Step:
    key: str  # stable id, e.g. "sts-bascule"
    title: str  # French
    guide: str  # section of the guide, e.g. "2.1"
    check: Callable[[Facts], Verdict]
    play: Callable[[Pilot], None] | None = None


@dataclass(frozen=True)
class Plant:
    key: str  # e.g. "eleve-voisin"
    label: str  # French: what is planted and where the trainee meets it
    step: str  # the key of the step that goes wrong when it is left in
    apply: Callable[[World], None] | None = None  # None: planted by the systems' seeders


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    summary: str
    default_size: str
    steps: tuple[Step, ...]
    plants: tuple[Plant, ...] = ()
    # The school year the checks look at: the one in preparation (a rentrée) or the one in
    # progress when the world opens (the procedures of the year).
    year: str = "preparation"

    def step(self, key: str) -> Step | None:
        return next((step for step in self.steps if step.key == key), None)

    @property
    def step_keys(self) -> list[str]:
        return [step.key for step in self.steps]


class ScenarioUnknown(Exception):
    """An unknown scenario id; the message (French) lists the known ones."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
