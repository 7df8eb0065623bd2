"""Every read of the timetable software's data (pages, exports, reports); nothing writes here."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from entsim.models import Exchange, World

from .models import (
    Appartenance,
    Base,
    Correspondance,
    Cours,
    Division,
    Eleve,
    EleveOption,
    Enseignant,
    Groupe,
    Importation,
    Matiere,
    Nomenclature,
    Salle,
    Service,
)

STS_KINDS = ("sts_emp",)
ELEVES_KINDS = ("eleves_sans_adresses", "eleves_avec_adresses")


def base_for(*, world: World) -> Base:
    """The software's base; an unsaved one (nothing imported yet) when it was never used."""
    base = Base.objects.filter(world=world).first()
    if base is None:
        base = Base(world=world, uai=world.home.uai if world.home else "")
    return base


def get_or_404(queryset: QuerySet, pk) -> object:
    """One object of the world's queryset by id; 404 for an id of another world or garbage."""
    try:
        return queryset.get(pk=int(pk))
    except (TypeError, ValueError, queryset.model.DoesNotExist) as missing:
        raise Http404("Élément introuvable.") from missing


# --- Dashboard --------------------------------------------------------------------------------


def counts(*, world: World) -> dict[str, int]:
    """What the software holds (world_report and the dashboard)."""
    return {
        "eleves": Eleve.objects.filter(world=world, actif=True).count(),
        "enseignants": Enseignant.objects.filter(world=world).count(),
        "divisions": Division.objects.filter(world=world).count(),
        "groupes": Groupe.objects.filter(world=world).count(),
        "liens": Appartenance.objects.filter(world=world, eleve__actif=True).count(),
    }


def report_counts(world: World) -> dict[str, int]:
    """The registry's reporter (world_report)."""
    return counts(world=world)


def latest_exchange(*, world: World, kinds: tuple[str, ...]) -> Exchange | None:
    """The last file of these kinds sent to the software."""
    return (
        Exchange.objects.filter(world=world, kind__in=kinds, target="edt")
        .order_by("-deposited_at", "-id")
        .first()
    )


def imports_recent(*, world: World, kind: str | None = None, limit: int = 10):
    rows = Importation.objects.filter(world=world).select_related("exchange")
    if kind:
        rows = rows.filter(kind=kind)
    return rows[:limit]


def last_import(*, world: World, kind: str) -> Importation | None:
    return Importation.objects.filter(world=world, kind=kind).select_related("exchange").first()


def correspondances_pending_count(*, world: World) -> int:
    return Correspondance.objects.filter(world=world, ignoree=False).count()


def exports_recent(*, world: World, limit: int = 20) -> QuerySet[Exchange]:
    return Exchange.objects.filter(world=world, source="edt").order_by("-deposited_at", "-id")[
        :limit
    ]


# --- Matching ---------------------------------------------------------------------------------


@dataclass
class MatchingKind:
    kind: str
    label: str
    pending: list[Correspondance] = field(default_factory=list)
    unmatched: list = field(default_factory=list)  # EDT objects without STS code


def matching(*, world: World) -> list[MatchingKind]:
    """Per kind: STS items waiting for a match, and the software's items matched to nothing."""
    kinds = {
        Correspondance.Kind.MATIERE: MatchingKind("matiere", "Matières"),
        Correspondance.Kind.ENSEIGNANT: MatchingKind("enseignant", "Enseignants"),
        Correspondance.Kind.DIVISION: MatchingKind("division", "Divisions"),
    }
    for row in Correspondance.objects.filter(world=world):
        kinds[row.kind].pending.append(row)
    kinds[Correspondance.Kind.MATIERE].unmatched = list(
        Matiere.objects.filter(world=world, sts_code="")
    )
    kinds[Correspondance.Kind.ENSEIGNANT].unmatched = list(
        Enseignant.objects.filter(world=world, sts_id="")
    )
    kinds[Correspondance.Kind.DIVISION].unmatched = list(
        Division.objects.filter(world=world, sts_code="")
    )
    return list(kinds.values())


def unmatched_objects(*, world: World, kind: str) -> QuerySet:
    model = {"matiere": Matiere, "enseignant": Enseignant, "division": Division}[kind]
    field_name = "sts_id" if kind == "enseignant" else "sts_code"
    return model.objects.filter(world=world, **{field_name: ""})


# --- Structure --------------------------------------------------------------------------------


def divisions(*, world: World) -> QuerySet[Division]:
    return Division.objects.filter(world=world)


def divisions_with_counts(*, world: World) -> QuerySet[Division]:
    return Division.objects.filter(world=world).annotate(
        nb_eleves=Count("eleves", filter=Q(eleves__actif=True))
    )


def groupes(*, world: World) -> QuerySet[Groupe]:
    return Groupe.objects.filter(world=world)


def groupes_list(*, world: World) -> QuerySet[Groupe]:
    return (
        Groupe.objects.filter(world=world)
        .annotate(effectif=Count("appartenances", filter=Q(appartenances__eleve__actif=True)))
        .prefetch_related(Prefetch("divisions", queryset=Division.objects.order_by("code")))
    )


def groupe_membres(*, world: World, groupe: Groupe) -> QuerySet[Eleve]:
    return (
        Eleve.objects.filter(world=world, appartenances__groupe=groupe)
        .select_related("division")
        .order_by("division__code", "nom", "prenom")
    )


def eleves_candidats(*, world: World, groupe: Groupe) -> QuerySet[Eleve]:
    """Pupils of the group's divisions (all pupils when it has none) not yet in it."""
    pupils = Eleve.objects.filter(world=world, actif=True).exclude(appartenances__groupe=groupe)
    division_ids = [d.pk for d in groupe.divisions.all()]
    if division_ids:
        pupils = pupils.filter(division_id__in=division_ids)
    return pupils.select_related("division").order_by("division__code", "nom", "prenom")


def option_choices(*, world: World, division_ids: list[int] | None = None) -> list[tuple[str, str]]:
    """(subject code, label with the number of pupils) of the options pupils take."""
    options = EleveOption.objects.filter(world=world, eleve__actif=True)
    if division_ids:
        options = options.filter(eleve__division_id__in=division_ids)
    totals = dict(
        options.values_list("code_matiere").annotate(n=Count("eleve", distinct=True)).order_by()
    )
    labels = matiere_labels(world=world, codes=set(totals))
    return [
        (code, f"{labels.get(code, code)} ({code}) — {totals[code]} élève(s)")
        for code in sorted(totals, key=lambda c: labels.get(c, c))
    ]


def matiere_labels(*, world: World, codes: set[str]) -> dict[str, str]:
    return dict(
        Matiere.objects.filter(world=world, sts_code__in=codes).values_list("sts_code", "libelle")
    )


# --- Pupils -----------------------------------------------------------------------------------


def eleves_de_division(*, world: World, division: Division | None) -> QuerySet[Eleve]:
    pupils = Eleve.objects.filter(world=world)
    pupils = pupils.filter(division=division) if division else pupils.filter(division__isnull=True)
    return pupils.order_by("nom", "prenom").prefetch_related(
        Prefetch("groupes", queryset=Groupe.objects.order_by("code")),
        Prefetch("options", queryset=EleveOption.objects.order_by("num_option")),
    )


def eleve_detail(*, world: World, pk) -> Eleve:
    queryset = (
        Eleve.objects.filter(world=world)
        .select_related("division")
        .prefetch_related(
            Prefetch("groupes", queryset=Groupe.objects.order_by("code")),
            Prefetch("options", queryset=EleveOption.objects.order_by("num_option")),
        )
    )
    return get_or_404(queryset, pk)


# --- Services and timetable -------------------------------------------------------------------


def services_of(*, world: World, division=None, groupe=None, enseignant=None) -> QuerySet[Service]:
    services = Service.objects.filter(world=world)
    if division is not None:
        services = services.filter(
            Q(division=division) | Q(groupe__liens_divisions__division=division)
        ).distinct()
    if groupe is not None:
        services = services.filter(groupe=groupe)
    if enseignant is not None:
        services = services.filter(liens_enseignants__enseignant=enseignant)
    return (
        services.select_related("matiere", "division", "groupe")
        .prefetch_related(Prefetch("enseignants", queryset=Enseignant.objects.order_by("nom")))
        .order_by("division__code", "groupe__code", "matiere__libelle")
    )


def cours_of(*, world: World, division=None, groupe=None, enseignant=None) -> QuerySet[Cours]:
    courses = Cours.objects.filter(world=world)
    if division is not None:
        courses = courses.filter(
            Q(service__division=division) | Q(service__groupe__liens_divisions__division=division)
        ).distinct()
    if groupe is not None:
        courses = courses.filter(service__groupe=groupe)
    if enseignant is not None:
        courses = courses.filter(enseignant=enseignant)
    return courses.select_related(
        "service__matiere", "service__division", "service__groupe", "enseignant", "salle"
    ).order_by("jour", "heure_debut")


@dataclass
class Grid:
    """The week: hour rows × day columns, each cell the courses starting in that hour."""

    days: list[tuple[int, str]]
    rows: list[tuple[dt.time, list[list[Cours]]]]


def grid(courses: list[Cours]) -> Grid:
    days = [(value, label) for value, label in Cours.Jour.choices]
    if not any(c.jour == Cours.Jour.SAMEDI for c in courses):
        days = days[:5]
    hours = list(range(8, 18))
    for course in courses:
        if course.heure_debut.hour not in hours:
            hours.append(course.heure_debut.hour)
    cells: dict[tuple[int, int], list[Cours]] = defaultdict(list)
    for course in courses:
        cells[(course.heure_debut.hour, course.jour)].append(course)
    rows = [
        (dt.time(hour), [cells.get((hour, day), []) for day, _ in days]) for hour in sorted(hours)
    ]
    return Grid(days=days, rows=rows)


def enseignants(*, world: World) -> QuerySet[Enseignant]:
    return Enseignant.objects.filter(world=world)


def matieres(*, world: World) -> QuerySet[Matiere]:
    return Matiere.objects.filter(world=world)


def salles(*, world: World) -> QuerySet[Salle]:
    return Salle.objects.filter(world=world)


def mods_cours(*, world: World) -> list[tuple[str, str]]:
    rows = Nomenclature.objects.filter(world=world, kind=Nomenclature.Kind.MOD_COURS)
    found = [(row.code, f"{row.code} — {row.libelle_long or row.libelle_court}") for row in rows]
    if not any(code == "CG" for code, _ in found):
        found.insert(0, ("CG", "CG — cours général"))
    return found


# --- Exports ----------------------------------------------------------------------------------


@dataclass
class ExportData:
    """Everything the exports write, loaded in a fixed number of queries."""

    base: Base
    divisions: list[Division]
    groupes: list[Groupe]
    services: list[Service]
    courses_by_service: dict[int, list[Cours]]


def export_data(*, world: World, base: Base) -> ExportData:
    services = list(
        Service.objects.filter(world=world)
        .select_related("matiere", "division", "groupe")
        .prefetch_related(
            Prefetch("liens_enseignants", queryset=_service_teachers()),
        )
        .order_by("id")
    )
    courses: dict[int, list[Cours]] = defaultdict(list)
    for course in (
        Cours.objects.filter(world=world)
        .select_related("salle", "enseignant")
        .order_by("jour", "heure_debut")
    ):
        courses[course.service_id].append(course)
    return ExportData(
        base=base,
        divisions=list(Division.objects.filter(world=world).order_by("code")),
        groupes=list(
            Groupe.objects.filter(world=world)
            .prefetch_related(Prefetch("divisions", queryset=Division.objects.order_by("code")))
            .order_by("code")
        ),
        services=services,
        courses_by_service=courses,
    )


def _service_teachers():
    from .models import ServiceEnseignant

    return ServiceEnseignant.objects.select_related("enseignant").order_by("id")


def eleves_en_groupe(*, world: World) -> QuerySet[Eleve]:
    """Active pupils in at least one group, each with their memberships (ELEGROUPE)."""
    return (
        Eleve.objects.filter(world=world, actif=True, appartenances__isnull=False)
        .distinct()
        .order_by("nom", "prenom", "siecle_id")
        .prefetch_related(
            Prefetch(
                "appartenances",
                queryset=Appartenance.objects.select_related("groupe").order_by("groupe__code"),
            )
        )
    )
