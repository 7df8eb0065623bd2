"""STS-web's pages: thin views that parse, call one service or selector, and render.

The world comes from the middleware (request.world); every object is fetched within the
world and the year being worked on (404 otherwise). Writes are POST, behind write_required.
htmx requests for filtered lists get the table partial only.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from entsim import nomenclatures as nom
from entsim import registry
from entsim import selectors as entsim_selectors
from entsim.access import write_required
from entsim.forms import UploadForm
from entsim.models import Exchange, Role
from entsim.registry import ExchangeRefused
from entsim.services.exchanges import exchange_content

from . import forms, selectors, services
from .models import Division, Group, NomenclatureEntry, SchoolYear, Teacher
from .services import StsError

PER_PAGE = 50


def _session_key(world) -> str:
    return f"sts_annee_{world.pk}"


def sts_page(view):
    """Resolve STS-web's context (home establishment, open years, year worked on)."""

    @wraps(view)
    def wrapper(request: HttpRequest, world_slug: str, *args, **kwargs):
        context = selectors.context_for(
            world=request.world, choice=request.session.get(_session_key(request.world))
        )
        if context is None:
            messages.info(request, "STS-web ne contient aucune donnée dans ce monde.")
            return redirect("sts:landing", world_slug)
        request.sts = context
        return view(request, *args, **kwargs)

    return wrapper


def _render(request: HttpRequest, template: str, context: dict, title: str) -> HttpResponse:
    return render(request, template, {"sts": request.sts, "page_title": title, **context})


def _back(request: HttpRequest, name: str, **params) -> HttpResponse:
    url = reverse(f"sts:{name}", args=[request.world.slug])
    if params:
        url += "?" + urlencode(params)
    return redirect(url)


def _error(request: HttpRequest, error: Exception) -> None:
    messages.error(request, getattr(error, "message", str(error)))


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _page(request: HttpRequest, queryset, per_page: int = PER_PAGE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _int_param(request: HttpRequest, name: str, source=None) -> int | None:
    raw = (source or request.GET).get(name, "")
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _year(request: HttpRequest) -> SchoolYear:
    return request.sts.selected


# --- Landing, year, bascule --------------------------------------------------------------------

MENUS = (
    ("sts:nomenclatures", "Nomenclatures", "Réceptionner, sélectionner, lancer le profilage."),
    ("sts:structure", "Structure", "Divisions et groupes de l'année."),
    ("sts:ressources", "Ressources", "Les personnels de l'établissement et leurs heures."),
    ("sts:services", "Services", "Les services d'enseignement par division et groupe."),
    (
        "sts:support",
        "Services et ARE - Changement de support",
        "Basculer les services d'un enseignant remplacé (REP).",
    ),
    (
        "sts:suppleants",
        "Services suppléants - Saisie rapide",
        "Rattacher automatiquement les services des absents aux suppléants (SUP).",
    ),
    ("sts:exports", "Exports", "Emploi du temps, Structure, Services."),
    (
        "sts:import",
        "Import - Emploi du temps",
        "Groupes et services du logiciel d'emploi du temps.",
    ),
    ("sts:journal", "Modifications directes", "Ce qu'un import d'emploi du temps écraserait."),
)


@require_GET
def landing(request: HttpRequest, world_slug: str) -> HttpResponse:
    world = request.world
    context = selectors.context_for(world=world, choice=request.session.get(_session_key(world)))
    counts = pending = None
    if context is not None:
        counts = selectors.structure_counts(year=context.selected)
        pending = selectors.pending_changes(year=context.selected).count()
    menus = [
        {"url": reverse(name, args=[world.slug]), "title": title, "description": description}
        for name, title, description in MENUS
    ]
    return render(
        request,
        "sts/landing.html",
        {
            "sts": context,
            "page_title": "STS-web",
            "menus": menus if context else [],
            "counts": counts,
            "pending": pending,
            "exchanges": entsim_selectors.exchanges_for(world=world, system="sts")[:20],
            "systems": registry.SYSTEMS,
        },
    )


@require_http_methods(["GET", "POST"])
def year_switch(request: HttpRequest, world_slug: str) -> HttpResponse:
    """'Année en cours' / 'Année en préparation': which year the pages show (no data written)."""
    if request.method == "POST":
        form = forms.YearSwitchForm(request.POST)
        if form.is_valid():
            request.session[_session_key(request.world)] = form.cleaned_data["annee"]
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("sts:landing", world_slug)


@require_GET
@sts_page
def bascule(request: HttpRequest) -> HttpResponse:
    return _render(
        request,
        "sts/bascule.html",
        {"form": forms.BasculeForm(), "warning": services.BASCULE_WARNING},
        "Bascule",
    )


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def bascule_run(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _back(request, "bascule")
    form = forms.BasculeForm(request.POST)
    if not form.is_valid():
        return _render(
            request,
            "sts/bascule.html",
            {"form": form, "warning": services.BASCULE_WARNING},
            "Bascule",
        )
    try:
        year = services.year_bascule(
            world=request.world,
            establishment=request.sts.establishment,
            carry_over=form.carry_over,
            user=request.user,
        )
    except StsError as error:
        _error(request, error)
        return _back(request, "bascule")
    request.session[_session_key(request.world)] = selectors.PREPARATION
    messages.success(
        request,
        f"Bascule effectuée : l'année {year.label} est ouverte en préparation "
        f"({year.get_bascule_display().lower()}).",
    )
    return _back(request, "structure")


# --- S2 Nomenclatures --------------------------------------------------------------------------


@require_GET
@sts_page
def nomenclatures(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    entries = list(selectors.nomenclature_entries(year=year))
    see_all = request.member.role in (Role.FORMATEUR, Role.ASSISTANCE)
    requests = selectors.nomenclature_requests(
        world=request.world, user=request.user, see_all=see_all
    )[:20]
    return _render(
        request,
        "sts/nomenclatures.html",
        {
            "state": selectors.nomenclature_state(year=year),
            "selection_form": forms.NomenclatureSelectionForm(entries=entries),
            "request_form": forms.NomenclatureRequestForm(),
            "requests": requests,
            "see_all": see_all,
        },
        "Nomenclatures",
    )


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def nomenclatures_receive(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        count = services.nomenclatures_receive(world=request.world, year=_year(request))
        messages.success(
            request,
            f"Nomenclatures de scolarité réceptionnées pour {_year(request).label} "
            f"({count} nouvelles entrées).",
        )
    return _back(request, "nomenclatures")


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def nomenclatures_select(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        year = _year(request)
        form = forms.NomenclatureSelectionForm(
            request.POST, entries=selectors.nomenclature_entries(year=year)
        )
        if not form.is_valid():
            _form_errors(request, form)
            return _back(request, "nomenclatures")
        try:
            count = services.nomenclatures_select(
                world=request.world,
                year=year,
                mefs=form.cleaned_data["mefs"],
                matieres=form.cleaned_data["matieres"],
                mods_cours=form.cleaned_data["mods_cours"],
            )
        except StsError as error:
            _error(request, error)
        else:
            messages.success(
                request,
                f"{count} nomenclatures sélectionnées. Lancez le profilage pour les appliquer.",
            )
    return _back(request, "nomenclatures")


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def nomenclatures_profile(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            count = services.nomenclatures_profile(world=request.world, year=_year(request))
        except StsError as error:
            _error(request, error)
        else:
            messages.success(request, f"Profilage terminé : {count} nomenclatures profilées.")
    return _back(request, "nomenclatures")


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def nomenclature_request(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = forms.NomenclatureRequestForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
            return _back(request, "nomenclatures")
        try:
            sent = services.nomenclature_request_create(
                world=request.world,
                year=_year(request),
                kind=form.cleaned_data["kind"],
                code=form.cleaned_data["code"],
                libelle=form.cleaned_data["libelle"],
                message=form.cleaned_data["message"],
                user=request.user,
            )
        except StsError as error:
            _error(request, error)
        else:
            messages.success(request, f"Demande envoyée à : {sent.recipient}.")
    return _back(request, "nomenclatures")


# --- S3 Structure ------------------------------------------------------------------------------


def _mef_choices(year: SchoolYear) -> list[tuple[str, str]]:
    return selectors.profiled_codes(year=year, kind=NomenclatureEntry.Kind.MEF)


@require_GET
@sts_page
def structure(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    query = request.GET.get("q", "").strip()
    groups_page = _page(request, selectors.groups(year=year, query=query))
    context = {
        "query": query,
        "groups_page": groups_page,
        "divisions": list(selectors.divisions(year=year, query=query)),
    }
    if request.htmx:
        return render(
            request, "sts/structure.html#structure-tables", {"sts": request.sts, **context}
        )
    context["division_form"] = forms.DivisionForm(mefs=_mef_choices(year))
    return _render(request, "sts/structure.html", context, "Structure")


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def division_create(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    form = forms.DivisionForm(request.POST or None, mefs=_mef_choices(year))
    if request.method == "POST" and form.is_valid():
        try:
            division = services.division_create(
                world=request.world,
                year=year,
                code=form.cleaned_data["code"],
                libelle_long=form.cleaned_data["libelle_long"],
                mef_code=form.cleaned_data["mef_code"],
                effectif_prevu=form.cleaned_data["effectif_prevu"],
            )
        except StsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Division {division.code} créée.")
            return _back(request, "structure")
    return _render(
        request,
        "sts/form_page.html",
        {
            "form": form,
            "action": reverse("sts:division_create", args=[request.world.slug]),
            "submit": "Créer la division",
        },
        "Créer une division",
    )


def _division(request: HttpRequest, source):
    pk = _int_param(request, "id", source)
    if pk is None:
        return None
    try:
        return selectors.division_get(year=_year(request), pk=pk)
    except Division.DoesNotExist as missing:
        raise Http404("Division introuvable.") from missing


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def division_update(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    division = _division(request, source)
    if division is None:
        return _back(request, "structure")
    year = _year(request)
    initial = {
        "code": division.code,
        "libelle_long": division.libelle_long,
        "mef_code": division.mef_code,
        "effectif_prevu": division.effectif_prevu,
    }
    form = forms.DivisionForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        mefs=_mef_choices(year),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.division_update(
                world=request.world,
                division=division,
                code=form.cleaned_data["code"],
                libelle_long=form.cleaned_data["libelle_long"],
                mef_code=form.cleaned_data["mef_code"],
                effectif_prevu=form.cleaned_data["effectif_prevu"],
            )
        except StsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Division {division.code} modifiée.")
            return _back(request, "structure")
    return _render(
        request,
        "sts/form_page.html",
        {
            "form": form,
            "object_id": division.pk,
            "action": reverse("sts:division_update", args=[request.world.slug]),
            "submit": "Enregistrer",
        },
        f"Modifier la division {division.code}",
    )


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def division_delete(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    division = _division(request, source)
    if division is None:
        return _back(request, "structure")
    if request.method == "POST":
        try:
            services.division_delete(world=request.world, division=division)
        except StsError as error:
            _error(request, error)
        else:
            messages.success(request, f"Division {division.code} supprimée.")
        return _back(request, "structure")
    return _render(
        request,
        "sts/confirm_delete.html",
        {
            "object_id": division.pk,
            "what": f"la division {division.code} ({division.libelle_long})",
            "blocked": division.nb_services or division.nb_groups,
            "detail": (
                f"Elle porte {division.nb_services} service(s) et appartient à "
                f"{division.nb_groups} groupe(s)."
            ),
            "action": reverse("sts:division_delete", args=[request.world.slug]),
        },
        f"Supprimer la division {division.code}",
    )


def _group(request: HttpRequest, source):
    pk = _int_param(request, "id", source)
    if pk is None:
        return None
    try:
        return selectors.group_get(year=_year(request), pk=pk)
    except Group.DoesNotExist as missing:
        raise Http404("Groupe introuvable.") from missing


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def group_create(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    form = forms.GroupForm(request.POST or None, divisions=selectors.division_choices(year=year))
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(
                world=request.world,
                year=year,
                code=form.cleaned_data["code"],
                libelle_long=form.cleaned_data["libelle_long"],
                division_ids=form.division_ids(),
                effectif_prevu=form.cleaned_data["effectif_prevu"],
                user=request.user,
            )
        except StsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Groupe {group.code} créé.")
            return _back(request, "structure")
    return _render(
        request,
        "sts/form_page.html",
        {
            "form": form,
            "action": reverse("sts:group_create", args=[request.world.slug]),
            "submit": "Créer le groupe",
        },
        "Créer un groupe",
    )


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def group_update(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    group = _group(request, source)
    if group is None:
        return _back(request, "structure")
    year = _year(request)
    initial = {
        "code": group.code,
        "libelle_long": group.libelle_long,
        "divisions": [str(d.pk) for d in group.divisions.all()],
        "effectif_prevu": group.effectif_prevu,
    }
    form = forms.GroupForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        divisions=selectors.division_choices(year=year),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(
                world=request.world,
                group=group,
                code=form.cleaned_data["code"],
                libelle_long=form.cleaned_data["libelle_long"],
                division_ids=form.division_ids(),
                effectif_prevu=form.cleaned_data["effectif_prevu"],
                user=request.user,
            )
        except StsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Groupe {group.code} modifié.")
            return _back(request, "structure")
    return _render(
        request,
        "sts/form_page.html",
        {
            "form": form,
            "object_id": group.pk,
            "action": reverse("sts:group_update", args=[request.world.slug]),
            "submit": "Enregistrer",
        },
        f"Modifier le groupe {group.code}",
    )


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def group_delete(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    group = _group(request, source)
    if group is None:
        return _back(request, "structure")
    if request.method == "POST":
        count = services.group_delete(world=request.world, group=group, user=request.user)
        messages.success(
            request,
            f"Groupe {group.code} supprimé" + (f", avec ses {count} service(s)." if count else "."),
        )
        return _back(request, "structure")
    return _render(
        request,
        "sts/confirm_delete.html",
        {
            "object_id": group.pk,
            "what": f"le groupe {group.code} ({group.libelle_long})",
            "blocked": False,
            "detail": (
                f"Ses {group.nb_services} service(s) seront supprimés avec lui."
                if group.nb_services
                else "Il ne porte aucun service."
            ),
            "action": reverse("sts:group_delete", args=[request.world.slug]),
        },
        f"Supprimer le groupe {group.code}",
    )


# --- Ressources, services ----------------------------------------------------------------------


@require_GET
@sts_page
def ressources(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    query = request.GET.get("q", "").strip()
    discipline = request.GET.get("discipline", "").strip()
    page = _page(request, selectors.ressources(year=year, query=query, discipline=discipline))
    for teacher in page.object_list:
        teacher.discipline_label = selectors.discipline_short(teacher.discipline_code)
    context = {
        "page_obj": page,
        "query": query,
        "discipline": discipline,
        "disciplines": sorted((d.code, d.libelle) for d in nom.DISCIPLINES.values()),
    }
    if request.htmx:
        return render(
            request, "sts/ressources.html#ressources-table", {"sts": request.sts, **context}
        )
    return _render(request, "sts/ressources.html", context, "Ressources")


def _structure_choices(year: SchoolYear) -> list[tuple[str, str]]:
    divisions = [(d.code, f"Division {d.code}") for d in selectors.divisions(year=year)]
    groups = [
        (code, f"Groupe {code}")
        for code in selectors.groups(year=year).values_list("code", flat=True)
    ]
    return divisions + groups


@require_GET
@sts_page
def services_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    structure_code = request.GET.get("structure", "").strip()
    page = _page(request, selectors.services(year=year, structure=structure_code))
    for service in page.object_list:
        service.label = selectors.service_label(service)
    context = {"page_obj": page, "structure": structure_code}
    if request.htmx:
        return render(request, "sts/services.html#services-table", {"sts": request.sts, **context})
    context["structures"] = _structure_choices(year)
    return _render(request, "sts/services.html", context, "Services")


def _service_form(request: HttpRequest, year: SchoolYear) -> forms.ServiceForm:
    subjects = selectors.profiled_codes(year=year, kind=NomenclatureEntry.Kind.MATIERE) or [
        (s.code, s.libelle_long) for s in nom.SUBJECTS.values()
    ]
    mods = selectors.profiled_codes(year=year, kind=NomenclatureEntry.Kind.MOD_COURS) or [
        (m.code, m.libelle_long) for m in nom.MODS_COURS.values()
    ]
    teachers = [
        (t.pk, f"{t.full_name} ({selectors.discipline_short(t.discipline_code)})")
        for t in selectors.teachers_of_year(year=year).filter(fonction="ENS")
    ]
    return forms.ServiceForm(
        request.POST if request.method == "POST" else None,
        initial={"structure": request.GET.get("structure", ""), "mod_cours": "CG"},
        structures=_structure_choices(year),
        subjects=subjects,
        mods=mods,
        teachers=teachers,
    )


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def service_create(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    form = _service_form(request, year)
    if request.method == "POST" and form.is_valid():
        teacher = None
        if form.cleaned_data["teacher"]:
            teacher = (
                selectors.teachers_of_year(year=year)
                .filter(pk=int(form.cleaned_data["teacher"]))
                .first()
            )
        try:
            service = services.service_create(
                world=request.world,
                year=year,
                structure_code=form.cleaned_data["structure"],
                subject_code=form.cleaned_data["subject"],
                mod_cours=form.cleaned_data["mod_cours"],
                hours=form.cleaned_data["hours"],
                teacher=teacher,
                user=request.user,
            )
        except StsError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Service {selectors.service_label(service)} créé.")
            return _back(request, "services", structure=service.structure_code)
    return _render(
        request,
        "sts/form_page.html",
        {
            "form": form,
            "action": reverse("sts:service_create", args=[request.world.slug]),
            "submit": "Créer le service",
        },
        "Créer un service",
    )


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def services_delete(request: HttpRequest) -> HttpResponse:
    structure_code = request.POST.get("structure", "")
    if request.method == "POST":
        ids = []
        for raw in request.POST.getlist("services"):
            try:
                ids.append(int(raw))
            except ValueError:
                continue
        try:
            count = services.services_delete(
                world=request.world, year=_year(request), service_ids=ids, user=request.user
            )
        except StsError as error:
            _error(request, error)
        else:
            messages.success(request, f"{count} service(s) supprimé(s).")
    if structure_code:
        return _back(request, "services", structure=structure_code)
    return _back(request, "services")


# --- S7 Services et ARE - Changement de support ------------------------------------------------


def _teacher_label(teacher: Teacher) -> str:
    kind = f" — {teacher.replacement}" if teacher.replacement else ""
    return f"{teacher.full_name} ({selectors.discipline_short(teacher.discipline_code)}){kind}"


@require_GET
@sts_page
def support(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    candidates = list(selectors.teachers_with_services(year=year))
    choose = forms.TeacherChoiceForm(
        request.GET if "enseignant" in request.GET else None,
        teachers=[(t.pk, _teacher_label(t)) for t in candidates],
    )
    context: dict = {"choose": choose}
    if choose.is_bound and choose.is_valid():
        absent = next(t for t in candidates if t.pk == choose.cleaned_data["enseignant"])
        rows = selectors.teacher_assignments(year=year, teacher=absent)
        replacing = [
            (t.pk, _teacher_label(t))
            for t in selectors.teachers_of_year(year=year)
            .filter(fonction="ENS")
            .exclude(pk=absent.pk)
            .order_by("-replacement", "nom_usage", "prenom")
        ]
        form = forms.SupportChangeForm(
            initial={
                "assignments": [r.assignment.pk for r in rows],
                "remplacant": next(
                    (t.pk for t in absent.replaced_by.all() if t.replacement == "REP"), None
                ),
            },
            assignment_ids=[r.assignment.pk for r in rows],
            teachers=replacing,
        )
        context.update(
            {
                "absent": absent,
                "absent_discipline": selectors.discipline_short(absent.discipline_code),
                "rows": rows,
                "form": form,
            }
        )
    elif choose.is_bound:
        raise Http404("Enseignant introuvable.")
    return _render(request, "sts/support.html", context, "Services et ARE - Changement de support")


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def support_attach(request: HttpRequest) -> HttpResponse:
    """'Rattacher'."""
    if request.method == "GET":
        return _back(request, "support")
    year = _year(request)
    absent_pk = _int_param(request, "enseignant", request.POST)
    if absent_pk is None:
        return _back(request, "support")
    try:
        absent = selectors.teacher_get(year=year, pk=absent_pk, include_sup=True)
    except Teacher.DoesNotExist as missing:
        raise Http404("Enseignant introuvable.") from missing
    rows = selectors.teacher_assignments(year=year, teacher=absent)
    candidates = selectors.teachers_of_year(year=year).filter(fonction="ENS").exclude(pk=absent.pk)
    form = forms.SupportChangeForm(
        request.POST,
        assignment_ids=[r.assignment.pk for r in rows],
        teachers=[(t.pk, str(t)) for t in candidates],
    )
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, "support", enseignant=absent.pk)
    replacing = next(t for t in candidates if t.pk == form.cleaned_data["remplacant"])
    try:
        count = services.support_change(
            world=request.world,
            year=year,
            absent=absent,
            replacing=replacing,
            assignment_ids=form.cleaned_data["assignments"],
            user=request.user,
        )
    except StsError as error:
        _error(request, error)
        return _back(request, "support", enseignant=absent.pk)
    messages.success(
        request,
        f"{count} service(s) de {absent.full_name} rattaché(s) à {replacing.full_name}. "
        "Lancez ensuite un export de la structure puis des services (menu Exports).",
    )
    return _back(request, "support")


# --- S8 Services suppléants - Saisie rapide ----------------------------------------------------


@require_GET
@sts_page
def suppleants(request: HttpRequest) -> HttpResponse:
    rows = selectors.suppleants(year=_year(request), world=request.world)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return _render(
        request,
        "sts/suppleants.html",
        {"page_obj": page, "total": len(rows)},
        "Services suppléants - Saisie rapide",
    )


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def suppleants_validate(request: HttpRequest) -> HttpResponse:
    """'Valider'."""
    if request.method == "POST":
        year = _year(request)
        rows = selectors.suppleants(year=year, world=request.world)
        form = forms.SuppleantsForm(request.POST, teacher_ids=[r.teacher.pk for r in rows])
        if not form.is_valid():
            _form_errors(request, form)
            return _back(request, "suppleants")
        try:
            done = services.suppleants_attach(
                world=request.world,
                year=year,
                suppleant_ids=form.cleaned_data["suppleants"],
                user=request.user,
            )
        except StsError as error:
            _error(request, error)
        else:
            for name, count in done.items():
                if count:
                    messages.success(request, f"{name} : {count} service(s) rattaché(s).")
                else:
                    messages.info(request, f"{name} : les services étaient déjà rattachés.")
            messages.info(
                request,
                "Lancez ensuite un export de la structure puis des services (menu Exports).",
            )
    return _back(request, "suppleants")


# --- S4, S5 Exports ----------------------------------------------------------------------------

EXPORTS = {
    "emploi_du_temps": (services.emploi_du_temps_export, "Emploi du temps"),
    "structure": (services.structure_export, "Structure"),
    "services": (services.services_export, "Services"),
}


@require_GET
@sts_page
def exports_page(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    return _render(
        request,
        "sts/exports.html",
        {
            "exports": selectors.exports(world=request.world, year=year)[:20],
            "in_order": selectors.exports_in_order(request.world, year=year.year),
            "counts": selectors.structure_counts(year=year),
        },
        "Exports",
    )


def _export_view(kind: str):
    run, label = EXPORTS[kind]

    @require_http_methods(["GET", "POST"])
    @write_required
    @sts_page
    def view(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            year = _year(request)
            export = run(world=request.world, year=year, user=request.user)
            exchange = export.exchange
            if kind == "emploi_du_temps":
                messages.success(
                    request,
                    f"Export Emploi du temps : {exchange.filename} écrit et envoyé au logiciel "
                    "d'emploi du temps (téléchargeable ci-dessous).",
                )
            else:
                messages.success(
                    request,
                    f"Export {label} : {exchange.filename} envoyé à SIECLE Base élèves, "
                    "traité au quart d'heure suivant.",
                )
                if kind == "services" and not export.after_structure:
                    messages.warning(
                        request,
                        "Attention : aucun export de la structure n'a été fait pour "
                        f"{year.label}. Le guide demande d'exporter la structure puis les "
                        "services.",
                    )
        return _back(request, "exports")

    view.__name__ = f"export_{kind}"
    return view


export_emploi_du_temps = _export_view("emploi_du_temps")
export_structure = _export_view("structure")
export_services = _export_view("services")


# --- S6 Import > Emploi du temps ---------------------------------------------------------------


@require_GET
@sts_page
def import_page(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    return _render(
        request,
        "sts/import.html",
        {
            "form": UploadForm(),
            "waiting": selectors.edt_files_waiting(world=request.world)[:10],
            "imports": selectors.imports(world=request.world)[:10],
            "pending": selectors.pending_changes(year=year).count(),
        },
        "Import - Emploi du temps",
    )


@require_http_methods(["GET", "POST"])
@write_required
@sts_page
def import_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _back(request, "import")
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(request, "import")
    name, content = form.content()
    try:
        exchange = services.edt_file_receive(
            world=request.world,
            year=_year(request),
            filename=name,
            content=content,
            user=request.user,
        )
    except ExchangeRefused as refusal:
        _error(request, refusal)
        return _back(request, "import")
    return redirect("sts:import_preview", request.world.slug, exchange.pk)


def world_exchange(view):
    """The exchange named in the URL, within the world (404 otherwise), before anything else."""

    @wraps(view)
    def wrapper(request: HttpRequest, world_slug: str, pk: int, **kwargs):
        try:
            request.exchange = entsim_selectors.exchange_get(world=request.world, pk=pk)
        except Exchange.DoesNotExist as missing:
            raise Http404("Fichier introuvable.") from missing
        return view(request, world_slug, pk=pk, **kwargs)

    return wrapper


def _edt_exchange(request: HttpRequest) -> Exchange | None:
    """None (with a message) when the exchange is not an EDT file for STS-web."""
    exchange = request.exchange
    if exchange.kind != "emp_sts" or exchange.target != "sts":
        messages.error(
            request, f"{exchange.filename} n'est pas un fichier d'emploi du temps pour STS-web."
        )
        return None
    return exchange


@require_GET
@world_exchange
@sts_page
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """Before confirming: what the file brings and what it will replace."""
    exchange = _edt_exchange(request)
    if exchange is None:
        return _back(request, "import")
    context: dict = {"exchange": exchange}
    if exchange.state == Exchange.State.DEPOSITED:
        try:
            doc, year = services.edt_file_check(
                world=request.world, content=exchange_content(exchange=exchange)
            )
        except ExchangeRefused as refusal:
            context["refusal"] = refusal.message
        else:
            context["plan"] = selectors.import_plan(year=year, doc=doc)
    return _render(request, "sts/import_preview.html", context, "Import - Emploi du temps")


@require_http_methods(["GET", "POST"])
@write_required
@world_exchange
@sts_page
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    exchange = _edt_exchange(request)
    if exchange is None:
        return _back(request, "import")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "annuler":
                services.edt_file_cancel(world=request.world, exchange=exchange, user=request.user)
                messages.info(request, "Import annulé : rien n'a été modifié.")
                return _back(request, "import")
            run = services.edt_file_import(
                world=request.world, exchange=exchange, user=request.user
            )
        except StsError as error:
            _error(request, error)
        else:
            report = run.report
            messages.success(
                request,
                f"Import terminé : {report['groupes importés']} groupe(s) et "
                f"{report['services importés']} service(s) importés, "
                f"{len(report['groupes rejetés'])} groupe(s) rejeté(s).",
            )
    return redirect("sts:import_preview", request.world.slug, exchange.pk)


# --- Journal -----------------------------------------------------------------------------------


@require_GET
@sts_page
def journal(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    return _render(
        request,
        "sts/journal.html",
        {
            "changes": list(selectors.pending_changes(year=year).order_by("-at", "-id")[:200]),
            "last_import": selectors.last_import(year=year),
        },
        "Modifications directes",
    )
