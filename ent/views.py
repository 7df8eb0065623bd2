"""The ENT's pages: thin views (parse, call one service or selector, render).

Every object is looked up in the request's world (404 otherwise); writes are POST, behind
`write_required`; htmx requests get the page's partial, plain requests the whole page.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from entsim.access import write_required

from . import selectors, services
from .forms import AccountSearchForm, ActivationForm, AssignmentForm, TextbookForm
from .models import Account, Cohort, Structure, Textbook

PAGE_SIZE = 50


def _page(request: HttpRequest, template: str, context: dict, partial: str | None = None):
    if partial and request.htmx:
        template = f"{template}#{partial}"
    return render(request, template, context)


def _id(request: HttpRequest, name: str, source=None) -> int | None:
    raw = (source if source is not None else request.GET).get(name, "")
    if raw in ("", None):
        return None
    try:
        return int(raw)
    except ValueError:
        raise Http404("Identifiant invalide.") from None


@require_GET
def landing(request: HttpRequest, world_slug: str) -> HttpResponse:
    world = request.world
    return render(
        request,
        "ent/landing.html",
        {
            "page_title": "ENT",
            "counts": selectors.console_counts(world=world),
            "imports": selectors.imports_recent(world=world),
            "structure": selectors.structure_current(world=world, pk=None),
        },
    )


# --- Accounts (console) -------------------------------------------------------------------


@require_GET
def accounts(request: HttpRequest, world_slug: str) -> HttpResponse:
    form = AccountSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.accounts_search(
        world=request.world,
        query=filters.get("q", ""),
        profile=filters.get("profil", ""),
        state=filters.get("etat", ""),
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "ent/accounts.html",
        {"page_title": "Comptes", "form": form, "page": page, "query": query.urlencode()},
        partial="results",
    )


@require_http_methods(["GET", "POST"])
def activation(request: HttpRequest, world_slug: str) -> HttpResponse:
    if request.method == "POST":
        return _activation_post(request, world_slug)
    return render(
        request,
        "ent/activation.html",
        {"page_title": "Première connexion", "form": ActivationForm()},
    )


@write_required
def _activation_post(request: HttpRequest, world_slug: str) -> HttpResponse:
    form = ActivationForm(request.POST)
    account = None
    if form.is_valid():
        try:
            account = services.account_activate(
                world=request.world,
                login=form.cleaned_data["login"],
                code=form.cleaned_data["code"],
            )
        except services.EntError as error:
            form.add_error(None, error.message)
    if account is not None:
        messages.success(request, f"Compte de {account} activé : bienvenue dans l'ENT.")
        return redirect(f"{reverse('ent:view_as_home', args=[world_slug])}?compte={account.pk}")
    return render(
        request,
        "ent/activation.html",
        {"page_title": "Première connexion", "form": form},
        status=200,
    )


# --- Directory ------------------------------------------------------------------------------


def _structure(request: HttpRequest) -> Structure | None:
    try:
        return selectors.structure_current(world=request.world, pk=request.GET.get("etablissement"))
    except Structure.DoesNotExist as missing:
        raise Http404("Établissement introuvable.") from missing


@require_GET
def directory(request: HttpRequest, world_slug: str) -> HttpResponse:
    structure = _structure(request)
    return _page(
        request,
        "ent/directory.html",
        {
            "page_title": "Annuaire",
            "structures": selectors.structures(world=request.world),
            "directory": selectors.directory(world=request.world, structure=structure),
        },
        partial="cohorts",
    )


def _cohort(request: HttpRequest) -> Cohort | None:
    pk = _id(request, "id")
    if pk is None:
        return None
    try:
        return selectors.cohort_get(world=request.world, pk=pk)
    except Cohort.DoesNotExist as missing:
        raise Http404("Classe ou groupe introuvable.") from missing


@require_GET
def cohort(request: HttpRequest, world_slug: str) -> HttpResponse:
    found = _cohort(request)
    if found is None:
        return redirect("ent:directory", world_slug=world_slug)
    detail = selectors.cohort_detail(world=request.world, cohort=found)
    return render(
        request,
        "ent/cohort.html",
        {"page_title": f"{found.get_kind_display()} {found.code}", "detail": detail},
    )


# --- Messaging ------------------------------------------------------------------------------


@require_GET
def lists(request: HttpRequest, world_slug: str) -> HttpResponse:
    structure = _structure(request)
    return _page(
        request,
        "ent/lists.html",
        {
            "page_title": "Messagerie — listes de diffusion",
            "structures": selectors.structures(world=request.world),
            "structure": structure,
            "lists": selectors.distribution_lists(world=request.world, structure=structure),
        },
        partial="lists",
    )


@require_GET
def list_detail(request: HttpRequest, world_slug: str) -> HttpResponse:
    found = _cohort(request)
    if found is None:
        return redirect("ent:lists", world_slug=world_slug)
    return render(
        request,
        "ent/list.html",
        {
            "page_title": selectors.list_name(found),
            "name": selectors.list_name(found),
            "detail": selectors.cohort_detail(world=request.world, cohort=found),
        },
    )


# --- Digital textbooks ----------------------------------------------------------------------


def _textbooks_context(request: HttpRequest, **extra) -> dict:
    world = request.world
    cohorts = selectors.cohort_choices(world=world)
    mefs = selectors.mef_choices(world=world)
    books = selectors.textbooks(world=world)
    return {
        "page_title": "Manuels numériques",
        "textbooks": [
            (
                book,
                AssignmentForm(
                    initial={"textbook": book.pk},
                    cohorts=cohorts,
                    mefs=mefs,
                    auto_id=f"manuel{book.pk}_%s",
                ),
            )
            for book in books
        ],
        "create_form": extra.pop("create_form", None) or TextbookForm(),
        **extra,
    }


@require_GET
def textbooks(request: HttpRequest, world_slug: str) -> HttpResponse:
    return render(request, "ent/textbooks.html", _textbooks_context(request))


@write_required
@require_http_methods(["GET", "POST"])
def textbook_create(request: HttpRequest, world_slug: str) -> HttpResponse:
    if request.method == "GET":
        return redirect("ent:textbooks", world_slug=world_slug)
    form = TextbookForm(request.POST)
    if form.is_valid():
        try:
            book = services.textbook_create(
                world=request.world,
                title=form.cleaned_data["title"],
                publisher=form.cleaned_data["publisher"],
            )
        except services.EntError as error:
            form.add_error("title", error.message)
        else:
            messages.success(request, f"Manuel « {book} » ajouté : attribuez-le à un groupe.")
            return redirect("ent:textbooks", world_slug=world_slug)
    return render(request, "ent/textbooks.html", _textbooks_context(request, create_form=form))


@write_required
@require_http_methods(["GET", "POST"])
def textbook_assign(request: HttpRequest, world_slug: str) -> HttpResponse:
    if request.method == "GET":
        return redirect("ent:textbooks", world_slug=world_slug)
    world = request.world
    cohorts = selectors.cohort_choices(world=world)
    form = AssignmentForm(request.POST, cohorts=cohorts, mefs=selectors.mef_choices(world=world))
    error = None
    if form.is_valid():
        try:
            book = selectors.textbook_get(world=world, pk=form.cleaned_data["textbook"])
        except Textbook.DoesNotExist as missing:
            raise Http404("Manuel introuvable.") from missing
        cohort_id, mef_code = form.target()
        target = next((c for c in cohorts if c.pk == cohort_id), None)
        if cohort_id is not None and target is None:
            raise Http404("Classe ou groupe introuvable.")
        try:
            services.textbook_assign(world=world, textbook=book, cohort=target, mef_code=mef_code)
        except services.EntError as refused:
            error = refused.message
    else:
        error = "Choisissez une classe, un groupe ou un MEF."
    if error:
        messages.error(request, error)
    if request.htmx:
        return render(request, "ent/textbooks.html#textbook-list", _textbooks_context(request))
    return redirect("ent:textbooks", world_slug=world_slug)


@write_required
@require_http_methods(["GET", "POST"])
def textbook_unassign(request: HttpRequest, world_slug: str) -> HttpResponse:
    if request.method == "GET":
        return redirect("ent:textbooks", world_slug=world_slug)
    pk = _id(request, "attribution", request.POST)
    if pk is None:
        raise Http404("Attribution introuvable.")
    try:
        services.textbook_unassign(world=request.world, assignment_id=pk)
    except services.EntError as missing:
        raise Http404(missing.message) from missing
    messages.success(request, "Attribution retirée.")
    if request.htmx:
        return render(request, "ent/textbooks.html#textbook-list", _textbooks_context(request))
    return redirect("ent:textbooks", world_slug=world_slug)


# --- "Voir l'ENT comme..." ------------------------------------------------------------------


@require_GET
def view_as(request: HttpRequest, world_slug: str) -> HttpResponse:
    form = AccountSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    query = filters.get("q", "")
    found = []
    if query or filters.get("profil"):
        found = list(
            selectors.accounts_search(
                world=request.world, query=query, profile=filters.get("profil", "")
            )[:PAGE_SIZE]
        )
    return _page(
        request,
        "ent/view_as.html",
        {"page_title": "Voir l'ENT comme…", "form": form, "found": found, "searched": bool(query)},
        partial="results",
    )


@require_GET
def view_as_home(request: HttpRequest, world_slug: str) -> HttpResponse:
    pk = _id(request, "compte")
    if pk is None:
        return redirect("ent:view_as", world_slug=world_slug)
    try:
        account = selectors.account_get(world=request.world, pk=pk)
    except Account.DoesNotExist as missing:
        raise Http404("Compte introuvable.") from missing
    return render(
        request,
        "ent/home.html",
        {
            "page_title": f"L'ENT de {account}",
            "home": selectors.account_home(world=request.world, account=account),
        },
    )
