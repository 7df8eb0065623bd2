"""The help desk pages (read only, for every member of the world): trace and pipeline."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .forms import TraceForm
from .people import PersonAmbiguous, PersonNotFound, person_find
from .pipeline import pipeline_compute
from .trace import trace_compute


@require_GET
def trace(request: HttpRequest, world_slug: str) -> HttpResponse:
    form = TraceForm(request.GET or None)
    context = {"page_title": "Trace d'une personne dans la chaîne", "form": form}
    if form.is_valid():
        try:
            person = person_find(world=request.world, query=form.cleaned_data["q"])
        except PersonAmbiguous as error:
            context.update(error=error.message, candidates=error.candidates)
        except PersonNotFound as error:
            context["error"] = error.message
        else:
            context["trace"] = trace_compute(world=request.world, person=person)
    return render(request, "helpdesk/trace.html", context)


@require_GET
def pipeline(request: HttpRequest, world_slug: str) -> HttpResponse:
    return render(
        request,
        "helpdesk/pipeline.html",
        {
            "page_title": "Récapitulatif des échanges",
            "pipeline": pipeline_compute(world=request.world),
        },
    )
