"""Creating worlds and letting people in."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from .. import registry
from ..generator import academie_persist, generate_academie
from ..models import Role, World, WorldMember
from .calendar import calendar_jobs_schedule

SIZES = tuple(World.Size.values)


class WorldError(Exception):
    """A refused world operation; the message is shown to the user."""


def world_create(*, name: str, size: str, seed: int, scenario: str = "bac-a-sable") -> World:
    """Generate the académie's truth from the seed and open its clock at the scenario's start."""
    name = name.strip()
    slug = slugify(name)
    if not slug:
        raise WorldError("Le nom du monde doit contenir au moins une lettre ou un chiffre.")
    if size not in SIZES:
        raise WorldError(f"Taille inconnue : {size}. Tailles possibles : {', '.join(SIZES)}.")
    if World.objects.filter(slug=slug).exists():
        raise WorldError(f"Un monde nommé « {name} » existe déjà.")
    academie = generate_academie(seed=seed, size=size)
    with transaction.atomic():
        world = World.objects.create(
            name=name,
            slug=slug,
            seed=seed,
            size=size,
            scenario=scenario,
            academie_code=academie.code,
            academie_name=academie.name,
            sim_anchor=academie.clock_start,
            real_anchor=timezone.now(),
            scheduled_until=academie.clock_start,
        )
        academie_persist(world=world, academie=academie)
        for _system, seeder in registry.seeders():
            seeder(world)
        calendar_jobs_schedule(world=world)
    return world


def world_member_add(*, world: World, user, role: str) -> WorldMember:
    if role not in Role.values:
        raise WorldError(f"Rôle inconnu : {role}.")
    member, _ = WorldMember.objects.update_or_create(
        world=world, user=user, defaults={"role": role}
    )
    return member


def user_ensure(*, username: str, password: str, first_name: str = "", last_name: str = ""):
    """Create the user if missing (demo and training logins), set the password."""
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name}
    )
    user.set_password(password)
    user.save()
    return user
