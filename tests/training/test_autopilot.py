"""The autopilot's --until, its commands and the trainee's Parcours page with its button."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from sts import selectors as sts_selectors
from tests.training.scenario_world import play, scenario_world, states
from training.autopilot import AutopilotError, autopilot_run, autopilot_status
from training.checklist import checklist_compute

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return scenario_world("preparation-rentree")


def test_until_stops_after_the_step(world):
    result = play(world, until="sts-export-structure")
    assert result.played[-1] == "sts-export-structure"
    found = states(result.checklist)
    assert [found[k] for k in ("sts-bascule", "sts-structure", "sts-export-structure")] == [
        "fait"
    ] * 3
    assert found["siecle-nouveaux"] == "a_faire"
    assert sts_selectors.year_get(world=world, year=2027) is not None


def test_unknown_step_or_plant_is_refused_and_nothing_changes(world):
    with pytest.raises(AutopilotError, match=r"Étape inconnue : « 2\.99 »"):
        autopilot_run(world=world, until="2.99")
    with pytest.raises(AutopilotError, match="Piège inconnu"):
        autopilot_run(world=world, leave=frozenset({"nimporte"}))
    assert sts_selectors.year_get(world=world, year=2027) is None


def test_checklist_command(world, capsys):
    call_command("checklist", world.name, "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["scenario"] == "preparation-rentree"
    assert [s["cle"] for s in data["etapes"]] == [s.key for s in checklist_compute(world=world)]
    assert {s["etat"] for s in data["etapes"]} == {"a_faire"}
    assert data["verification_finale"] is False
    call_command("checklist", world.name)
    assert "[à faire] 2.1" in capsys.readouterr().out
    with pytest.raises(CommandError, match="Monde introuvable"):
        call_command("checklist", "Pas de monde")


def test_autopilot_command(world, capsys):
    call_command("autopilot", world.name, "--until", "sts-structure", "--sur-place")
    out = capsys.readouterr().out
    assert "bascule" in out and "3 étape(s) jouée(s)" in out
    with pytest.raises(CommandError, match="Étape inconnue"):
        call_command("autopilot", world.name, "--until", "fin", "--sur-place")


def test_parcours_page_and_who_may_start_the_autopilot(world, client, make_member):
    url = reverse("training_world:parcours", args=[world.slug])
    pilote = reverse("training_world:pilote", args=[world.slug])
    client.force_login(make_member(world, "stagiaire"))
    page = client.get(url).content.decode()
    assert "Parcours : Préparation de rentrée" in page
    assert 'data-etape="sts-bascule" data-etat="a_faire"' in page
    assert "Pilote automatique" not in page
    assert client.post(pilote).status_code == 403
    assert autopilot_status(world=world) is None
    client.force_login(make_member(world, "formateur"))
    assert "Pilote automatique" in client.get(url).content.decode()
    response = client.post(pilote, {"jusqua": "sts-bascule"})
    assert response.status_code == 302
    assert autopilot_status(world=world)["etat"] == "en_cours"


def test_parcours_of_another_world_is_not_found(world, client, make_member, make_world):
    other = make_world("Autre monde")
    client.force_login(make_member(other, "formateur"))
    url = reverse("training_world:parcours", args=[world.slug])
    assert client.get(url).status_code in (403, 404)
