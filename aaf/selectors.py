"""Read side of the AAF (its pages, the help desk)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from entsim.formats import aaf
from entsim.models import World

from .models import AafId, AafRun


def runs(*, world: World) -> QuerySet[AafRun]:
    return AafRun.objects.filter(world=world).select_related("exchange").order_by("-at", "-id")


def run_get(*, world: World, pk: int) -> AafRun:
    return get_object_or_404(AafRun.objects.select_related("exchange"), world=world, pk=pk)


# --- For the help desk trace ----------------------------------------------------------------------


def jointure_of(*, world: World, key: str) -> str | None:
    """The jointure id given to a source entry (`E:<UAI>:<ELEVE_ID>`, `R:<UAI>:<PERSONNE_ID>`,
    `P:<STS id>`), None when no extraction ever met it (read only: nothing is created)."""
    pk = AafId.objects.filter(world=world, key=key).values_list("pk", flat=True).first()
    return str(pk) if pk is not None else None


def key_of(*, world: World, jointure: str) -> str | None:
    """The source entry behind a jointure id (None when unknown)."""
    if not str(jointure).isdigit():
        return None
    return AafId.objects.filter(world=world, pk=int(jointure)).values_list("key", flat=True).first()


def run_entry(*, run: AafRun, category: str, jointure: str) -> aaf.AddRequest | None:
    """The entry of one person in the directory of that night (the run's snapshot)."""
    if not run.snapshot:
        return None
    with run.snapshot.open("rb") as handle, aaf.open_run(handle) as opened:
        for file in opened.files:
            if file.category != category:
                continue
            for request in opened.requests(file):
                if isinstance(request, aaf.AddRequest) and request.id == jointure:
                    return request
    return None
