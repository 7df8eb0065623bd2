"""The trainee's checklist: every step of the world's scenario, in the guide's order, each
computed from the world's data and its truth (never from a log of clicks)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from entsim.models import World
from entsim.services.world_changes import world_change_marker

from .checks.facts import Facts
from .scenarios import scenario_get
from .scenarios.base import A_FAIRE, ERREUR, FAIT, INCOMPLET, Verdict


@dataclass(frozen=True)
class StepState:
    key: str  # stable id of the step, e.g. "sts-bascule"
    title: str  # French
    guide: str  # guide section, e.g. "2.1"
    state: str  # "fait" | "a_faire" | "erreur"
    message: str  # French; in "erreur", what is wrong and the guide's advice


def checklist_compute(*, world: World) -> list[StepState]:
    """Each step's state. An unfinished step is "à faire" until the trainee goes on to a later
    step (one done, or gone wrong): it is then an error, with the guide's advice."""
    scenario = scenario_get(world.scenario)
    facts = Facts(world)
    verdicts: list[Verdict] = [step.check(facts) for step in scenario.steps]
    states = []
    for index, (step, verdict) in enumerate(zip(scenario.steps, verdicts, strict=True)):
        state = verdict.state
        if state == INCOMPLET:
            later = any(v.state in (FAIT, ERREUR) for v in verdicts[index + 1 :])
            state = ERREUR if later else A_FAIRE
        states.append(StepState(step.key, step.title, step.guide, state, verdict.message))
    return states


# The trainer dashboard polls every few seconds, for every trainee; a checklist costs
# 0.4-0.8 s on a collège world. Computed again after a change of the world's data, and at least
# this often (a write that no hook of `world_changes` sees).
CHECKLIST_CACHE_SECONDS = 60


def checklist_current(*, world: World) -> list[StepState]:
    """The world's checklist as `checklist_compute` gives it, reused while the world's data
    has not changed (its marker, read before computing: a write during the computation makes
    the next read compute again)."""
    marker = (world_change_marker(world_id=world.pk), world.scenario)
    key = f"entsim:checklist:{world.pk}"
    cached = cache.get(key)
    if cached is not None and cached[0] == marker:
        return cached[1]
    states = checklist_compute(world=world)
    cache.set(key, (marker, states), timeout=CHECKLIST_CACHE_SECONDS)
    return states


def final_check(states: list[StepState]) -> bool:
    """True when every step is done (for a rentrée, the last step is the ENT check)."""
    return bool(states) and all(s.state == FAIT for s in states)
