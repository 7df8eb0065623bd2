"""The scenarios of the year: plants after world_create, checklist "à faire" at the start,
the autopilot to "fait" (college worlds, night jobs run in the test's process)."""

from __future__ import annotations

import pytest

from edt.models import Appartenance
from siecle import selectors as siecle_selectors
from tests.training.scenario_world import play, scenario_world, states
from training.autopilot import autopilot_run, inline_advance
from training.checklist import checklist_compute, final_check
from training.scenarios import scenario_get

pytestmark = pytest.mark.django_db


def all_done(result) -> None:
    assert states(result.checklist) == dict.fromkeys(result.played, "fait"), [
        (s.key, s.message) for s in result.checklist if s.state != "fait"
    ]
    assert final_check(result.checklist)


def test_doublons():
    world = scenario_world("doublons")
    uai = world.home.uai
    assert siecle_selectors.doublons_responsables(world=world, uai=uai)
    assert siecle_selectors.dossiers_en_attente(
        world=world, uai=uai, annee=2027, source="autre_eple"
    ).exists()
    assert {s.state for s in checklist_compute(world=world)} == {"a_faire"}
    result = autopilot_run(world=world, advance=inline_advance)
    all_done(result)


def test_doublons_multi_inscription_left_in():
    world = scenario_world("doublons")
    result = autopilot_run(
        world=world, advance=inline_advance, leave=frozenset({"multi-inscription"})
    )
    found = states(result.checklist)
    assert found["siecle-multi-inscription"] == "a_faire"  # nothing later was done
    assert found["aaf-multi-inscription"] == "a_faire"
    assert "déscolarise" in next(
        s.message for s in result.checklist if s.key == "siecle-multi-inscription"
    )


def test_groupes_ent():
    world = scenario_world("groupes-ent")
    assert Appartenance.objects.filter(world=world).exists()  # the EDT software is ready
    assert {s.state for s in checklist_compute(world=world)} == {"a_faire"}
    result = autopilot_run(world=world, advance=inline_advance)
    all_done(result)


def test_arrivees():
    world = scenario_world("arrivees")
    assert {s.state for s in checklist_compute(world=world)} == {"a_faire"}
    result = play(world, directory_from="ent-verification")
    assert result.played == scenario_get("arrivees").step_keys
    all_done(result)
