"""When things move in the real chain: the one table of simulated times.

Recurring night jobs are materialised as `Job` rows when the clock passes them, and only for
kinds a system has registered (`entsim.registry`). One-off jobs (an exchange to process, an
event of the calendar) are created by the service that causes them, due at the time given here.

A links file deposited on day J is imported by SIECLE's night batch (J+1, 01:00), extracted by
the AAF on J+1 at 20:00 and read by the ENT on J+2 at 03:00: "+24 h in SIECLE, +48 h in the ENT".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Recurring:
    kind: str
    system: str
    at: dt.time
    label: str
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)  # Monday = 0


TIMELINE: tuple[Recurring, ...] = (
    Recurring(
        "siecle.night_batch",
        "siecle",
        dt.time(1, 0),
        "Traitements de nuit SIECLE : imports des liens élève-groupe, consolidation, "
        "signalements de multi-inscription",
    ),
    Recurring(
        "ent.import",
        "ent",
        dt.time(3, 0),
        "Import dans l'ENT des fichiers de l'annuaire",
    ),
    Recurring(
        "aaf.extraction",
        "aaf",
        dt.time(20, 0),
        "Extraction de l'annuaire académique (Complet le samedi, Delta les autres soirs)",
    ),
)

# Kinds of one-off jobs and the delay rule that dates them.
STS_TO_BEE = "siecle.receive_sts"  # STS → BEE structure and services: next quarter hour.
CALENDAR_EVENT = "entsim.calendar_event"  # at the event's own time.

# Morning: "Passer la nuit" lands here, after every night job.
MORNING = dt.time(8, 0)


def local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(PARIS)


def at_local(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=PARIS)


def next_quarter_hour(moment: dt.datetime) -> dt.datetime:
    """The first quarter hour strictly after `moment` (STS → BEE exports are processed then)."""
    moment = local(moment).replace(second=0, microsecond=0)
    minutes = 15 - moment.minute % 15
    return moment + dt.timedelta(minutes=minutes)


def next_morning(moment: dt.datetime) -> dt.datetime:
    """'Passer la nuit': the 08:00 that ends the coming night (today's while still before 08:00)."""
    current = local(moment)
    if current.time() < MORNING:
        return at_local(current.date(), MORNING)
    return at_local(current.date() + dt.timedelta(days=1), MORNING)


def occurrences(
    start: dt.datetime, end: dt.datetime, kinds: set[str] | None = None
) -> Iterator[tuple[Recurring, dt.datetime]]:
    """Every recurring occurrence in (start, end], in time order."""
    if end <= start:
        return
    first_day = local(start).date()
    last_day = local(end).date()
    day = first_day
    found: list[tuple[dt.datetime, int, Recurring]] = []
    while day <= last_day:
        for index, entry in enumerate(TIMELINE):
            if kinds is not None and entry.kind not in kinds:
                continue
            if day.weekday() not in entry.weekdays:
                continue
            moment = at_local(day, entry.at)
            if start < moment <= end:
                found.append((moment, index, entry))
        day += dt.timedelta(days=1)
    for moment, _index, entry in sorted(found, key=lambda item: (item[0], item[1])):
        yield entry, moment


def upcoming(
    after: dt.datetime, count: int, kinds: set[str] | None = None
) -> list[tuple[Recurring, dt.datetime]]:
    """The next `count` recurring occurrences after `after` (for the clock bar)."""
    result: list[tuple[Recurring, dt.datetime]] = []
    horizon = after + dt.timedelta(days=8)
    for item in occurrences(after, horizon, kinds):
        result.append(item)
        if len(result) == count:
            break
    return result
