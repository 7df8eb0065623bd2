"""The AAF's pages (read only): runs, their counts, the persons left out, the files."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from entsim.formats import aaf

from . import selectors


@require_GET
def landing(request: HttpRequest, world_slug: str) -> HttpResponse:
    page = Paginator(selectors.runs(world=request.world), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "aaf/landing.html",
        {"page_title": "Annuaire académique", "page": page, "categories": aaf.CATEGORIES},
    )


@require_GET
def run_detail(request: HttpRequest, world_slug: str, pk: int) -> HttpResponse:
    run = selectors.run_get(world=request.world, pk=pk)
    return render(
        request,
        "aaf/run.html",
        {
            "page_title": f"Extraction {run.kind} du {run.day:%d/%m/%Y}",
            "run": run,
            "counts": [(c, run.counts.get(c, 0)) for c in aaf.CATEGORIES],
            "requests": sorted(run.requests.items()),
        },
    )


@require_GET
def snapshot_download(request: HttpRequest, world_slug: str, pk: int) -> FileResponse:
    run = selectors.run_get(world=request.world, pk=pk)
    if not run.snapshot:
        raise Http404("Pas d'annuaire complet conservé pour cette extraction.")
    name = aaf.run_name(f"ANNUAIRE_{run.pk}", aaf.COMPLET, run.day)
    return FileResponse(run.snapshot.open("rb"), as_attachment=True, filename=name)
