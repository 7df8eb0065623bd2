"""Reads of the training sessions: who sees which session, progress, dashboard, sheet."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from entsim import timeline
from entsim.access import user_is_help_desk
from entsim.models import World

from .checklist import StepState, checklist_current
from .models import Session, TraineeSeat
from .scenarios import ScenarioUnknown, scenario_get


def sessions_visible(*, user) -> QuerySet[Session]:
    """A formateur sees their own sessions; the help desk sees every one (read-only)."""
    sessions = Session.objects.select_related("owner")
    return sessions if user_is_help_desk(user) else sessions.filter(owner=user)


def session_owned(*, user, pk: int) -> Session:
    """A session the user may change: their own (raises Session.DoesNotExist otherwise)."""
    return Session.objects.get(pk=pk, owner=user)


@dataclass(frozen=True)
class Progress:
    ready: int
    failed: int
    total: int

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.ready * 100 // self.total

    @property
    def finished(self) -> bool:
        return self.ready + self.failed >= self.total


def session_progress(*, session: Session) -> Progress:
    states = list(session.seats.values_list("state", flat=True))
    return Progress(
        ready=states.count(TraineeSeat.State.PRET),
        failed=states.count(TraineeSeat.State.ECHEC),
        total=len(states),
    )


def seats_of(*, session: Session) -> QuerySet[TraineeSeat]:
    return session.seats.select_related("world", "user")


def scenario_title(*, scenario_id: str) -> str:
    try:
        return scenario_get(scenario_id).title
    except ScenarioUnknown:
        return scenario_id


@dataclass(frozen=True)
class StepColumn:
    key: str
    title: str
    guide: str


@dataclass(frozen=True)
class DashboardRow:
    seat: TraineeSeat
    world: World | None
    now: dt.datetime | None
    steps: list[StepState | None]  # one per column; None while the world is not made


@dataclass(frozen=True)
class Dashboard:
    columns: list[StepColumn]
    rows: list[DashboardRow]


def session_dashboard(*, session: Session) -> Dashboard:
    """One row per trainee, one column per step of the scenario, from each world's data."""
    try:
        steps = scenario_get(session.scenario).steps
    except ScenarioUnknown:
        steps = ()
    columns = [StepColumn(key=s.key, title=s.title, guide=s.guide) for s in steps]
    rows = []
    for seat in seats_of(session=session):
        world = seat.world if seat.state == TraineeSeat.State.PRET else None
        if world is None:
            rows.append(DashboardRow(seat=seat, world=None, now=None, steps=[None] * len(columns)))
            continue
        states = {state.key: state for state in checklist_current(world=world)}
        rows.append(
            DashboardRow(
                seat=seat,
                world=world,
                now=timeline.local(world.now()),
                steps=[states.get(column.key) for column in columns],
            )
        )
    return Dashboard(columns=columns, rows=rows)
