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
from .world_changes import world_change_record

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
    hook = registry.scenario_hook()
    known = hook.ids() if hook is not None else ["bac-a-sable"]
    if scenario not in known:
        raise WorldError(
            f"Scénario inconnu : {scenario}. Scénarios possibles : {', '.join(known)}."
        )
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
        if hook is not None:
            hook.plant(world)
        calendar_jobs_schedule(world=world)
        world_change_record(world_id=world.pk)  # a new world may take a deleted one's id
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


def world_delete(*, world: World) -> None:
    """Delete a world, every row of every system in it, and the files they stored.

    Files are found generically (entsim imports no system app): every model with a foreign
    key to World and a file field. They are removed once the rows' deletion has committed.
    """
    from django.apps import apps
    from django.db import models

    stored = []
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        files = [f.name for f in fields if isinstance(f, models.FileField)]
        links = [f.name for f in fields if f.is_relation and f.related_model is World]
        for link in links if files else ():
            for row in model.objects.filter(**{link: world}).values_list(*files):
                stored += [
                    (model._meta.get_field(f).storage, name)
                    for f, name in zip(files, row, strict=True)
                    if name
                ]
    with transaction.atomic():
        World.objects.filter(pk=world.pk).delete()

        def remove_files():
            for storage, name in stored:
                storage.delete(name)

        transaction.on_commit(remove_files)
