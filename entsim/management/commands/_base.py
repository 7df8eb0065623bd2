"""Shared pieces of the command-line entry points (same services as the UI)."""

from __future__ import annotations

from django.core.management.base import CommandError

from entsim.models import World

EXIT_REFUSED = 2


def world_by_name(name: str) -> World:
    world = World.objects.filter(name=name).select_related("home").first()
    if world is None:
        world = World.objects.filter(slug=name).select_related("home").first()
    if world is None:
        raise CommandError(f"Monde introuvable : « {name} ».", returncode=EXIT_REFUSED)
    return world
