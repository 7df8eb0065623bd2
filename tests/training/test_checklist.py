"""The checklist of 'Préparation de rentrée', computed from the data: the autopilot makes
every step done and the final check true; each plant left in makes its own step wrong."""

from __future__ import annotations

import pytest

from tests.training.scenario_world import play, scenario_world, states
from training.checklist import checklist_compute, final_check
from training.scenarios import scenario_get

pytestmark = pytest.mark.django_db

SCENARIO = scenario_get("preparation-rentree")
FINAL = "ent-verification"


def test_autopilot_makes_every_step_done():
    world = scenario_world("preparation-rentree")
    result = play(world)
    assert result.played == SCENARIO.step_keys
    assert states(result.checklist) == {key: "fait" for key in SCENARIO.step_keys}, [
        (s.key, s.message) for s in result.checklist if s.state != "fait"
    ]
    assert final_check(result.checklist)
    assert checklist_compute(world=world) == result.checklist  # computed again, same


@pytest.mark.parametrize(
    ("plant", "consequence"),
    [
        ("eleve-voisin", set()),
        ("responsable-doublon", set()),
        ("fiche-bloquante", set()),
        # the rejected group never reaches SIECLE nor the ENT: its pupils and teacher miss it
        ("groupe-edt", {FINAL}),
    ],
)
def test_a_plant_left_in_makes_its_step_wrong(plant, consequence):
    world = scenario_world("preparation-rentree")
    expected = next(p.step for p in SCENARIO.plants if p.key == plant)
    result = play(world, leave=frozenset({plant}))
    wrong = {s.key for s in result.checklist if s.state == "erreur"}
    assert wrong == {expected} | consequence, [(s.key, s.message) for s in result.checklist]
    others = {s.key: s.state for s in result.checklist if s.key not in wrong}
    assert set(others.values()) == {"fait"}, others
    message = next(s.message for s in result.checklist if s.key == expected)
    assert message  # the guide's advice
