"""Files travelling between systems: record them, hand them to their reader, settle them."""

from __future__ import annotations

import datetime as dt
import hashlib
from contextvars import ContextVar

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from .. import registry
from ..formats.safe import too_large_message
from ..models import Exchange, World
from ..registry import ExchangeRefused
from .world_changes import world_change_record

# Files written during a deposit, so that a refusal (rolled back) leaves none behind.
_deposit_files: ContextVar[list | None] = ContextVar("entsim_deposit_files", default=None)


def exchange_record(
    *,
    world: World,
    kind: str,
    source: str,
    target: str,
    filename: str,
    content: bytes,
    deposited_by=None,
    deposited_at: dt.datetime | None = None,
    state: str = Exchange.State.DEPOSITED,
    report: dict | None = None,
) -> Exchange:
    """Store one file as it travels; the bytes are kept exactly as written."""
    exchange = Exchange(
        world=world,
        kind=kind,
        source=source,
        target=target,
        filename=filename,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        deposited_by=deposited_by,
        deposited_at=deposited_at or world.now(),
        state=state,
        report=report or {},
    )
    exchange.file.save(filename, ContentFile(content), save=False)
    written = _deposit_files.get()
    if written is not None:
        written.append((exchange.file.storage, exchange.file.name))
    exchange.save()
    return exchange


def exchange_settle(
    *, exchange: Exchange, state: str, report: dict, at: dt.datetime | None = None
) -> Exchange:
    """The target system has read the file: processed or rejected, with its report."""
    exchange.state = state
    exchange.report = report
    exchange.processed_at = at or exchange.world.now()
    exchange.save(update_fields=["state", "report", "processed_at"])
    return exchange


def exchange_schedule_delivery(*, exchange: Exchange, job_kind: str, due_at: dt.datetime):
    """The target system will read this file at `due_at` (a job of `job_kind`)."""
    from .jobs import job_create

    exchange.state = Exchange.State.PENDING
    exchange.save(update_fields=["state"])
    return job_create(
        world=exchange.world,
        kind=job_kind,
        due_at=due_at,
        dedup_key=f"exchange:{exchange.pk}",
        params={"exchange_id": exchange.pk},
    )


def exchange_content(*, exchange: Exchange) -> bytes:
    with exchange.file.open("rb") as handle:
        return handle.read()


def _kind_or_refuse(kind: str) -> registry.ExchangeKind:
    exchange_kind = registry.exchange_kind(kind)
    if exchange_kind is None:
        known = ", ".join(sorted(registry.exchange_kinds())) or "aucun pour l'instant"
        raise ExchangeRefused(f"Type d'échange inconnu : « {kind} ». Types disponibles : {known}.")
    return exchange_kind


def exchange_export(*, world: World, kind: str, user=None) -> Exchange:
    """Have the source system write its file (a menu 'Exports > …' or the command line)."""
    exchange_kind = _kind_or_refuse(kind)
    if exchange_kind.export is None:
        raise ExchangeRefused(f"Le fichier « {exchange_kind.label} » ne s'exporte pas.")
    with transaction.atomic():
        world_change_record(world_id=world.pk)
        return exchange_kind.export(world=world, user=user)


def exchange_deposit(
    *, world: World, kind: str, filename: str, content: bytes, user=None
) -> Exchange:
    """Hand a file to its target system (an upload, a menu 'Import > …', the command line).

    The size cap is checked before any parsing; the system's own checks follow, and a refusal
    changes nothing (the whole deposit runs in one transaction).
    """
    exchange_kind = _kind_or_refuse(kind)
    if exchange_kind.deposit is None:
        raise ExchangeRefused(f"Le fichier « {exchange_kind.label} » ne s'importe pas.")
    limit = settings.ENTSIM_UPLOAD_MAX_BYTES
    if len(content) > limit:
        raise ExchangeRefused(too_large_message(len(content), limit))
    token = _deposit_files.set([])
    try:
        with transaction.atomic():
            world_change_record(world_id=world.pk)
            return exchange_kind.deposit(world=world, filename=filename, content=content, user=user)
    except BaseException:
        for storage, name in _deposit_files.get():
            storage.delete(name)
        raise
    finally:
        _deposit_files.reset(token)
