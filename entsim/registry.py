"""What each system declares to the simulator, without `entsim` importing it.

Apps fill this registry in their `AppConfig.ready()`: the job kinds they run (night batches,
imports), the exchange kinds they write or read, what they count for `world_report`, and what
they do when an event of the world's calendar happens.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import CalendarEvent, Exchange, Job, World

SYSTEMS: dict[str, str] = {
    "sts": "STS-web",
    "edt": "Logiciel EDT",
    "siecle": "SIECLE Base élèves",
    "aaf": "Annuaire académique (AAF)",
    "ent": "ENT",
    "entsim": "Académie",
}

# The counts every system reports in `world_report` (zero when it holds nothing yet).
REPORT_KEYS = (
    "eleves",
    "responsables",
    "enseignants",
    "divisions",
    "groupes",
    "liens",
    "comptes",
    "signalements",
)


class ExchangeRefused(Exception):
    """A file refused by the system that reads it; the message is shown to the user (French)."""

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


@dataclass(frozen=True)
class JobKind:
    kind: str
    system: str
    label: str
    handler: Callable[[Job], dict[str, Any] | None]


@dataclass(frozen=True)
class ExchangeKind:
    """A file format travelling between two systems.

    `export(world=, user=)` writes the file from the source system's data and records the
    Exchange; `deposit(world=, filename=, content=, user=)` hands a file to the target system
    (which checks it, then imports it at once or at the time the timeline says) and returns the
    Exchange, or raises `ExchangeRefused`.
    """

    kind: str
    source: str
    target: str
    label: str
    export: Callable[..., Exchange] | None = None
    deposit: Callable[..., Exchange] | None = None


_job_kinds: dict[str, JobKind] = {}
_exchange_kinds: dict[str, ExchangeKind] = {}
_reporters: dict[str, Callable[[World], dict[str, int]]] = {}
_event_listeners: dict[str, list[Callable[[CalendarEvent], None]]] = {}
_seeders: dict[str, Callable[[World], None]] = {}
_scenario_hook: ScenarioHook | None = None


@dataclass(frozen=True)
class ScenarioHook:
    """What the training layer declares about scenarios: the known ids (in order), and what
    to plant in a world once the systems are seeded."""

    ids: Callable[[], list[str]]
    plant: Callable[[World], None]


# Systems are seeded from the world's truth in this order when a world is created.
SEED_ORDER = ("sts", "siecle", "edt", "aaf", "ent")


def register_job_kind(kind: JobKind) -> None:
    _job_kinds[kind.kind] = kind


def register_exchange_kind(kind: ExchangeKind) -> None:
    """Declare a file format; the two sides of one kind may come from two systems.

    When the kind is already known, the callables are merged: the new kind's non-None
    `export` / `deposit` win, a None keeps what the other system declared (STS-web writes
    `sts_emp` and the EDT software reads it, whatever the order the apps load in).
    """
    existing = _exchange_kinds.get(kind.kind)
    if existing is not None:
        if (existing.source, existing.target) != (kind.source, kind.target):
            raise ValueError(
                f"Exchange kind {kind.kind!r} declared {existing.source}→{existing.target} "
                f"and {kind.source}→{kind.target}."
            )
        kind = dataclasses.replace(
            existing,
            label=kind.label or existing.label,
            export=kind.export or existing.export,
            deposit=kind.deposit or existing.deposit,
        )
    _exchange_kinds[kind.kind] = kind


def register_exchange_side(
    kind: str,
    source: str,
    target: str,
    label: str,
    *,
    export: Callable[..., Exchange] | None = None,
    deposit: Callable[..., Exchange] | None = None,
) -> None:
    """One system's side of a file format (its writer or its reader), merged with the other's."""
    register_exchange_kind(
        ExchangeKind(kind, source, target, label, export=export, deposit=deposit)
    )


def register_reporter(system: str, reporter: Callable[[World], dict[str, int]]) -> None:
    _reporters[system] = reporter


def register_event_listener(event_kind: str, listener: Callable[[CalendarEvent], None]) -> None:
    listeners = _event_listeners.setdefault(event_kind, [])
    if listener not in listeners:
        listeners.append(listener)


def register_seeder(system: str, seeder: Callable[[World], None]) -> None:
    """`seeder(world)` fills the system's tables from the truth, as it stands at the start."""
    _seeders[system] = seeder


def seeders() -> list[tuple[str, Callable[[World], None]]]:
    return [(system, _seeders[system]) for system in SEED_ORDER if system in _seeders]


def register_scenario_hook(hook: ScenarioHook) -> None:
    global _scenario_hook
    _scenario_hook = hook


def scenario_hook() -> ScenarioHook | None:
    return _scenario_hook


def job_kind(kind: str) -> JobKind | None:
    return _job_kinds.get(kind)


def job_kinds() -> dict[str, JobKind]:
    return dict(_job_kinds)


def exchange_kind(kind: str) -> ExchangeKind | None:
    return _exchange_kinds.get(kind)


def exchange_kinds() -> dict[str, ExchangeKind]:
    return dict(_exchange_kinds)


def reporter(system: str) -> Callable[[World], dict[str, int]] | None:
    return _reporters.get(system)


def event_listeners(event_kind: str) -> list[Callable[[CalendarEvent], None]]:
    return list(_event_listeners.get(event_kind, ()))
