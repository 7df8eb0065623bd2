"""Training sessions: create, make the trainees' worlds, reset one, close, delete.

Every trainee's world is made in the background, one Celery task per trainee
(`training.tasks.seat_world_build`), so that several workers share the work; the session
page follows its progress (worlds ready / trainees).

Who sees what: the trainee is a stagiaire of their own world and of nothing else; the session's
owner is a read-only member (role assistance) of every trainee's world, to watch it from the
dashboard without touching it.

Closing a session disables the trainees' logins (they can no longer log in; the session they
had open ends with their next request) and stops the worlds' clocks; the worlds stay, for the
trainer to review read-only. Deleting a session deletes, in the background, the trainees'
worlds (with their exchanged files), their logins and the session.
"""

from __future__ import annotations

import logging
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import InterfaceError, OperationalError, transaction
from django.utils.text import slugify

from entsim.models import Role, World
from entsim.services.clock import clock_set_speed
from entsim.services.worlds import world_create, world_delete, world_member_add

from .models import Session, TraineeSeat
from .scenarios import ScenarioUnknown, scenario_get

logger = logging.getLogger(__name__)

MAX_TRAINEES = 30
# Letters and digits of the generated passwords: no 0/o, 1/l/i, they are read from paper.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105


class SessionError(Exception):
    """A refused session operation; the message (French) is shown to the user."""


def session_create(
    *,
    owner,
    name: str,
    scenario: str,
    trainee_count: int,
    world_size: str,
    seed: int | None = None,
) -> Session:
    """A session and its N trainees' logins; their worlds are made in the background."""
    name = name.strip()
    slug = slugify(name)[:30].strip("-")
    if not slug:
        raise SessionError("Le nom de la session doit contenir au moins une lettre ou un chiffre.")
    try:
        scenario_get(scenario)
    except ScenarioUnknown as unknown:
        raise SessionError(str(unknown)) from unknown
    if world_size not in World.Size.values:
        raise SessionError(f"Taille de monde inconnue : {world_size}.")
    if not 1 <= trainee_count <= MAX_TRAINEES:
        raise SessionError(f"Le nombre de stagiaires doit être compris entre 1 et {MAX_TRAINEES}.")
    if Session.objects.filter(slug=slug).exists():
        raise SessionError(f"Une session nommée « {name} » existe déjà : choisissez un autre nom.")
    logins = [f"{slug}-{number:02d}" for number in range(1, trainee_count + 1)]
    world_names = [f"{name} — stagiaire {number:02d}" for number in range(1, trainee_count + 1)]
    taken = get_user_model().objects.filter(username__in=logins).values_list("username", flat=True)
    if taken:
        raise SessionError(
            f"L'identifiant {sorted(taken)[0]} existe déjà : choisissez un autre nom."
        )
    if World.objects.filter(slug__in=[slugify(w) for w in world_names]).exists():
        raise SessionError(f"Des mondes « {name} — … » existent déjà : choisissez un autre nom.")
    with transaction.atomic():
        session = Session.objects.create(
            owner=owner,
            name=name,
            slug=slug,
            scenario=scenario,
            world_size=world_size,
            trainee_count=trainee_count,
            seed=secrets.randbelow(1_000_000) if seed is None else seed,
        )
        seats = [
            TraineeSeat.objects.create(
                session=session,
                number=number,
                user=_trainee_user(login),
                login=login,
                password=_password(),
                world_name=world_name,
            )
            for number, (login, world_name) in enumerate(zip(logins, world_names, strict=True), 1)
        ]
        seat_ids = [seat.pk for seat in seats]
        transaction.on_commit(lambda: _enqueue("seat_world_build", seat_ids))
    return session


def seat_world_build(*, seat_id: int) -> TraineeSeat | None:
    """Make the trainee's world (the Celery task's body); idempotent.

    A world of the seat's name left by an interrupted earlier run (made, but the seat not yet
    updated) is taken as it is: `world_create` commits a world whole or not at all.
    Database connection errors propagate (the task is retried); any other error puts the seat
    in "échec" with its message, for the trainer to reset it.
    """
    seat = TraineeSeat.objects.select_related("session").filter(pk=seat_id).first()
    if seat is None or seat.state == TraineeSeat.State.PRET:
        return seat
    session = seat.session
    try:
        world = World.objects.filter(name=seat.world_name).first() or world_create(
            name=seat.world_name,
            size=session.world_size,
            seed=session.seed,
            scenario=session.scenario,
        )
        password = make_password(seat.password)  # slow on purpose: not inside the transaction
        with transaction.atomic():
            seat = TraineeSeat.objects.select_for_update().filter(pk=seat_id).first()
            if seat is None:  # the session was deleted meanwhile: the world goes too
                transaction.on_commit(lambda: world_delete(world=world))
                return None
            world_member_add(world=world, user=seat.user, role=Role.STAGIAIRE)
            world_member_add(world=world, user=session.owner, role=Role.ASSISTANCE)
            seat.user.password = password
            seat.user.save(update_fields=["password"])
            seat.world = world
            seat.state = TraineeSeat.State.PRET
            seat.error = ""
            seat.save(update_fields=["world", "state", "error"])
    except (OperationalError, InterfaceError):
        raise
    except Exception as error:
        logger.exception("world of seat %s not made", seat_id)
        TraineeSeat.objects.filter(pk=seat_id).update(
            state=TraineeSeat.State.ECHEC, error=_error_message(error)
        )
        return TraineeSeat.objects.filter(pk=seat_id).first()
    # After the seat's commit: the last seat to be ready sees every other one ready.
    session_state_refresh(session=session)
    return seat


def seat_reset(*, seat: TraineeSeat) -> TraineeSeat:
    """Put the trainee's world back to the scenario's start (remade in the background)."""
    session = seat.session
    if session.state in (Session.State.CLOSE, Session.State.SUPPRESSION):
        raise SessionError(
            "Cette session est close : ses mondes ne peuvent plus être réinitialisés."
        )
    if seat.state == TraineeSeat.State.PREPARATION:
        raise SessionError(f"Le monde de {seat.login} est déjà en préparation.")
    with transaction.atomic():
        TraineeSeat.objects.filter(pk=seat.pk).update(state=TraineeSeat.State.PREPARATION, error="")
        Session.objects.filter(pk=session.pk).update(state=Session.State.PREPARATION)
        transaction.on_commit(lambda: _enqueue("seat_world_reset", [seat.pk]))
    seat.refresh_from_db()
    return seat


def seat_world_rebuild(*, seat_id: int) -> TraineeSeat | None:
    """The reset's task body: delete the trainee's world, make it again (same seed, scenario)."""
    seat = TraineeSeat.objects.select_related("world").filter(pk=seat_id).first()
    if seat is None or seat.state != TraineeSeat.State.PREPARATION:
        return seat
    stale = seat.world or World.objects.filter(name=seat.world_name).first()
    if stale is not None:
        world_delete(world=stale)
    return seat_world_build(seat_id=seat_id)


def session_state_refresh(*, session: Session) -> None:
    """'Prête' once every trainee's world is made (a failed one keeps it in preparation)."""
    if not session.seats.exclude(state=TraineeSeat.State.PRET).exists():
        Session.objects.filter(pk=session.pk, state=Session.State.PREPARATION).update(
            state=Session.State.PRETE
        )


def session_close(*, session: Session) -> Session:
    """Disable the trainees' logins and stop the worlds' clocks; the worlds stay to review."""
    if session.state in (Session.State.CLOSE, Session.State.SUPPRESSION):
        raise SessionError("Cette session est déjà close.")
    with transaction.atomic():
        Session.objects.filter(pk=session.pk).update(state=Session.State.CLOSE)
        get_user_model().objects.filter(training_seat__session=session).update(is_active=False)
        for world in World.objects.filter(training_seat__session=session, speed__gt=0):
            clock_set_speed(world=world, speed=0)
    session.refresh_from_db()
    return session


def session_delete_request(*, session: Session) -> Session:
    """Mark the session for deletion; its worlds and logins are deleted in the background."""
    if session.state == Session.State.SUPPRESSION:
        raise SessionError("Cette session est déjà en cours de suppression.")
    with transaction.atomic():
        Session.objects.filter(pk=session.pk).update(state=Session.State.SUPPRESSION)
        get_user_model().objects.filter(training_seat__session=session).update(is_active=False)
        transaction.on_commit(lambda: _enqueue("session_delete", [session.pk]))
    session.refresh_from_db()
    return session


def session_delete(*, session_id: int) -> None:
    """The deletion's task body: each world (and its files), each login, then the session."""
    session = Session.objects.filter(pk=session_id).first()
    if session is None:
        return
    for seat in session.seats.select_related("world", "user"):
        world = seat.world or World.objects.filter(name=seat.world_name).first()
        if world is not None:
            world_delete(world=world)
        seat.user.delete()  # and the seat with it
    session.delete()


def _trainee_user(login: str):
    user = get_user_model()(username=login, first_name="Stagiaire", last_name=login)
    user.set_unusable_password()  # the password is set with the world (hashing is slow)
    user.save()
    return user


def _password() -> str:
    groups = ("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def _error_message(error: Exception) -> str:
    message = str(error) or error.__class__.__name__
    return f"Le monde n'a pas pu être créé : {message}"[:2000]


def _enqueue(task_name: str, ids: list[int]) -> None:
    from . import tasks

    task = getattr(tasks, task_name)
    for pk in ids:
        task.delay(pk)
