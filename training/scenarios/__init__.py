"""The scenarios: one module each (a trainer's new scenario is one more module, listed here).

`scenario_get(id)` and `scenarios_all()`; `scenario_plants_apply(world)` is the hook
`world_create` calls (through `entsim.registry`) after the systems' seeders.
"""

from __future__ import annotations

from importlib import import_module

from entsim.models import World

from .base import Plant, Scenario, ScenarioUnknown, Step

MODULES = (
    "preparation_rentree",
    "arrivees",
    "doublons",
    "groupes_ent",
    "bac_a_sable",
)

__all__ = ["Plant", "Scenario", "ScenarioUnknown", "Step", "scenario_get", "scenarios_all"]


def scenarios_all() -> list[Scenario]:
    return [import_module(f"{__name__}.{module}").SCENARIO for module in MODULES]


def scenario_get(scenario_id: str) -> Scenario:
    for scenario in scenarios_all():
        if scenario.id == scenario_id:
            return scenario
    known = ", ".join(s.id for s in scenarios_all())
    raise ScenarioUnknown(f"Scénario inconnu : « {scenario_id} ». Scénarios possibles : {known}.")


def scenario_plants_apply(world: World) -> None:
    """Plant the scenario's situations in a world just seeded (world_create's hook)."""
    for plant in scenario_get(world.scenario).plants:
        if plant.apply is not None:
            plant.apply(world)
