"""The trainee's "Parcours" (the checklist of the world's scenario) and the autopilot button.

Who may start the autopilot: it writes in every system of the world, so it is refused to
read-only visitors and to the trainee (it would do their exercise). The world's formateur
may (a demonstration, a world brought to a chosen step), and so may the help desk in a world
it is a member of (its demonstration worlds, or a trainer following a session); the help
desk's read-only visit of any world (not a membership) may not.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from entsim.models import Role

from .autopilot import AutopilotError, autopilot_start, autopilot_status
from .checklist import checklist_compute, final_check
from .scenarios import ScenarioUnknown, scenario_get

STATE_LABELS = {"fait": "Fait", "a_faire": "À faire", "erreur": "Erreur"}


def may_pilot(member) -> bool:
    return (
        member is not None
        and member.pk is not None
        and member.role in (Role.FORMATEUR, Role.ASSISTANCE)
    )


@require_GET
def parcours(request: HttpRequest, world_slug: str) -> HttpResponse:
    world = request.world
    try:
        scenario = scenario_get(world.scenario)
    except ScenarioUnknown as error:
        return render(request, "training/checklist.html", {"error": error.message}, status=404)
    states = checklist_compute(world=world)
    return render(
        request,
        "training/checklist.html",
        {
            "page_title": "Parcours",
            "scenario": scenario,
            "steps": [(s, STATE_LABELS[s.state]) for s in states],
            "done": sum(1 for s in states if s.state == "fait"),
            "final": final_check(states),
            "may_pilot": may_pilot(request.member) and bool(scenario.steps),
            "status": autopilot_status(world=world),
        },
    )


@require_POST
def pilote(request: HttpRequest, world_slug: str) -> HttpResponse:
    if not may_pilot(request.member):
        raise PermissionDenied(
            "Le pilote automatique est réservé au formateur et à l'assistance membres du monde."
        )
    until = request.POST.get("jusqua") or None
    try:
        autopilot_start(world=request.world, user=request.user, until=until)
    except AutopilotError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Pilote automatique lancé : il joue les étapes sur le worker ; actualisez la page "
            "pour suivre le parcours.",
        )
    return redirect("training_world:parcours", world_slug=request.world.slug)
