"""Read side of the AAF (its pages, the help desk)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from entsim.models import World

from .models import AafRun


def runs(*, world: World) -> QuerySet[AafRun]:
    return AafRun.objects.filter(world=world).select_related("exchange").order_by("-at", "-id")


def run_get(*, world: World, pk: int) -> AafRun:
    return get_object_or_404(AafRun.objects.select_related("exchange"), world=world, pk=pk)
