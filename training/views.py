"""Trainer pages outside any world: sessions, their progress, logins sheet, dashboard.

Reads: the session's owner (a formateur) and the help desk. Writes and the logins sheet: the
owner only. Another formateur's session does not exist for a formateur (404).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from entsim.access import user_is_formateur, user_is_help_desk

from . import selectors, services
from .forms import SessionForm
from .models import Session, TraineeSeat


def trainer_required(view):
    """Formateurs and the help desk; anyone else is refused (403)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not (user_is_formateur(request.user) or user_is_help_desk(request.user)):
            raise PermissionDenied("Espace réservé aux formateurs.")
        return view(request, *args, **kwargs)

    return wrapper


def _visible(request: HttpRequest, pk: int) -> Session:
    try:
        return selectors.sessions_visible(user=request.user).get(pk=pk)
    except Session.DoesNotExist as missing:
        raise Http404("Session introuvable.") from missing


def _owned(request: HttpRequest, pk: int) -> Session:
    """The user's own session; a session they may only read (help desk) is refused (403)."""
    session = _visible(request, pk)
    if session.owner_id != request.user.pk:
        raise PermissionDenied("Consultation seule : seul le formateur de la session la modifie.")
    return session


@trainer_required
@require_GET
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = selectors.sessions_visible(user=request.user)
    return render(
        request,
        "training/session_list.html",
        {"sessions": sessions, "may_create": user_is_formateur(request.user)},
    )


@trainer_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    if not user_is_formateur(request.user):
        raise PermissionDenied("Seuls les formateurs créent des sessions.")
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(owner=request.user, **form.cleaned_data)
        except services.SessionError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Session « {session.name} » créée : mondes en préparation.")
            return redirect("training:session_detail", pk=session.pk)
    return render(request, "training/session_new.html", {"form": form})


@trainer_required
@require_GET
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible(request, pk)
    context = {
        "session": session,
        "scenario_title": selectors.scenario_title(scenario_id=session.scenario),
        "progress": selectors.session_progress(session=session),
        "seats": selectors.seats_of(session=session),
        "is_owner": session.owner_id == request.user.pk,
    }
    if request.htmx:
        return render(request, "training/session_detail.html#session-progress", context)
    return render(request, "training/session_detail.html", context)


@trainer_required
@require_GET
def session_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    session = _owned(request, pk)
    return render(
        request,
        "training/session_sheet.html",
        {"session": session, "seats": selectors.seats_of(session=session)},
    )


@trainer_required
@require_GET
def session_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible(request, pk)
    context = {
        "session": session,
        "scenario_title": selectors.scenario_title(scenario_id=session.scenario),
        "dashboard": selectors.session_dashboard(session=session),
    }
    if request.htmx:
        return render(request, "training/session_dashboard.html#dashboard-table", context)
    return render(request, "training/session_dashboard.html", context)


@trainer_required
@require_POST
def seat_reset(request: HttpRequest, pk: int, seat_pk: int) -> HttpResponse:
    session = _owned(request, pk)
    try:
        seat = session.seats.get(pk=seat_pk)
    except TraineeSeat.DoesNotExist as missing:
        raise Http404("Stagiaire introuvable.") from missing
    try:
        services.seat_reset(seat=seat)
    except services.SessionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Le monde de {seat.login} est en cours de réinitialisation.")
    return redirect("training:session_detail", pk=session.pk)


@trainer_required
@require_POST
def session_close(request: HttpRequest, pk: int) -> HttpResponse:
    session = _owned(request, pk)
    try:
        services.session_close(session=session)
    except services.SessionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Session close : les stagiaires ne peuvent plus se connecter.")
    return redirect("training:session_detail", pk=session.pk)


@trainer_required
@require_http_methods(["GET", "POST"])
def session_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the confirmation page; POST: delete (in the background)."""
    session = _owned(request, pk)
    if request.method == "GET":
        return render(request, "training/session_delete.html", {"session": session})
    try:
        services.session_delete_request(session=session)
    except services.SessionError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"Session « {session.name} » : suppression des mondes et des comptes lancée."
        )
    return redirect("training:session_list")
