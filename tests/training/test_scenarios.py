"""Scenarios as data: the registry, world_create's validation, the plants of each scenario."""

from __future__ import annotations

import pytest

from edt.models import Groupe
from entsim.services.worlds import WorldError, world_create
from entsim.timeline import local
from siecle import selectors as siecle_selectors
from tests.training.scenario_world import scenario_world
from training.checklist import checklist_compute
from training.scenarios import ScenarioUnknown, scenario_get, scenarios_all

pytestmark = pytest.mark.django_db

IDS = ["preparation-rentree", "arrivees", "doublons", "groupes-ent", "bac-a-sable"]


def test_the_five_scenarios_are_registered_in_order():
    assert [s.id for s in scenarios_all()] == IDS
    for scenario in scenarios_all():
        assert scenario.title and scenario.summary and scenario.default_size
        keys = scenario.step_keys
        assert len(keys) == len(set(keys))
        for plant in scenario.plants:
            assert plant.step in keys, (scenario.id, plant.key)


def test_an_unknown_scenario_is_refused_in_french():
    with pytest.raises(ScenarioUnknown) as error:
        scenario_get("rentree")
    assert "Scénario inconnu : « rentree »" in error.value.message
    with pytest.raises(WorldError) as refused:
        world_create(name="Monde X", size="college", seed=1, scenario="rentree")
    assert str(refused.value).startswith("Scénario inconnu : rentree.")
    assert all(i in str(refused.value) for i in IDS)


def test_bac_a_sable_checks_nothing():
    world = scenario_world("bac-a-sable")
    assert checklist_compute(world=world) == []
    assert not Groupe.objects.filter(world=world).exists()


def test_preparation_rentree_plants_and_fresh_checklist():
    world = scenario_world("preparation-rentree")
    uai = world.home.uai
    # the neighbours' dossiers wait in Importations > Dossiers depuis autre EPLE
    waiting = siecle_selectors.dossiers_en_attente(
        world=world, uai=uai, annee=2027, source="autre_eple"
    )
    assert waiting.count() >= 1
    # the seeders' plants: responsables twice, fiches bloquantes
    assert siecle_selectors.doublons_responsables(world=world, uai=uai)
    assert siecle_selectors.fiches_bloquantes(world=world, uai=uai, annee=2026).exists()
    # the EDT group with a character STS-web refuses
    (planted,) = Groupe.objects.filter(world=world)
    assert "/" in planted.code
    steps = checklist_compute(world=world)
    assert [s.guide for s in steps][:4] == ["2.1", "2.2", "2.3", "2.4"]
    assert {s.state for s in steps} == {"a_faire"}
    assert local(world.now()).month == 6
