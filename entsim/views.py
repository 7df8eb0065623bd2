"""The shell: login, the user's worlds, a world's portal, its clock, jobs and exchanges."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from . import registry, selectors
from .forms import ClockForm, LoginForm
from .models import Exchange
from .services import clock as clock_services


class LoginView(auth_views.LoginView):
    template_name = "entsim/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"etat": "ok"})


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(selectors.worlds_for_user(user=request.user))
    if len(memberships) == 1:
        return redirect("world_home", world_slug=memberships[0].world.slug)
    return render(request, "entsim/home.html", {"memberships": memberships})


APPLICATIONS = (
    ("sts:landing", "STS-web", "Structures et services de l'établissement, emplois du temps."),
    (
        "siecle:landing",
        "SIECLE Base élèves",
        "Dossiers des élèves, responsables, imports, exports.",
    ),
    ("edt:landing", "Logiciel EDT", "Logiciel privé d'emploi du temps : groupes, services, cours."),
    ("aaf:landing", "Annuaire académique", "Extractions nocturnes vers l'ENT (AAF)."),
    ("ent:landing", "ENT", "Espace numérique de travail : comptes, classes, groupes."),
)


@require_GET
def world_home(request: HttpRequest, world_slug: str) -> HttpResponse:
    world = request.world
    applications = [
        {"url": reverse(name, args=[world.slug]), "title": title, "description": description}
        for name, title, description in APPLICATIONS
    ]
    return render(
        request,
        "entsim/world_home.html",
        {"applications": applications, "counts": selectors.truth_counts(world=world)},
    )


@require_http_methods(["GET", "POST"])
def world_clock(request: HttpRequest, world_slug: str) -> HttpResponse:
    """The clock bar's actions. With htmx, answers the refreshed bar; else redirects back."""
    world = request.world
    if request.method == "POST":
        if not request.member.may_advance_clock:
            raise Http404("Action indisponible.")
        form = ClockForm(request.POST)
        if form.is_valid():
            try:
                _clock_apply(world, form)
            except clock_services.ClockError as error:
                messages.error(request, str(error))
        else:
            messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        if not request.htmx:
            return redirect(_safe_next(request) or reverse("world_home", args=[world.slug]))
    world.refresh_from_db()
    context = {"clock": selectors.clock_bar(world=world, member=request.member)}
    return render(request, "entsim/_clock_bar.html#clock-bar", context)


def _clock_apply(world, form: ClockForm) -> None:
    action = form.cleaned_data["action"]
    if action == "nuit":
        clock_services.clock_pass_night(world=world)
    elif action == "plus24":
        clock_services.clock_add_hours(world=world, hours=24)
    elif action == "aller":
        clock_services.clock_advance(world=world, to=form.target())
    elif action == "pause":
        clock_services.clock_set_speed(world=world, speed=0)
    elif action == "lecture":
        clock_services.clock_set_speed(world=world, speed=form.cleaned_data["speed"])


def _safe_next(request: HttpRequest) -> str | None:
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_GET
def world_jobs(request: HttpRequest, world_slug: str) -> HttpResponse:
    """The world's jobs; `?tache=<id>` with htmx answers that job's row (progress polling)."""
    job_id = request.GET.get("tache", "")
    if request.htmx and job_id:
        if not job_id.isdigit():
            raise Http404("Tâche introuvable.")
        rows = selectors.job_rows(world=request.world, job_id=int(job_id))
        if not rows:
            raise Http404("Tâche introuvable.")
        return render(request, "entsim/jobs.html#job-row", {"row": rows[0]})
    return render(request, "entsim/jobs.html", {"rows": selectors.job_rows(world=request.world)})


@require_GET
def world_exchanges(request: HttpRequest, world_slug: str) -> HttpResponse:
    exchanges = selectors.exchanges_for(world=request.world)[:100]
    return render(
        request, "entsim/exchanges.html", {"exchanges": exchanges, "systems": registry.SYSTEMS}
    )


@require_GET
def exchange_download(request: HttpRequest, world_slug: str, pk: int) -> FileResponse:
    try:
        exchange = selectors.exchange_get(world=request.world, pk=pk)
    except Exchange.DoesNotExist as missing:
        raise Http404("Fichier introuvable.") from missing
    return FileResponse(exchange.file.open("rb"), as_attachment=True, filename=exchange.filename)


SYSTEM_ROLES = {
    "sts": "STS-web décrit la structure de l'établissement (divisions, groupes) et les services "
    "des enseignants. Il envoie sa structure puis ses services à SIECLE Base élèves et un "
    "fichier au logiciel d'emploi du temps, dont il reçoit en retour les groupes et services.",
    "edt": "Le logiciel d'emploi du temps lit le fichier de STS-web et l'export des élèves de "
    "SIECLE ; on y construit les groupes, les services et l'emploi du temps, puis on renvoie "
    "les groupes à STS-web et les liens élève-groupe à SIECLE.",
    "siecle": "SIECLE Base élèves tient les dossiers des élèves et de leurs responsables, reçoit "
    "la structure et les services de STS-web et les liens élève-groupe du logiciel EDT, traités "
    "la nuit.",
    "aaf": "L'annuaire académique extrait chaque soir les personnes et les structures de "
    "STS-web et de SIECLE, et les envoie à l'ENT (fichiers Complet le samedi, Delta sinon).",
    "ent": "L'ENT lit chaque nuit les fichiers de l'annuaire : comptes, classes, groupes, "
    "listes de diffusion et accès aux manuels numériques.",
}


def system_landing(system: str):
    """The landing page of one system: its role in the chain, its files in and out."""

    @require_GET
    def landing(request: HttpRequest, world_slug: str) -> HttpResponse:
        exchanges = selectors.exchanges_for(world=request.world, system=system)[:20]
        return render(
            request,
            f"{system}/landing.html",
            {
                "system": system,
                "system_name": registry.SYSTEMS[system],
                "role": SYSTEM_ROLES[system],
                "exchanges": exchanges,
                "systems": registry.SYSTEMS,
            },
        )

    return landing
