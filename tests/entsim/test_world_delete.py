"""Deleting a world removes every system's rows, even those other rows protect from a user."""

from __future__ import annotations

import pytest

from edt.models import Division, Matiere, Service
from entsim.models import World
from entsim.services.worlds import world_delete

pytestmark = pytest.mark.django_db


def test_world_with_timetable_services_is_deleted(make_world):
    world = make_world()
    other = make_world("Autre monde", uai="0130002F")
    for w in (world, other):
        matiere = Matiere.objects.create(world=w, libelle="MATHEMATIQUES", sts_code="061300")
        division = Division.objects.create(world=w, code="3A")
        Service.objects.create(world=w, matiere=matiere, division=division)

    world_delete(world=world)

    assert not World.objects.filter(pk=world.pk).exists()
    assert not Service.objects.filter(world_id=world.pk).exists()
    assert Service.objects.filter(world=other).count() == 1
