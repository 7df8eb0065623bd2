"""SIECLE Base élèves pages: parse, call one service or selector, render.

Every page works on the trainee's establishment (`world.home`) and on the school year chosen
in the header (année en cours / année en préparation, kept in the session). Objects are always
fetched filtered by world and establishment: anything else is a 404. Writes are POST, behind
`write_required`; htmx requests get the page's partial, plain requests the whole page (or a
redirect after a successful POST).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from entsim import selectors as entsim_selectors
from entsim.access import write_required
from entsim.models import Role
from entsim.registry import ExchangeRefused

from . import charts, elegroupe, exports, forms, groupes, selectors, services
from .academie import eleves_attendus
from .models import (
    DossierEntrant,
    Eleve,
    EleveGroupe,
    Etablissement,
    LienResponsable,
    OptionEleve,
)
from .services import SiecleError

PAGE = 50
ONGLETS = (
    ("identite", "Identité"),
    ("scolarite", "Scolarité"),
    ("responsables", "Responsables"),
    ("options", "Options"),
    ("groupes", "Groupes"),
    ("historique", "Historique"),
)
MENUS = (
    ("tableau_de_bord", "Tableau de bord"),
    ("fiches", "Fiches élèves"),
    ("affectation", "Affectation"),
    ("saisie_en_masse", "Saisie en masse"),
    ("exploitation", "Exploitation"),
    ("importations", "Importations"),
    ("exportations", "Exportations"),
)


# --- The base, the year, the menu -------------------------------------------------------------


class Menu:
    """The counts shown in the menu, computed only when a full page draws it."""

    def __init__(self, world, uai: str, annee: int) -> None:
        self.world, self.uai, self.annee = world, uai, annee

    @cached_property
    def fiches_bloquantes(self) -> int:
        return selectors.fiches_bloquantes_count(world=self.world, uai=self.uai, annee=self.annee)

    @cached_property
    def signalements(self) -> int:
        return selectors.signalements(world=self.world, uai=self.uai).count()

    @cached_property
    def importations(self) -> selectors.Importations:
        return selectors.importations_en_attente(world=self.world, uai=self.uai, annee=self.annee)

    @property
    def alertes(self) -> int:
        return self.fiches_bloquantes + self.signalements


@dataclass
class Bee:
    world: object
    etablissement: Etablissement
    annees: selectors.Annees
    annee: int

    @property
    def uai(self) -> str:
        return self.etablissement.uai

    @property
    def annee_libelle(self) -> str:
        return f"{self.annee}-{self.annee + 1}"


def _session_key(world) -> str:
    return f"siecle_annee_{world.pk}"


def _bee(request: HttpRequest) -> Bee:
    cached = getattr(request, "_siecle_bee", None)
    if cached is not None:
        return cached
    world = request.world
    if world.home is None:
        raise Http404("Ce monde n'a pas d'établissement.")
    etablissement = selectors.bee(world=world)
    annees = selectors.annees(world=world, etablissement=etablissement)
    annee = request.session.get(_session_key(world))
    if annee not in annees.toutes:
        annee = annees.en_cours
    request._siecle_bee = Bee(world, etablissement, annees, annee)
    return request._siecle_bee


def _mefs(request: HttpRequest) -> list:
    """The base's MEFs, read once per request."""
    if not hasattr(request, "_siecle_mefs"):
        bee = _bee(request)
        request._siecle_mefs = selectors.mefs(world=bee.world, uai=bee.uai)
    return request._siecle_mefs


def _divisions(request: HttpRequest) -> list:
    """The divisions of the year worked on, read once per request."""
    if not hasattr(request, "_siecle_divisions"):
        bee = _bee(request)
        request._siecle_divisions = selectors.divisions(
            world=bee.world, uai=bee.uai, annee=bee.annee
        )
    return request._siecle_divisions


def _render(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    menu: str,
    title: str,
    partial: str | None = None,
    status: int = 200,
) -> HttpResponse:
    bee = _bee(request)
    context = {
        "bee": bee,
        "menu": Menu(bee.world, bee.uai, bee.annee),
        "menus": MENUS,
        "menu_actif": menu,
        "page_title": f"{title} — SIECLE Base élèves",
        "titre": title,
        "annee_form": forms.AnneeForm(annees=bee.annees, initial={"annee": bee.annee}),
        **context,
    }
    name = f"{template}#{partial}" if partial and request.htmx else template
    return render(request, name, context, status=status)


def _next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _url(name: str, request: HttpRequest, *args, query: dict | None = None) -> str:
    url = reverse(f"siecle:{name}", args=[request.world.slug, *args])
    if query:
        url += "?" + urlencode({k: v for k, v in query.items() if v not in (None, "")})
    return url


def _errors(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def write_on_post(view):
    """GET for every member (the help desk consults), POST for those who may write."""
    guarded = write_required(view)

    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            return guarded(request, *args, **kwargs)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _formateur(request: HttpRequest) -> None:
    if request.member is None or request.member.role != Role.FORMATEUR:
        raise PermissionDenied("Action réservée au formateur.")


def _page(request: HttpRequest, items, per_page: int = PAGE):
    return Paginator(items, per_page).get_page(request.GET.get("page"))


@require_POST
def annee_choisir(request: HttpRequest, world_slug: str) -> HttpResponse:
    """Choose the school year worked on (année en cours / en préparation)."""
    bee = _bee(request)
    form = forms.AnneeForm(request.POST, annees=bee.annees)
    if form.is_valid():
        request.session[_session_key(request.world)] = form.cleaned_data["annee"]
    else:
        messages.error(request, "Année scolaire indisponible.")
    return redirect(_next(request, _url("tableau_de_bord", request)))


# --- Tableau de bord --------------------------------------------------------------------------


@require_GET
def tableau_de_bord(request: HttpRequest, world_slug: str) -> HttpResponse:
    bee = _bee(request)
    effectifs = selectors.effectifs(world=bee.world, uai=bee.uai, annee=bee.annee)
    parts = charts.camembert(
        [
            ("Filles", effectifs.filles, "siecle-part--filles"),
            ("Garçons", effectifs.garcons, "siecle-part--garcons"),
            ("Sexe non renseigné", effectifs.sexe_inconnu, "siecle-part--inconnu"),
        ]
    )
    return _render(
        request,
        "siecle/tableau_de_bord.html",
        {"effectifs": effectifs, "parts": parts},
        menu="tableau_de_bord",
        title="Tableau de bord",
    )


@require_GET
def signalements(request: HttpRequest, world_slug: str) -> HttpResponse:
    bee = _bee(request)
    rows = list(selectors.signalements(world=bee.world, uai=bee.uai).select_related("eleve"))
    return _render(
        request,
        "siecle/signalements.html",
        {"signalements": rows},
        menu="tableau_de_bord",
        title="Signalements académiques élèves",
    )


# --- Fiches élèves: recherche, création -------------------------------------------------------


AUCUN = "Aucun élève trouvé. Modifier vos critères de recherche."
PARENTE_PAR_CIVILITE = {"MME": "10", "M.": "20"}  # a first guess the user corrects


@require_GET
def recherche(request: HttpRequest, world_slug: str) -> HttpResponse:
    bee = _bee(request)
    divisions = [d.code for d in selectors.divisions(world=bee.world, uai=bee.uai, annee=bee.annee)]
    searched = "rechercher" in request.GET
    form = forms.RechercheForm(request.GET if searched else None, divisions=divisions)
    page = None
    criteres = None
    if searched and form.is_valid():
        criteres = form.criteres()
        results = selectors.eleves_rechercher(
            world=bee.world, uai=bee.uai, annee=bee.annee, criteres=criteres
        )
        page = _page(request, results)
    creation_url = None
    if page is not None and not page.paginator.count and criteres and criteres.nom:
        creation_url = _url(
            "eleve_creer",
            request,
            query={"nom": criteres.nom, "prenom": criteres.prenom, "ne_en": criteres.ne_en},
        )
    return _render(
        request,
        "siecle/recherche.html",
        {"form": form, "page": page, "aucun": AUCUN, "creation_url": creation_url},
        menu="fiches",
        title="Fiches élèves - Recherche et MAJ",
        partial="resultats",
    )


def _search_found_someone(bee: Bee, nom_: str, prenom: str, ne_en) -> bool:
    criteres = selectors.Criteres(nom=nom_, prenom=prenom, ne_en=ne_en)
    return selectors.eleves_rechercher(
        world=bee.world, uai=bee.uai, annee=bee.annee, criteres=criteres
    ).exists()


@write_required
@require_http_methods(["GET", "POST"])
def eleve_creer(request: HttpRequest, world_slug: str) -> HttpResponse:
    """Création intégrale: only from a search that found nobody (the [+] of the guide)."""
    bee = _bee(request)
    source = request.POST if request.method == "POST" else request.GET
    nom_ = (source.get("nom") or "").strip()
    prenom = (source.get("prenom") or "").strip()
    ne_en = source.get("ne_en") or ""
    ne_en = int(ne_en) if ne_en.isdigit() else None
    search_url = _url(
        "recherche", request, query={"rechercher": 1, "nom": nom_, "prenom": prenom, "ne_en": ne_en}
    )
    if not nom_:
        messages.error(
            request,
            "Une fiche se crée depuis Fiches élèves > Recherche et MAJ : recherchez d'abord "
            "l'élève par son nom.",
        )
        return redirect(_url("recherche", request))
    if _search_found_someone(bee, nom_, prenom, ne_en):
        messages.error(
            request,
            "La recherche trouve déjà un élève de ce nom : complétez sa fiche plutôt que d'en "
            "créer une seconde.",
        )
        return redirect(search_url)
    kwargs = {"mefs": _mefs(request), "divisions": _divisions(request)}
    if request.method == "POST":
        form = forms.CreationForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                eleve = services.eleve_create(
                    world=bee.world,
                    annee=bee.annee,
                    data=form.identity(),
                    ine=data.get("ine", ""),
                    mef_code=data.get("mef_code", ""),
                    division=data.get("division", ""),
                    date_entree=data.get("date_entree"),
                    user=request.user,
                )
            except SiecleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"Dossier de {eleve} créé (ELEVE_ID {eleve.eleve_id}).")
                return redirect(_url("fiche_onglet", request, eleve.pk, "identite"))
    else:
        initial = {"nom": nom_.upper(), "prenom": prenom, "code_pays_naiss": "100"}
        form = forms.CreationForm(initial=initial, **kwargs)
    return _render(
        request,
        "siecle/creation.html",
        {"form": form, "nom": nom_, "prenom": prenom, "ne_en": ne_en or "", "retour": search_url},
        menu="fiches",
        title="Fiches élèves - Création intégrale",
    )


# --- The fiche --------------------------------------------------------------------------------


def _eleve(request: HttpRequest, eleve_pk: int) -> Eleve:
    bee = _bee(request)
    try:
        return selectors.eleve_get(world=bee.world, uai=bee.uai, pk=eleve_pk)
    except Eleve.DoesNotExist as missing:
        raise Http404("Élève introuvable.") from missing


def _fiche_context(
    request: HttpRequest, eleve_pk: int, onglet: str, bound: dict | None = None
) -> dict:
    bee = _bee(request)
    if onglet not in dict(ONGLETS):
        raise Http404("Onglet inconnu.")
    try:
        fiche = selectors.fiche(
            world=bee.world,
            uai=bee.uai,
            pk=eleve_pk,
            annee=bee.annee,
            historique=onglet == "historique",
        )
    except Eleve.DoesNotExist as missing:
        raise Http404("Élève introuvable.") from missing
    bound = bound or {}
    eleve = fiche.eleve
    context: dict = {"fiche": fiche, "onglet": onglet, "onglets": ONGLETS}
    if onglet == "identite":
        context["identite_form"] = bound.get("identite") or forms.IdentiteForm(
            initial={key: getattr(eleve, key) for key in services.IDENTITY_FIELDS}
        )
        address = eleve.adresse
        context["adresse_form"] = bound.get("adresse") or forms.AdresseForm(
            initial={
                "ligne1": address.ligne1 if address else "",
                "ligne2": address.ligne2 if address else "",
                "ligne3": address.ligne3 if address else "",
                "ligne4": address.ligne4 if address else "",
                "code_postal": address.code_postal if address else "",
                "commune": address.commune if address else "",
                "code_pays": address.code_pays if address else "100",
            }
        )
        context["adresse_partagee"] = selectors.adresse_partagee(eleve=eleve)
    elif onglet == "scolarite":
        scolarite = fiche.scolarite
        context["scolarite_form"] = bound.get("scolarite") or forms.ScolariteForm(
            initial={
                "mef_code": scolarite.mef_code if scolarite else "",
                "division": scolarite.division if scolarite else "",
                "date_entree": scolarite.date_entree if scolarite else None,
                "date_sortie": scolarite.date_sortie if scolarite else None,
            },
            mefs=_mefs(request),
            divisions=_divisions(request),
        )
        context["mef_labels"] = {mef.code: mef.libelle_long for mef in _mefs(request)}
    elif onglet == "responsables":
        context["lien_forms"] = [
            (
                lien,
                bound.get(f"lien-{lien.pk}")
                or forms.LienForm(
                    initial={"code_parente": lien.code_parente, "niveau": lien.niveau},
                    prefix=f"lien-{lien.pk}",
                ),
            )
            for lien in fiche.liens
        ]
        search = forms.ResponsableRechercheForm(request.GET if "resp_nom" in request.GET else None)
        context["recherche_form"] = search
        context["trouves"] = (
            _trouves(
                bee,
                search.cleaned_data["resp_nom"],
                search.cleaned_data.get("resp_prenom", ""),
            )
            if search.is_bound and search.is_valid()
            else None
        )
        show_creation = (search.is_bound and search.is_valid()) or "creer" in bound
        context["creer_form"] = (
            bound.get("creer")
            or forms.ResponsableCreerForm(
                initial={
                    "nom": search.cleaned_data.get("resp_nom", "").upper(),
                    "prenom": search.cleaned_data.get("resp_prenom", ""),
                    "niveau": 1,
                    "meme_adresse": True,
                }
            )
            if show_creation
            else None
        )
    elif onglet == "options":
        scolarite = fiche.scolarite
        possibles = selectors.options_possibles(
            world=bee.world, uai=bee.uai, mef_code=scolarite.mef_code if scolarite else ""
        )
        taken = {o.matiere_code for o in fiche.options}
        context["option_form"] = bound.get("option") or forms.OptionForm(
            possibles=[p for p in possibles if p.matiere not in taken]
        )
        context["matieres"] = selectors.matiere_labels(world=bee.world, uai=bee.uai)
    elif onglet == "groupes":
        taken = {g.groupe for g in fiche.groupes}
        context["groupe_form"] = bound.get("groupe") or forms.GroupeForm(
            groupes=[c for c in _groupe_choices(bee) if c[0] not in taken]
        )
    return context


def _groupe_choices(bee: Bee) -> list[tuple[str, str]]:
    return [
        (g.code, f"{g.code} {g.libelle_long}".strip())
        for g in groupes.groupes_possibles(world=bee.world, uai=bee.uai, annee=bee.annee)
    ]


def _trouves(bee: Bee, nom_: str, prenom: str) -> list:
    """The responsables found by the search, each with its own 'Rattacher' form."""
    found = selectors.personnes_rechercher(world=bee.world, uai=bee.uai, nom_=nom_, prenom=prenom)
    return [
        (
            trouve,
            forms.LienForm(
                prefix=f"r{trouve.personne.pk}",
                initial={
                    "niveau": 1,
                    "code_parente": PARENTE_PAR_CIVILITE.get(trouve.personne.civilite, "90"),
                },
            ),
        )
        for trouve in found
    ]


def _fiche_render(
    request: HttpRequest, eleve_pk: int, onglet: str, bound: dict | None = None, status: int = 200
) -> HttpResponse:
    context = _fiche_context(request, eleve_pk, onglet, bound)
    return _render(
        request,
        "siecle/fiche.html",
        context,
        menu="fiches",
        title=f"Fiche élève — {context['fiche'].eleve}",
        partial="panneau",
        status=status,
    )


@require_GET
def fiche(request: HttpRequest, world_slug: str, eleve_pk: int) -> HttpResponse:
    _eleve(request, eleve_pk)
    return redirect(_url("fiche_onglet", request, eleve_pk, "identite"))


@require_GET
def fiche_onglet(request: HttpRequest, world_slug: str, eleve_pk: int, onglet: str) -> HttpResponse:
    return _fiche_render(request, eleve_pk, onglet)


def _after_write(request: HttpRequest, eleve_pk: int, onglet: str, message: str) -> HttpResponse:
    messages.success(request, message)
    if request.htmx:
        return _fiche_render(request, eleve_pk, onglet)
    return redirect(_url("fiche_onglet", request, eleve_pk, onglet))


@write_required
@require_POST
def identite_modifier(request: HttpRequest, world_slug: str, eleve_pk: int) -> HttpResponse:
    eleve = _eleve(request, eleve_pk)
    form = forms.IdentiteForm(request.POST)
    if form.is_valid():
        try:
            changes = services.eleve_identite_update(
                world=request.world, eleve=eleve, data=form.identity(), user=request.user
            )
        except SiecleError as error:
            form.add_error(None, error.message)
        else:
            return _after_write(
                request,
                eleve_pk,
                "identite",
                "Identité enregistrée." if changes else "Aucun changement.",
            )
    return _fiche_render(request, eleve_pk, "identite", {"identite": form})


@write_required
@require_POST
def adresse_modifier(request: HttpRequest, world_slug: str, eleve_pk: int) -> HttpResponse:
    eleve = _eleve(request, eleve_pk)
    form = forms.AdresseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.eleve_adresse_update(
                world=request.world,
                eleve=eleve,
                lignes=form.lignes(),
                code_postal=data["code_postal"],
                commune=data["commune"],
                code_pays=data["code_pays"],
                user=request.user,
            )
        except SiecleError as error:
            form.add_error(None, error.message)
        else:
            return _after_write(request, eleve_pk, "identite", "Adresse enregistrée.")
    return _fiche_render(request, eleve_pk, "identite", {"adresse": form})


@write_required
@require_POST
def scolarite_modifier(request: HttpRequest, world_slug: str, eleve_pk: int) -> HttpResponse:
    bee = _bee(request)
    eleve = _eleve(request, eleve_pk)
    form = forms.ScolariteForm(request.POST, mefs=_mefs(request), divisions=_divisions(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            result = services.scolarite_update(
                world=request.world,
                eleve=eleve,
                annee=bee.annee,
                mef_code=data["mef_code"],
                division=data["division"],
                date_entree=data["date_entree"],
                date_sortie=data["date_sortie"],
                user=request.user,
            )
        except SiecleError as error:
            form.add_error(None, error.message)
        else:
            message = "Scolarité enregistrée." if result.changes else "Aucun changement."
            if result.options_removed:
                message += " Options retirées (hors du programme du nouveau MEF) : " + ", ".join(
                    result.options_removed
                )
            return _after_write(request, eleve_pk, "scolarite", message)
    return _fiche_render(request, eleve_pk, "scolarite", {"scolarite": form})


@write_required
@require_POST
def option_ajouter(request: HttpRequest, world_slug: str, eleve_pk: int) -> HttpResponse:
    bee = _bee(request)
    eleve = _eleve(request, eleve_pk)
    scolarite = selectors.scolarite_of(eleve=eleve, annee=bee.annee)
    possibles = selectors.options_possibles(
        world=bee.world, uai=bee.uai, mef_code=scolarite.mef_code if scolarite else ""
    )
    form = forms.OptionForm(request.POST, possibles=possibles)
    if scolarite is None:
        form.add_error(None, f"L'élève n'a pas de scolarité en {bee.annee_libelle}.")
    elif form.is_valid():
        try:
            option = services.option_inscrire(
                world=request.world,
                scolarite=scolarite,
                matiere_code=form.cleaned_data["matiere_code"],
                user=request.user,
            )
        except SiecleError as error:
            form.add_error(None, error.message)
        else:
            return _after_write(
                request, eleve_pk, "options", f"Inscription en {option.matiere_code}."
            )
    return _fiche_render(request, eleve_pk, "options", {"option": form})


@write_required
@require_POST
def option_retirer(
    request: HttpRequest, world_slug: str, eleve_pk: int, option: int
) -> HttpResponse:
    eleve = _eleve(request, eleve_pk)
    try:
        row = selectors.option_get(world=request.world, eleve=eleve, pk=option)
    except OptionEleve.DoesNotExist as missing:
        raise Http404("Option introuvable.") from missing
    services.option_retirer(world=request.world, option=row, user=request.user)
    return _after_write(request, eleve_pk, "options", f"Désinscription de {row.matiere_code}.")


@write_required
@require_POST
def groupe_ajouter(request: HttpRequest, world_slug: str, eleve_pk: int) -> HttpResponse:
    bee = _bee(request)
    eleve = _eleve(request, eleve_pk)
    scolarite = selectors.scolarite_of(eleve=eleve, annee=bee.annee)
    form = forms.GroupeForm(request.POST, groupes=_groupe_choices(bee))
    if scolarite is None:
        form.add_error(None, f"L'élève n'a pas de scolarité en {bee.annee_libelle}.")
    elif form.is_valid():
        try:
            lien = groupes.groupe_inscrire(
                world=request.world,
                scolarite=scolarite,
                code=form.cleaned_data["groupe"],
                user=request.user,
            )
        except SiecleError as error:
            form.add_error(None, error.message)
        else:
            return _after_write(
                request, eleve_pk, "groupes", f"Inscription dans le groupe {lien.groupe}."
            )
    return _fiche_render(request, eleve_pk, "groupes", {"groupe": form}, status=400)


@write_required
@require_POST
def groupe_retirer(request: HttpRequest, world_slug: str, eleve_pk: int, lien: int) -> HttpResponse:
    bee = _bee(request)
    eleve = _eleve(request, eleve_pk)
    row = EleveGroupe.objects.filter(
        world=bee.world, uai=bee.uai, scolarite__eleve=eleve, pk=lien
    ).first()
    if row is None:
        raise Http404("Groupe introuvable.")
    groupes.groupe_retirer(world=request.world, lien=row, user=request.user)
    return _after_write(request, eleve_pk, "groupes", f"Retrait du groupe {row.groupe}.")


@require_GET
def responsables_chercher(request: HttpRequest, world_slug: str, eleve_pk: int) -> HttpResponse:
    """Search-as-you-type among the base's responsables (htmx); plain: the tab with results."""
    if not request.htmx:
        _eleve(request, eleve_pk)  # 404 for another world's or school's pupil
        query = {k: request.GET.get(k, "") for k in ("resp_nom", "resp_prenom")}
        return redirect(_url("fiche_onglet", request, eleve_pk, "responsables", query=query))
    bee = _bee(request)
    fiche_eleve = _eleve(request, eleve_pk)
    search = forms.ResponsableRechercheForm(request.GET)
    trouves = (
        _trouves(bee, search.cleaned_data["resp_nom"], search.cleaned_data.get("resp_prenom", ""))
        if search.is_valid()
        else None
    )
    return render(
        request,
        "siecle/fiche.html#responsables-trouves",
        {"trouves": trouves, "fiche": {"eleve": fiche_eleve}, "bee": bee},
    )


@write_required
@require_POST
def responsable_rattacher(request: HttpRequest, world_slug: str, eleve_pk: int) -> HttpResponse:
    eleve = _eleve(request, eleve_pk)
    person_pk = request.POST.get("personne", "")
    person = None
    if person_pk.isdigit():
        person = selectors.personnes_get(
            world=request.world, uai=eleve.uai, pks=[int(person_pk)]
        ).get(int(person_pk))
    if person is None:
        raise Http404("Responsable introuvable.")
    form = forms.LienForm(request.POST, prefix=f"r{person.pk}")
    if form.is_valid():
        try:
            services.responsable_rattacher(
                world=request.world,
                eleve=eleve,
                personne=person,
                code_parente=form.cleaned_data["code_parente"],
                niveau=form.cleaned_data["niveau"],
                user=request.user,
            )
        except SiecleError as error:
            form.add_error(None, error.message)
        else:
            return _after_write(
                request, eleve_pk, "responsables", f"{person} est rattaché(e) à l'élève."
            )
    messages.error(request, f"{person} : {_errors(form)}")
    if request.htmx:
        return _fiche_render(request, eleve_pk, "responsables")
    return redirect(
        _url("fiche_onglet", request, eleve_pk, "responsables", query={"resp_nom": person.nom})
    )


@write_required
@require_POST
def responsable_creer(request: HttpRequest, world_slug: str, eleve_pk: int) -> HttpResponse:
    eleve = _eleve(request, eleve_pk)
    form = forms.ResponsableCreerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            lien = services.responsable_creer(
                world=request.world,
                eleve=eleve,
                civilite=data["civilite"],
                nom_famille=data["nom"],
                nom_usage=data.get("nom_usage", ""),
                prenom=data["prenom"],
                code_parente=data["code_parente"],
                niveau=data["niveau"],
                adresse=form.adresse(),
                tel_portable=data.get("tel_portable", ""),
                mel=data.get("mel", ""),
                user=request.user,
            )
        except SiecleError as error:
            form.add_error(None, error.message)
        else:
            return _after_write(request, eleve_pk, "responsables", f"{lien.personne} créé(e).")
    return _fiche_render(request, eleve_pk, "responsables", {"creer": form})


def _lien(request: HttpRequest, eleve: Eleve, lien: int) -> LienResponsable:
    try:
        return selectors.lien_get(world=request.world, eleve=eleve, pk=lien)
    except LienResponsable.DoesNotExist as missing:
        raise Http404("Lien introuvable.") from missing


@write_required
@require_POST
def lien_modifier(request: HttpRequest, world_slug: str, eleve_pk: int, lien: int) -> HttpResponse:
    eleve = _eleve(request, eleve_pk)
    row = _lien(request, eleve, lien)
    form = forms.LienForm(request.POST, prefix=f"lien-{row.pk}")
    if form.is_valid():
        try:
            services.lien_modifier(
                world=request.world,
                lien=row,
                code_parente=form.cleaned_data["code_parente"],
                niveau=form.cleaned_data["niveau"],
                user=request.user,
            )
        except SiecleError as error:
            form.add_error(None, error.message)
        else:
            return _after_write(
                request, eleve_pk, "responsables", f"Lien avec {row.personne} modifié."
            )
    return _fiche_render(request, eleve_pk, "responsables", {f"lien-{row.pk}": form})


@write_required
@require_POST
def lien_supprimer(request: HttpRequest, world_slug: str, eleve_pk: int, lien: int) -> HttpResponse:
    eleve = _eleve(request, eleve_pk)
    row = _lien(request, eleve, lien)
    services.lien_supprimer(world=request.world, lien=row, user=request.user)
    return _after_write(
        request, eleve_pk, "responsables", f"{row.personne} n'est plus rattaché(e) à l'élève."
    )


# --- Doublons responsables --------------------------------------------------------------------


@require_GET
def doublons(request: HttpRequest, world_slug: str) -> HttpResponse:
    bee = _bee(request)
    searched = "chercher" in request.GET
    form = forms.DoublonsForm(request.GET if searched else None)
    groups = None
    if searched and form.is_valid():
        groups = selectors.doublons_responsables(
            world=bee.world,
            uai=bee.uai,
            nom_=form.cleaned_data["nom"],
            prenom=form.cleaned_data["prenom"],
        )
    return _render(
        request,
        "siecle/doublons.html",
        {"form": form, "groupes": groups},
        menu="fiches",
        title="Fiches élèves - Doublons responsables",
    )


@write_required
@require_POST
def doublons_modifier(request: HttpRequest, world_slug: str) -> HttpResponse:
    bee = _bee(request)
    back = _next(request, _url("doublons", request, query={"chercher": 1}))
    form = forms.FusionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return redirect(back)
    people = selectors.personnes_get(
        world=bee.world,
        uai=bee.uai,
        pks=[form.cleaned_data["supprimer"], form.cleaned_data["remplacer"]],
    )
    supprime = people.get(form.cleaned_data["supprimer"])
    remplace = people.get(form.cleaned_data["remplacer"])
    if supprime is None or remplace is None:
        raise Http404("Responsable introuvable.")
    try:
        fusion = services.responsables_fusionner(
            world=bee.world, supprime=supprime, remplace=remplace, user=request.user
        )
    except SiecleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"{fusion.supprime_libelle} supprimé(e), remplacé(e) par {fusion.garde} "
            f"({fusion.eleves_deplaces} élève(s) rattaché(s)). Compte téléservices : "
            f"{fusion.ancien_compte or 'aucun'} supprimé, nouveau compte {fusion.nouveau_compte}.",
        )
    return redirect(back)


# --- Affectation, saisie en masse -------------------------------------------------------------


def _affectation_forms(request: HttpRequest):
    return {"mefs": _mefs(request), "divisions": _divisions(request)}


@require_GET
def affectation(request: HttpRequest, world_slug: str) -> HttpResponse:
    bee = _bee(request)
    choices = _affectation_forms(request)
    mef_filter = request.GET.get("mef", "")
    page = _page(
        request,
        selectors.affectation_a_faire(
            world=bee.world, uai=bee.uai, annee=bee.annee, mef_code=mef_filter
        ),
    )
    rows = [
        (
            scolarite,
            forms.AffectationForm(
                initial={"mef_code": scolarite.mef_code, "division": scolarite.division},
                prefix=f"s{scolarite.pk}",
                **choices,
            ),
        )
        for scolarite in page
    ]
    return _render(
        request,
        "siecle/affectation.html",
        {"page": page, "rows": rows, "mef_filter": mef_filter, "mefs": choices["mefs"]},
        menu="affectation",
        title="Affectation - Élèves à affecter",
    )


@write_required
@require_POST
def affectation_eleve(request: HttpRequest, world_slug: str, eleve_pk: int) -> HttpResponse:
    """Affect one pupil (a row of the list) to a MEF and a division."""
    bee = _bee(request)
    eleve = _eleve(request, eleve_pk)
    scolarite = selectors.scolarite_of(eleve=eleve, annee=bee.annee)
    if scolarite is None:
        raise Http404("Pas de scolarité cette année.")
    choices = _affectation_forms(request)
    form = forms.AffectationForm(request.POST, prefix=f"s{scolarite.pk}", **choices)
    error = None
    if form.is_valid():
        try:
            services.scolarite_update(
                world=bee.world,
                eleve=eleve,
                annee=bee.annee,
                mef_code=form.cleaned_data["mef_code"],
                division=form.cleaned_data["division"],
                date_entree=scolarite.date_entree,
                date_sortie=scolarite.date_sortie,
                user=request.user,
            )
        except SiecleError as refused:
            error = refused.message
            form.add_error(None, error)
    else:
        error = _errors(form)
    if request.htmx:
        scolarite.refresh_from_db()
        return render(
            request,
            "siecle/affectation.html#ligne",
            {
                "scolarite": scolarite,
                "form": form,
                "erreur": error,
                "fait": error is None,
                "bee": bee,
            },
        )
    if error:
        messages.error(request, f"{eleve} : {error}")
    else:
        messages.success(request, f"{eleve} affecté(e).")
    return redirect(_next(request, _url("affectation", request)))


def _masse_options(bee: Bee, mefs: list, mef_code: str) -> list[tuple[str, str]]:
    """The options offered in bulk: those of the filtered MEF, or of every MEF of the base."""
    codes = [mef_code] if mef_code and mef_code != "-" else [m.code for m in mefs]
    found = selectors.options_possibles_par_mef(world=bee.world, uai=bee.uai, mef_codes=codes)
    seen = {}
    for options in found.values():
        for option in options:
            seen.setdefault(option.matiere, f"{option.libelle} ({option.matiere})")
    return sorted(seen.items(), key=lambda item: item[1])


@write_on_post
@require_http_methods(["GET", "POST"])
def saisie_en_masse(request: HttpRequest, world_slug: str) -> HttpResponse:
    bee = _bee(request)
    source = request.POST if request.method == "POST" else request.GET
    mef_filter = source.get("mef", "")
    division_filter = source.get("div", "")
    previous_filter = source.get("ancien", "")
    choices = _affectation_forms(request)
    options = _masse_options(bee, choices["mefs"], mef_filter)
    listing = selectors.saisie_en_masse_liste(
        world=bee.world,
        uai=bee.uai,
        annee=bee.annee,
        mef_code=mef_filter,
        division=division_filter,
        an_dernier_mef=previous_filter,
    )
    query = {"mef": mef_filter, "div": division_filter, "ancien": previous_filter}
    back = _url("saisie_en_masse", request, query=query)
    if request.method == "POST":
        form = forms.SaisieMasseForm(
            request.POST, options=options, groupes=_groupe_choices(bee), **choices
        )
        if form.is_valid():
            data = form.cleaned_data
            ids = (
                list(listing.values_list("pk", flat=True))
                if request.POST.get("tous")
                else data["eleves"]
            )
            try:
                done = []
                if data["mef_code"] or data["division"]:
                    count = services.scolarites_affecter(
                        world=bee.world,
                        uai=bee.uai,
                        annee=bee.annee,
                        scolarite_ids=ids,
                        mef_code=data["mef_code"],
                        division=data["division"],
                        user=request.user,
                    )
                    done.append(f"{count} élève(s) affecté(s)")
                if data["option"]:
                    enrolled, refused = services.options_inscrire_en_masse(
                        world=bee.world,
                        uai=bee.uai,
                        annee=bee.annee,
                        scolarite_ids=ids,
                        matiere_code=data["option"],
                        user=request.user,
                    )
                    done.append(f"{enrolled} inscription(s) en option {data['option']}")
                    for line in refused[:10]:
                        messages.warning(request, line)
                if data["groupe"]:
                    enrolled, refused = groupes.groupes_inscrire_en_masse(
                        world=bee.world,
                        uai=bee.uai,
                        annee=bee.annee,
                        scolarite_ids=ids,
                        code=data["groupe"],
                        user=request.user,
                    )
                    done.append(f"{enrolled} inscription(s) dans le groupe {data['groupe']}")
                    for line in refused[:10]:
                        messages.warning(request, line)
                if not done:
                    raise SiecleError("Choisissez un MEF, une division, une option ou un groupe.")
            except SiecleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, " ; ".join(done) + ".")
                return redirect(back)
    else:
        form = forms.SaisieMasseForm(options=options, groupes=_groupe_choices(bee), **choices)
    page = _page(request, listing, per_page=100)
    return _render(
        request,
        "siecle/saisie_en_masse.html",
        {
            "form": form,
            "page": page,
            "mef_filter": mef_filter,
            "division_filter": division_filter,
            "previous_filter": previous_filter,
            "mefs": choices["mefs"],
            "divisions": choices["divisions"],
        },
        menu="saisie_en_masse",
        title="Saisie en masse",
    )


# --- Exploitation -----------------------------------------------------------------------------


@require_GET
def exploitation(request: HttpRequest, world_slug: str) -> HttpResponse:
    return _render(
        request, "siecle/exploitation.html", {}, menu="exploitation", title="Exploitation"
    )


@require_GET
def fiches_bloquantes(request: HttpRequest, world_slug: str) -> HttpResponse:
    bee = _bee(request)
    page = _page(
        request, selectors.fiches_bloquantes(world=bee.world, uai=bee.uai, annee=bee.annee)
    )
    return _render(
        request,
        "siecle/fiches_bloquantes.html",
        {"page": page, "lignes": selectors.with_motifs(page.object_list)},
        menu="exploitation",
        title="Listes standards - Divers - Fiches bloquantes",
    )


@require_GET
def structures(request: HttpRequest, world_slug: str) -> HttpResponse:
    """The divisions and groups of the year (from STS-web) and the teachers their services
    give them."""
    bee = _bee(request)
    return _render(
        request,
        "siecle/structures.html",
        {
            "lignes": selectors.structures_tableau(world=bee.world, uai=bee.uai, annee=bee.annee),
            "enseignants": selectors.enseignants_structures(
                world=bee.world, uai=bee.uai, annee=bee.annee
            ),
        },
        menu="exploitation",
        title="Structures et équipes pédagogiques",
    )


@require_GET
def structure(request: HttpRequest, world_slug: str, structure_pk: int) -> HttpResponse:
    bee = _bee(request)
    found = selectors.structure(world=bee.world, uai=bee.uai, annee=bee.annee, pk=structure_pk)
    if found is None:
        raise Http404("Structure introuvable.")
    return _render(
        request,
        "siecle/structure.html",
        {
            "structure": found,
            "equipe": selectors.equipe_pedagogique(world=bee.world, uai=bee.uai, structure=found),
            "eleves": selectors.structure_eleves(world=bee.world, uai=bee.uai, structure=found),
        },
        menu="exploitation",
        title=f"{found.get_type_display()} {found.code}",
    )


@require_GET
def remontee_sysca(request: HttpRequest, world_slug: str) -> HttpResponse:
    bee = _bee(request)
    lignes = selectors.remontee_sysca(world=bee.world, uai=bee.uai, annee=bee.annee)
    totals = {
        "scolarises": sum(line.scolarises for line in lignes),
        "bloquantes": sum(line.bloquantes for line in lignes),
        "remontes": sum(line.remontes for line in lignes),
    }
    return _render(
        request,
        "siecle/remontee_sysca.html",
        {"lignes": lignes, "totaux": totals},
        menu="exploitation",
        title="Remontée SYSCA",
    )


# --- Importations -----------------------------------------------------------------------------


@require_GET
def importations(request: HttpRequest, world_slug: str) -> HttpResponse:
    bee = _bee(request)
    return _render(
        request,
        "siecle/importations.html",
        {
            "elegroupes": elegroupe.elegroupe_imports(world=bee.world, uai=bee.uai)[:10],
            "recus": elegroupe.received_exchanges(world=bee.world),
        },
        menu="importations",
        title="Importations",
    )


@write_on_post
@require_http_methods(["GET", "POST"])
def import_elegroupe(request: HttpRequest, world_slug: str) -> HttpResponse:
    """Importations > Liens élève-groupe depuis logiciel privé (deposit; import at night)."""
    bee = _bee(request)
    form = forms.ElegroupeUploadForm()
    refusal = None
    if request.method == "POST":
        form = forms.ElegroupeUploadForm(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise ExchangeRefused(_errors(form))
            name, content = form.content()
            with transaction.atomic():  # a refusal happens before anything is written
                elegroupe.elegroupe_deposit(
                    world=bee.world,
                    filename=name,
                    content=content,
                    user=request.user,
                    annee=bee.annee,  # check 2: the year SIECLE is connected to
                )
        except ExchangeRefused as refused:
            refusal = refused
        else:
            # No notification on success, as in SIECLE: "il n'y a pas de notification".
            return redirect(_url("import_elegroupe", request))
    return _render(
        request,
        "siecle/import_elegroupe.html",
        {
            "form": form,
            "refusal": refusal,
            "attente": elegroupe.elegroupes_waiting(world=bee.world, uai=bee.uai),
            "imports": elegroupe.elegroupe_imports(world=bee.world, uai=bee.uai)[:10],
        },
        menu="importations",
        title="Liens élève-groupe depuis logiciel privé",
        status=400 if refusal else 200,
    )


@write_on_post
@require_http_methods(["GET", "POST"])
def import_affectation(request: HttpRequest, world_slug: str) -> HttpResponse:
    bee = _bee(request)
    source = DossierEntrant.Source.AFFECTATION
    if request.method == "POST":
        form = forms.DossiersForm(request.POST)
        if form.is_valid():
            ids = None if form.cleaned_data["tous"] else form.cleaned_data["dossiers"]
            try:
                eleves = services.dossiers_affectation_receptionner(
                    world=bee.world, annee=bee.annee, ids=ids, user=request.user
                )
            except SiecleError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    f"{len(eleves)} dossier(s) réceptionné(s) : affectez maintenant les élèves "
                    "dans leurs divisions et inscrivez-les dans leurs options.",
                )
        return redirect(_url("import_affectation", request))
    page = _page(
        request,
        selectors.dossiers_en_attente(world=bee.world, uai=bee.uai, annee=bee.annee, source=source),
    )
    return _render(
        request,
        "siecle/import_affectation.html",
        {
            "page": page,
            "traites": selectors.dossiers_traites(
                world=bee.world, uai=bee.uai, annee=bee.annee, source=source
            ),
            "mef_labels": selectors.mef_labels(world=bee.world, uai=bee.uai),
        },
        menu="importations",
        title="Importations - Dossiers depuis affectation",
    )


@write_on_post
@require_http_methods(["GET", "POST"])
def import_autre_eple(request: HttpRequest, world_slug: str) -> HttpResponse:
    bee = _bee(request)
    source = DossierEntrant.Source.AUTRE_EPLE
    if request.method == "POST":
        form = forms.DossiersForm(request.POST)
        action = request.POST.get("action")
        if form.is_valid() and action in ("importer", "supprimer"):
            ids = form.cleaned_data["dossiers"]
            try:
                if action == "importer":
                    eleves = services.dossiers_eple_importer(
                        world=bee.world, annee=bee.annee, ids=ids, user=request.user
                    )
                    messages.success(
                        request,
                        f"{len(eleves)} dossier(s) importé(s), avec leur ELEVE_ID et leur INE : "
                        "affectez maintenant les élèves dans leur MEF et leur division.",
                    )
                else:
                    count = services.dossiers_eple_supprimer(
                        world=bee.world, annee=bee.annee, ids=ids, user=request.user
                    )
                    messages.success(request, f"{count} dossier(s) supprimé(s) de la liste.")
            except SiecleError as error:
                messages.error(request, error.message)
        else:
            messages.error(request, "Cochez des dossiers, puis IMPORTER ou SUPPRIMER.")
        return redirect(_url("import_autre_eple", request))
    rows = list(
        selectors.dossiers_en_attente(world=bee.world, uai=bee.uai, annee=bee.annee, source=source)
    )
    context = {
        "dossiers": rows,
        "traites": selectors.dossiers_traites(
            world=bee.world, uai=bee.uai, annee=bee.annee, source=source
        ),
    }
    if request.member.role == Role.FORMATEUR:
        context["attendus"] = eleves_attendus(world=bee.world)
        voisin_nom = request.GET.get("voisin_nom", "")
        context["voisin_nom"] = voisin_nom
        context["voisins"] = selectors.eleves_autres_etablissements(
            world=bee.world, uai=bee.uai, nom_=voisin_nom
        )
        context["etablissements"] = selectors.etablissements(world=bee.world)
    return _render(
        request,
        "siecle/import_autre_eple.html",
        context,
        menu="importations",
        title="Importations - Dossiers depuis autre EPLE",
    )


@write_required
@require_POST
def faire_exporter(request: HttpRequest, world_slug: str) -> HttpResponse:
    """Formateur: the school of origin exports the dossier now (as after a phone call)."""
    _formateur(request)
    bee = _bee(request)
    form = forms.FaireExporterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez un élève.")
        return redirect(_url("import_autre_eple", request))
    try:
        eleve = selectors.eleve_autre_etablissement_get(
            world=bee.world, uai=bee.uai, pk=form.cleaned_data["eleve"]
        )
    except Eleve.DoesNotExist as missing:
        raise Http404("Élève introuvable.") from missing
    try:
        dossier = services.dossier_faire_exporter(
            world=bee.world, eleve=eleve, annee=bee.annee, user=request.user
        )
    except SiecleError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            f"L'établissement {dossier.origine_libelle} a exporté le dossier de {eleve} "
            f"(sortie le {dossier.date_sortie:%d/%m/%Y}).",
        )
    return redirect(_url("import_autre_eple", request))


# --- Exportations -----------------------------------------------------------------------------


@require_GET
def exportations(request: HttpRequest, world_slug: str) -> HttpResponse:
    bee = _bee(request)
    return _render(
        request,
        "siecle/exportations.html",
        {
            "exportations": selectors.exportations(world=bee.world, uai=bee.uai),
            "exchanges": entsim_selectors.exchanges_for(world=bee.world, system="siecle")[:20],
        },
        menu="exportations",
        title="Exportations",
    )


@write_required
@require_POST
def export_xml(request: HttpRequest, world_slug: str) -> HttpResponse:
    """Exportations > En XML, for the year chosen (en cours or en préparation)."""
    bee = _bee(request)
    kind = request.POST.get("fichier", "")
    if kind not in exports.LABELS:
        messages.error(request, "Choisissez un fichier à exporter.")
        return redirect(_url("exportations", request))
    try:
        exchange = exports.xml_export(
            world=bee.world, kind=kind, annee=bee.annee, user=request.user
        )
    except ExchangeRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request,
            f"Export {exchange.filename} réalisé (année {bee.annee_libelle}).",
        )
    return redirect(_url("exportations", request))
