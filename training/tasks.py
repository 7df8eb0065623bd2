"""Celery tasks of the training sessions: thin, they load by id and call a service."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services

RETRY = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "max_retries": 10,
}


@shared_task(name="training.tasks.seat_world_build", **RETRY)
def seat_world_build(seat_id: int) -> str:
    seat = services.seat_world_build(seat_id=seat_id)
    return "absent" if seat is None else seat.state


@shared_task(name="training.tasks.seat_world_reset", **RETRY)
def seat_world_reset(seat_id: int) -> str:
    seat = services.seat_world_rebuild(seat_id=seat_id)
    return "absent" if seat is None else seat.state


@shared_task(name="training.tasks.session_delete", **RETRY)
def session_delete(session_id: int) -> None:
    services.session_delete(session_id=session_id)
