"""A marker per world that changes whenever the world's data may have changed.

It is set anew, once the write is committed, after every way a world is written: a page's
POST (`WorldAccessMiddleware`), a night job (`job_execute`), a clock move (`clock_advance`), an
exchange exported or deposited (pages, command line, autopilot), an autopilot step. Readers of
costly summaries (the trainer dashboard's checklists) keep them under the marker they read
before computing; a write that no hook sees only costs freshness until the summary's own
timeout. Kept in the shared cache (Redis, or a folder under var/), seen by every process.
"""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import transaction


def _key(world_id: int) -> str:
    return f"entsim:world-changed:{world_id}"


def world_change_record(*, world_id: int) -> None:
    """A new marker for the world, once the current transaction (if any) commits."""
    transaction.on_commit(lambda: cache.set(_key(world_id), uuid.uuid4().hex, timeout=None))


def world_change_marker(*, world_id: int) -> str:
    """The world's current marker ("" before its first recorded change)."""
    return cache.get(_key(world_id)) or ""
