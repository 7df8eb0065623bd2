"""The timetable software's pages: thin (parse, call one service or selector, render).

Pages answer GET; actions answer POST (behind `write_required`, CSRF) and send a GET back to
their page, so every address of the software can be opened. With htmx, the group panel and
the timetable grid are answered as partials; without JavaScript every form posts and redirects.
Objects are always looked up in the request's world (404 otherwise), ids travel in the query
string (pages) or in the form (actions).
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from entsim import registry
from entsim.access import write_required
from entsim.registry import ExchangeRefused

from . import forms, selectors, services
from .models import Cours, Division, Groupe, Importation, Service
from .services import EdtError


def _url(request: HttpRequest, name: str, **query) -> str:
    url = reverse(f"edt:{name}", args=[request.world.slug])
    query = {key: value for key, value in query.items() if value not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def action(page: str):
    """A POST-only write: a GET goes back to `page`; writers only; errors become messages."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, world_slug: str) -> HttpResponse:
            if request.method in ("GET", "HEAD"):
                return redirect(_url(request, page))
            if request.method != "POST":
                return HttpResponse(status=405)
            return write_required(view)(request)

        return wrapper

    return decorate


def _errors(form) -> str:
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def _context(request: HttpRequest, **extra) -> dict:
    world = request.world
    return {
        "base": selectors.base_for(world=world),
        "pending": selectors.correspondances_pending_count(world=world),
        "may_write": request.member.may_write,
        **extra,
    }


# --- Dashboard and mode -----------------------------------------------------------------------


@require_GET
def landing(request: HttpRequest, world_slug: str) -> HttpResponse:
    world = request.world
    context = _context(
        request,
        counts=selectors.counts(world=world),
        last_sts=selectors.last_import(world=world, kind=Importation.Kind.STS),
        last_eleves=selectors.last_import(world=world, kind=Importation.Kind.ELEVES),
        exchanges=selectors.exports_recent(world=world, limit=10),
        incoming=selectors.imports_recent(world=world, limit=5),
        systems=registry.SYSTEMS,
        page_title="Logiciel EDT",
    )
    return render(request, "edt/landing.html", context)


@action("landing")
def spr_mode(request: HttpRequest) -> HttpResponse:
    spr = request.POST.get("spr") == "1"
    services.spr_mode_set(world=request.world, spr=spr)
    messages.success(
        request,
        "Mode superviseur (SPR) activé." if spr else "Retour au mode utilisateur.",
    )
    return redirect(
        _url(request, "exports" if request.POST.get("retour") == "exports" else "landing")
    )


# --- STS-web import and matching --------------------------------------------------------------


@require_GET
def import_sts(request: HttpRequest, world_slug: str) -> HttpResponse:
    world = request.world
    return render(
        request,
        "edt/import_sts.html",
        _context(
            request,
            form=forms.StsUploadForm(),
            latest=selectors.latest_exchange(world=world, kinds=selectors.STS_KINDS),
            imports=selectors.imports_recent(world=world, kind=Importation.Kind.STS),
            page_title="Import STS-web",
        ),
    )


def _report_message(importation: Importation) -> str:
    report = importation.report
    if importation.kind == Importation.Kind.STS:
        parts = [
            f"{label} : {report[key]['appariees'] + report[key]['creees']}"
            for key, label in (
                ("matiere", "matières"),
                ("enseignant", "enseignants"),
                ("division", "divisions"),
            )
        ]
        parts.append(
            f"groupes : {report['groupes_crees']} créés, {report['groupes_mis_a_jour']} mis à jour"
        )
        parts.append(f"services créés : {report['services_crees']}")
        text = f"Fichier {importation.filename} importé ({report['annee']}) — " + ", ".join(parts)
        if report.get("correspondances_a_etablir"):
            text += (
                f". {report['correspondances_a_etablir']} élément(s) de STS-web à faire "
                "correspondre : établissez les correspondances."
            )
        return text + "."
    return (
        f"Fichier {importation.filename} importé ({report['annee']}) — {report['eleves']} élèves "
        f"({report['nouveaux']} nouveaux, {report['mis_a_jour']} mis à jour), "
        f"{report['options']} options."
    )


@action("import_sts")
def import_sts_run(request: HttpRequest) -> HttpResponse:
    world = request.world
    form = forms.StsUploadForm(request.POST, request.FILES)
    try:
        if request.POST.get("source") == "echange":
            exchange = selectors.latest_exchange(world=world, kinds=selectors.STS_KINDS)
            if exchange is None:
                raise ExchangeRefused("Aucun fichier de STS-web n'a été envoyé au logiciel EDT.")
            importation = services.sts_import_exchange(
                world=world, exchange=exchange, user=request.user
            )
        elif form.is_valid():
            name, content = form.content()
            importation = services.sts_file_import(
                world=world, filename=name, content=content, user=request.user
            )
        else:
            raise ExchangeRefused(_errors(form))
    except ExchangeRefused as refusal:
        return render(
            request,
            "edt/import_sts.html",
            _context(
                request,
                form=form,
                refusal=refusal,
                latest=selectors.latest_exchange(world=world, kinds=selectors.STS_KINDS),
                imports=selectors.imports_recent(world=world, kind=Importation.Kind.STS),
                page_title="Import STS-web",
            ),
        )
    messages.success(request, _report_message(importation))
    if importation.report.get("correspondances_a_etablir"):
        return redirect(_url(request, "correspondances"))
    return redirect(_url(request, "import_sts"))


@require_GET
def correspondances(request: HttpRequest, world_slug: str) -> HttpResponse:
    kinds = selectors.matching(world=request.world)
    form = forms.CorrespondancesForm(world=request.world, kinds=kinds)
    return render(
        request,
        "edt/correspondances.html",
        _context(
            request,
            kinds=kinds,
            form=form,
            sections=[(k, form.fields_of(k.kind)) for k in kinds if k.pending],
            page_title="Correspondances",
        ),
    )


@action("correspondances")
def correspondances_valider(request: HttpRequest) -> HttpResponse:
    kinds = selectors.matching(world=request.world)
    form = forms.CorrespondancesForm(request.POST, world=request.world, kinds=kinds)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(_url(request, "correspondances"))
    try:
        done = services.correspondances_etablir(
            world=request.world, choix=form.choix(), user=request.user
        )
    except EdtError as error:
        messages.error(request, error.message)
        return redirect(_url(request, "correspondances"))
    messages.success(
        request,
        f"Correspondances établies : {done['appariees']}, éléments créés : {done['creees']}, "
        f"laissés de côté : {done['ignorees']}.",
    )
    return redirect(_url(request, "correspondances"))


@require_GET
def donnees(request: HttpRequest, world_slug: str) -> HttpResponse:
    world = request.world
    return render(
        request,
        "edt/donnees.html",
        _context(
            request,
            divisions=selectors.divisions_with_counts(world=world),
            matieres=selectors.matieres(world=world),
            enseignants=selectors.enseignants(world=world),
            page_title="Données importées",
        ),
    )


# --- SIECLE pupils import ---------------------------------------------------------------------


def _eleves_page(request: HttpRequest, **extra) -> HttpResponse:
    world = request.world
    context = _context(
        request,
        form=extra.pop("form", None) or forms.ElevesUploadForm(),
        options_form=forms.ElevesOptionsForm(),
        latest=selectors.latest_exchange(world=world, kinds=selectors.ELEVES_KINDS),
        imports=selectors.imports_recent(world=world, kind=Importation.Kind.ELEVES),
        page_title="Import des élèves",
        **extra,
    )
    return render(request, "edt/import_eleves.html", context)


@require_GET
def import_eleves(request: HttpRequest, world_slug: str) -> HttpResponse:
    return _eleves_page(request)


@action("import_eleves")
def import_eleves_run(request: HttpRequest) -> HttpResponse:
    world = request.world
    form = forms.ElevesUploadForm(request.POST, request.FILES)
    options = forms.ElevesOptionsForm(request.POST)
    avec_groupes = options.is_valid() and options.cleaned_data["avec_groupes"]
    try:
        if request.POST.get("source") == "echange":
            exchange = selectors.latest_exchange(world=world, kinds=selectors.ELEVES_KINDS)
            if exchange is None:
                raise ExchangeRefused(
                    "Aucun export des élèves de SIECLE n'a été envoyé au logiciel."
                )
            importation = services.eleves_import_exchange(
                world=world, exchange=exchange, user=request.user, avec_groupes=avec_groupes
            )
        elif form.is_valid():
            name, content = form.content()
            importation = services.eleves_file_import(
                world=world,
                kind="eleves_avec_adresses" if "avec" in name.lower() else "eleves_sans_adresses",
                filename=name,
                content=content,
                user=request.user,
                avec_groupes=avec_groupes,
            )
        else:
            raise ExchangeRefused(_errors(form))
    except ExchangeRefused as refusal:
        return _eleves_page(request, form=form, refusal=refusal)
    messages.success(request, _report_message(importation))
    return redirect(_url(request, "import_eleves"))


# --- Groups -----------------------------------------------------------------------------------


def _groupe_panel(request: HttpRequest, groupe: Groupe) -> dict:
    world = request.world
    division_ids = [d.pk for d in groupe.divisions.all()]
    return {
        "groupe": groupe,
        "hint": services.sts_name_hint(groupe.code),
        "membres": selectors.groupe_membres(world=world, groupe=groupe),
        "candidats": selectors.eleves_candidats(world=world, groupe=groupe),
        "options": selectors.option_choices(world=world, division_ids=division_ids),
        "edit_form": forms.GroupeForm(
            world=world,
            initial={"code": groupe.code, "libelle": groupe.libelle, "divisions": division_ids},
        ),
    }


@require_GET
def groupes(request: HttpRequest, world_slug: str) -> HttpResponse:
    world = request.world
    selected = request.GET.get("groupe")
    groupe = (
        selectors.get_or_404(selectors.groupes(world=world).prefetch_related("divisions"), selected)
        if selected
        else None
    )
    panel = _groupe_panel(request, groupe) if groupe else {}
    if request.htmx and groupe:
        return render(request, "edt/groupes.html#groupe-detail", _context(request, **panel))
    rows = [(g, services.sts_name_hint(g.code)) for g in selectors.groupes_list(world=world)]
    return render(
        request,
        "edt/groupes.html",
        _context(
            request,
            rows=rows,
            create_form=forms.GroupeForm(world=world),
            divisions=selectors.divisions(world=world),
            page_title="Groupes",
            **panel,
        ),
    )


def _back_to_groupe(request: HttpRequest, groupe: Groupe | None) -> HttpResponse:
    if groupe is None:
        return redirect(_url(request, "groupes"))
    if request.htmx:
        groupe = (
            selectors.groupes(world=request.world).prefetch_related("divisions").get(pk=groupe.pk)
        )
        return render(
            request,
            "edt/groupes.html#groupe-detail",
            _context(request, **_groupe_panel(request, groupe)),
        )
    return redirect(_url(request, "groupes", groupe=groupe.pk))


@action("groupes")
def groupe_creer(request: HttpRequest) -> HttpResponse:
    form = forms.GroupeForm(request.POST, world=request.world)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(_url(request, "groupes"))
    try:
        groupe = services.groupe_create(
            world=request.world,
            code=form.cleaned_data["code"],
            libelle=form.cleaned_data["libelle"],
            divisions=form.cleaned_data["divisions"],
        )
    except EdtError as error:
        messages.error(request, error.message)
        return redirect(_url(request, "groupes"))
    messages.success(request, f"Groupe {groupe.code} créé.")
    hint = services.sts_name_hint(groupe.code)
    if hint:
        messages.info(request, hint)
    return redirect(_url(request, "groupes", groupe=groupe.pk))


@action("groupes")
def groupe_modifier(request: HttpRequest) -> HttpResponse:
    choice = forms.GroupeChoiceForm(request.POST, world=request.world)
    if not choice.is_valid():
        messages.error(request, _errors(choice))
        return redirect(_url(request, "groupes"))
    groupe = choice.cleaned_data["groupe"]
    form = forms.GroupeForm(request.POST, world=request.world)
    if form.is_valid():
        try:
            services.groupe_update(
                world=request.world,
                groupe=groupe,
                code=form.cleaned_data["code"],
                libelle=form.cleaned_data["libelle"],
                divisions=form.cleaned_data["divisions"],
            )
            messages.success(request, f"Groupe {groupe.code} enregistré.")
        except EdtError as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _errors(form))
    return _back_to_groupe(request, groupe)


@action("groupes")
def groupe_supprimer(request: HttpRequest) -> HttpResponse:
    choice = forms.GroupeChoiceForm(request.POST, world=request.world)
    if choice.is_valid():
        groupe = choice.cleaned_data["groupe"]
        services.groupe_delete(world=request.world, groupe=groupe)
        messages.success(request, f"Groupe {groupe.code} supprimé.")
    else:
        messages.error(request, _errors(choice))
    return redirect(_url(request, "groupes"))


@action("groupes")
def groupe_inscrire(request: HttpRequest) -> HttpResponse:
    form = forms.InscriptionForm(request.POST, world=request.world)
    if not form.is_valid():
        messages.error(request, _errors(form))
        groupe = form.cleaned_data.get("groupe") if hasattr(form, "cleaned_data") else None
        return _back_to_groupe(request, groupe if isinstance(groupe, Groupe) else None)
    data = form.cleaned_data
    groupe, world = data["groupe"], request.world
    if data["mode"] == "eleve":
        added = services.groupe_eleves_add(world=world, groupe=groupe, eleves=[data["eleve"]])
    elif data["mode"] == "division":
        added = services.groupe_division_add(world=world, groupe=groupe, division=data["division"])
    else:
        added = services.groupe_option_add(
            world=world, groupe=groupe, divisions=data["divisions"], code_matiere=data["option"]
        )
    messages.success(request, f"{added} élève(s) ajouté(s) au groupe {groupe.code}.")
    return _back_to_groupe(request, groupe)


@action("groupes")
def groupe_retirer(request: HttpRequest) -> HttpResponse:
    form = forms.RetraitForm(request.POST, world=request.world)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(_url(request, "groupes"))
    groupe, eleve = form.cleaned_data["groupe"], form.cleaned_data["eleve"]
    services.groupe_eleve_remove(world=request.world, groupe=groupe, eleve=eleve)
    messages.success(request, f"{eleve} retiré(e) du groupe {groupe.code}.")
    if request.POST.get("retour") == "eleve":
        return redirect(_url(request, "eleves", eleve=eleve.pk))
    return _back_to_groupe(request, groupe)


# --- Pupils -----------------------------------------------------------------------------------


@require_GET
def eleves(request: HttpRequest, world_slug: str) -> HttpResponse:
    world = request.world
    eleve = (
        selectors.eleve_detail(world=world, pk=request.GET["eleve"])
        if request.GET.get("eleve")
        else None
    )
    division_list = list(selectors.divisions_with_counts(world=world))
    division = None
    if request.GET.get("division"):
        division = selectors.get_or_404(selectors.divisions(world=world), request.GET["division"])
    elif eleve is not None:
        division = eleve.division
    elif division_list:
        division = division_list[0]
    pupils = selectors.eleves_de_division(world=world, division=division) if division else []
    eleve_options = []
    if eleve is not None:
        options = list(eleve.options.all())
        labels = selectors.matiere_labels(world=world, codes={o.code_matiere for o in options})
        eleve_options = [(o, labels.get(o.code_matiere, o.code_matiere)) for o in options]
    return render(
        request,
        "edt/eleves.html",
        _context(
            request,
            divisions=division_list,
            division=division,
            pupils=pupils,
            eleve=eleve,
            eleve_options=eleve_options,
            groupes_choix=selectors.groupes(world=world) if eleve else [],
            page_title="Élèves",
        ),
    )


# --- Services ---------------------------------------------------------------------------------


def _structure(request: HttpRequest, default_first: bool = True):
    """The division, group or teacher a page shows (?structure=d12|g5|e7)."""
    world = request.world
    value = request.GET.get("structure", "")
    if value[:1] == "e":
        return selectors.get_or_404(selectors.enseignants(world=world), value[1:]), value
    if value:
        return forms.structure_from(world, value), value
    if default_first:
        first = selectors.divisions(world=world).first()
        if first is not None:
            return first, f"d{first.pk}"
    return None, ""


def _filters(target) -> dict:
    if isinstance(target, Division):
        return {"division": target}
    if isinstance(target, Groupe):
        return {"groupe": target}
    if target is not None:
        return {"enseignant": target}
    return {}


@require_GET
def services_page(request: HttpRequest, world_slug: str) -> HttpResponse:
    world = request.world
    target, value = _structure(request)
    service_list = selectors.services_of(world=world, **_filters(target)) if target else []
    initial = {"structure": value} if value[:1] in ("d", "g") else {}
    return render(
        request,
        "edt/services.html",
        _context(
            request,
            target=target,
            value=value,
            structures=forms.structure_choices(world),
            services=service_list,
            form=forms.ServiceForm(world=world, initial=initial),
            page_title="Services",
        ),
    )


@action("services")
def service_creer(request: HttpRequest) -> HttpResponse:
    form = forms.ServiceForm(request.POST, world=request.world)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(_url(request, "services", structure=request.POST.get("structure")))
    data = form.cleaned_data
    structure = data["structure"]
    try:
        service = services.service_create(
            world=request.world,
            matiere=data["matiere"],
            mod_cours=data["mod_cours"],
            division=structure if isinstance(structure, Division) else None,
            groupe=structure if isinstance(structure, Groupe) else None,
            enseignant=data["enseignant"],
            heures=data["heures"],
        )
    except EdtError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Service {service} créé.")
    return redirect(_url(request, "services", structure=request.POST.get("structure")))


@action("services")
def service_supprimer(request: HttpRequest) -> HttpResponse:
    form = forms.ObjectForm(request.POST, world=request.world)
    if form.is_valid():
        service = selectors.get_or_404(
            Service.objects.filter(world=request.world), form.cleaned_data["id"]
        )
        services.service_delete(world=request.world, service=service)
        messages.success(request, f"Service {service} supprimé.")
    return redirect(_url(request, "services", structure=request.POST.get("retour")))


# --- Timetable --------------------------------------------------------------------------------


def _timetable_context(request: HttpRequest, target, value: str, form=None) -> dict:
    world = request.world
    filters = _filters(target)
    courses = list(selectors.cours_of(world=world, **filters)) if target else []
    service_list = (
        selectors.services_of(world=world, **filters) if target else Service.objects.none()
    )
    return _context(
        request,
        target=target,
        value=value,
        structures=[
            *forms.structure_choices(world),
            ("Enseignants", [(f"e{e.pk}", str(e)) for e in selectors.enseignants(world=world)]),
        ],
        grid=selectors.grid(courses),
        courses=courses,
        form=form or forms.CoursForm(world=world, services=service_list),
        page_title="Emploi du temps",
    )


@require_GET
def emploi_du_temps(request: HttpRequest, world_slug: str) -> HttpResponse:
    target, value = _structure(request)
    context = _timetable_context(request, target, value)
    if request.htmx and request.GET.get("partiel"):
        return render(request, "edt/emploi_du_temps.html#grille", context)
    return render(request, "edt/emploi_du_temps.html", context)


@action("emploi_du_temps")
def cours_placer(request: HttpRequest) -> HttpResponse:
    world = request.world
    value = request.POST.get("retour", "")
    form = forms.CoursForm(request.POST, world=world)
    if form.is_valid():
        data = form.cleaned_data
        try:
            cours, clashes = services.cours_create(
                world=world,
                service=data["service"],
                jour=data["jour"],
                heure_debut=data["heure_debut"],
                duree=data["duree"],
                salle_code=data["salle"],
            )
        except EdtError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, f"Cours placé : {cours}.")
            for clash in clashes:
                messages.warning(request, f"Attention : {clash}.")
    else:
        messages.error(request, _errors(form))
    return redirect(_url(request, "emploi_du_temps", structure=value))


@action("emploi_du_temps")
def cours_retirer(request: HttpRequest) -> HttpResponse:
    form = forms.ObjectForm(request.POST, world=request.world)
    if form.is_valid():
        cours = selectors.get_or_404(
            Cours.objects.filter(world=request.world), form.cleaned_data["id"]
        )
        services.cours_delete(world=request.world, cours=cours)
        messages.success(request, "Cours retiré de l'emploi du temps.")
    return redirect(_url(request, "emploi_du_temps", structure=request.POST.get("retour", "")))


# --- Exports ----------------------------------------------------------------------------------


@require_GET
def exports(request: HttpRequest, world_slug: str) -> HttpResponse:
    return render(
        request,
        "edt/exports.html",
        _context(
            request,
            exchanges=selectors.exports_recent(world=request.world),
            systems=registry.SYSTEMS,
            page_title="Exports",
        ),
    )


def _export(request: HttpRequest, run, label: str) -> HttpResponse:
    try:
        exchange = run(world=request.world, user=request.user)
    except ExchangeRefused as refusal:
        messages.error(request, " ".join([refusal.message, *refusal.details[:3]]))
    else:
        messages.success(
            request, f"{label} : fichier {exchange.filename} prêt (à télécharger ci-dessous)."
        )
    return redirect(_url(request, "exports"))


@action("exports")
def export_sts(request: HttpRequest) -> HttpResponse:
    return _export(request, services.emp_sts_export, "Export vers STS-web")


@action("exports")
def export_siecle(request: HttpRequest) -> HttpResponse:
    return _export(request, services.elegroupe_export, "Liens élèves-groupes pour SIECLE")
