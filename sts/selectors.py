"""Every read of STS-web's data: pages, exports, training checks and (later) the AAF."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet

from entsim import nomenclatures as nom
from entsim import timeline
from entsim.formats import emp_sts, structure_codes
from entsim.models import Exchange, World

from .models import (
    Change,
    Division,
    EdtImport,
    Export,
    Group,
    NomenclatureEntry,
    NomenclatureRequest,
    SchoolYear,
    Service,
    ServiceTeacher,
    StsEstablishment,
    Teacher,
)

OPEN_STATES = (SchoolYear.State.EN_COURS, SchoolYear.State.EN_PREPARATION)
CURRENT = "en_cours"
PREPARATION = "en_preparation"


def today(world: World) -> dt.date:
    return timeline.local(world.now()).date()


# --- Years -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StsContext:
    """The home establishment, its open years and the one the user works in."""

    establishment: StsEstablishment
    current: SchoolYear | None
    preparation: SchoolYear | None
    selected: SchoolYear

    @property
    def in_preparation(self) -> bool:
        return self.selected.state == SchoolYear.State.EN_PREPARATION


def open_years(*, world: World, uai: str | None = None) -> list[SchoolYear]:
    """The open years (en cours, en préparation) of the home establishment, or of `uai`."""
    years = SchoolYear.objects.filter(world=world, state__in=OPEN_STATES).select_related(
        "establishment"
    )
    if uai is None:
        years = years.filter(establishment__is_home=True)
    else:
        years = years.filter(establishment__uai=uai)
    return list(years.order_by("year"))


def context_for(*, world: World, choice: str | None = None) -> StsContext | None:
    """None when STS-web holds nothing for this world (not seeded)."""
    years = open_years(world=world)
    if not years:
        return None
    current = next((y for y in years if y.state == SchoolYear.State.EN_COURS), None)
    preparation = next((y for y in years if y.state == SchoolYear.State.EN_PREPARATION), None)
    if choice == PREPARATION and preparation is not None:
        selected = preparation
    else:
        selected = current or preparation
    return StsContext(
        establishment=years[0].establishment,
        current=current,
        preparation=preparation,
        selected=selected,
    )


def year_for_exchange(*, world: World) -> SchoolYear | None:
    """The year the command line works in: the year in preparation if any, else the current."""
    years = open_years(world=world)
    preparation = [y for y in years if y.state == SchoolYear.State.EN_PREPARATION]
    current = [y for y in years if y.state == SchoolYear.State.EN_COURS]
    return (preparation or current or [None])[0]


def year_get(*, world: World, year: int, uai: str | None = None) -> SchoolYear | None:
    return next((y for y in open_years(world=world, uai=uai) if y.year == year), None)


def establishments_with_year(*, world: World) -> list[tuple[StsEstablishment, SchoolYear]]:
    """Every establishment STS-web holds, with its year in progress (the AAF extracts these)."""
    years = (
        SchoolYear.objects.filter(world=world, state=SchoolYear.State.EN_COURS)
        .select_related("establishment")
        .order_by("-establishment__is_home", "establishment__uai")
    )
    return [(y.establishment, y) for y in years]


# --- Teachers ----------------------------------------------------------------------------------


def covering(year: SchoolYear) -> Q:
    """Teachers whose affectation covers part of the school year."""
    return Q(start_date__lte=year.date_fin) & (
        Q(end_date__isnull=True) | Q(end_date__gte=year.date_debut)
    )


def active_on(day: dt.date) -> Q:
    """Assignments still running on `day` (a suppléance ends with its dates)."""
    return Q(end_date__isnull=True) | Q(end_date__gte=day)


def teachers_of_year(*, year: SchoolYear, include_sup: bool = False) -> QuerySet[Teacher]:
    teachers = Teacher.objects.filter(
        world_id=year.world_id, establishment_id=year.establishment_id
    ).filter(covering(year))
    if not include_sup:
        teachers = teachers.exclude(replacement=Teacher.Replacement.SUP)
    return teachers


def ressources(*, year: SchoolYear, query: str = "", discipline: str = "") -> QuerySet[Teacher]:
    """'Ressources': the staff of the year (suppléants are not listed here), with their hours."""
    teachers = teachers_of_year(year=year)
    if query:
        teachers = teachers.filter(Q(nom_usage__icontains=query) | Q(prenom__icontains=query))
    if discipline:
        teachers = teachers.filter(discipline_code=discipline)
    return (
        teachers.select_related("replaces")
        .annotate(nb_services=Count("assignments", filter=Q(assignments__service__year=year)))
        .order_by("nom_usage", "prenom", "sts_id")
    )


def teacher_get(*, year: SchoolYear, pk: int, include_sup: bool = False) -> Teacher:
    return teachers_of_year(year=year, include_sup=include_sup).get(pk=pk)


def teachers_with_services(*, year: SchoolYear) -> QuerySet[Teacher]:
    """Teachers of the year who hold at least one service (Changement de support)."""
    return (
        teachers_of_year(year=year, include_sup=True)
        .filter(assignments__service__year=year)
        .distinct()
    )


@dataclass(frozen=True)
class SupportRow:
    """One service of the teacher to replace (Services et ARE - Changement de support)."""

    assignment: ServiceTeacher
    label: str
    hours: Decimal
    teacher_hours: Decimal


def teacher_assignments(*, year: SchoolYear, teacher: Teacher) -> list[SupportRow]:
    assignments = (
        ServiceTeacher.objects.filter(service__year=year, teacher=teacher)
        .select_related("service__division", "service__group")
        .order_by("service__division__code", "service__group__code", "service__subject_code")
    )
    return [
        SupportRow(
            assignment=a,
            label=service_label(a.service),
            hours=a.service.hours,
            teacher_hours=a.hours,
        )
        for a in assignments
    ]


def service_label(service: Service) -> str:
    subject = nom.SUBJECTS.get(service.subject_code)
    name = subject.code_gestion if subject else service.subject_code
    mod = "" if service.mod_cours == "CG" else f" {service.mod_cours}"
    return f"{service.structure_code} {name}{mod}"


@dataclass(frozen=True)
class SuppleantRow:
    """One line of Services suppléants - Saisie rapide."""

    teacher: Teacher
    nb_services: int
    discipline: str
    replaced: Teacher | None


def suppleants(*, year: SchoolYear, world: World) -> list[SuppleantRow]:
    day = today(world)
    teachers = (
        teachers_of_year(year=year, include_sup=True)
        .filter(replacement=Teacher.Replacement.SUP)
        .select_related("replaces", "establishment")
        .annotate(
            nb=Count(
                "assignments",
                filter=Q(assignments__service__year=year)
                & (Q(assignments__end_date__isnull=True) | Q(assignments__end_date__gte=day)),
            )
        )
        .order_by("nom_usage", "prenom", "sts_id")
    )
    return [
        SuppleantRow(
            teacher=t,
            nb_services=t.nb,
            discipline=discipline_short(t.discipline_code),
            replaced=t.replaces,
        )
        for t in teachers
    ]


def discipline_short(code: str) -> str:
    discipline = nom.DISCIPLINES.get(code)
    return discipline.libelle_court if discipline else code


# --- Structure ---------------------------------------------------------------------------------


def divisions(*, year: SchoolYear, query: str = "") -> QuerySet[Division]:
    found = Division.objects.filter(year=year)
    if query:
        found = found.filter(Q(code__icontains=query) | Q(libelle_long__icontains=query))
    return found.annotate(
        nb_services=Count("services", distinct=True), nb_groups=Count("groups", distinct=True)
    ).order_by("code")


def groups(*, year: SchoolYear, query: str = "") -> QuerySet[Group]:
    found = Group.objects.filter(year=year)
    if query:
        found = found.filter(Q(code__icontains=query) | Q(libelle_long__icontains=query))
    return (
        found.annotate(nb_services=Count("services"))
        .prefetch_related(Prefetch("divisions", queryset=Division.objects.order_by("code")))
        .order_by("code")
    )


def division_get(*, year: SchoolYear, pk: int) -> Division:
    return Division.objects.annotate(
        nb_services=Count("services", distinct=True), nb_groups=Count("groups", distinct=True)
    ).get(year=year, pk=pk)


def group_get(*, year: SchoolYear, pk: int) -> Group:
    return (
        Group.objects.annotate(nb_services=Count("services"))
        .prefetch_related("divisions")
        .get(year=year, pk=pk)
    )


def division_choices(*, year: SchoolYear) -> list[tuple[int, str]]:
    return [
        (pk, f"{code} — {libelle}")
        for pk, code, libelle in Division.objects.filter(year=year)
        .order_by("code")
        .values_list("pk", "code", "libelle_long")
    ]


def structure_counts(*, year: SchoolYear) -> dict[str, int]:
    return {
        "divisions": Division.objects.filter(year=year).count(),
        "groupes": Group.objects.filter(year=year).count(),
        "services": Service.objects.filter(year=year).count(),
    }


def services(*, year: SchoolYear, structure: str = "") -> QuerySet[Service]:
    found = Service.objects.filter(year=year)
    if structure:
        found = found.filter(Q(division__code=structure) | Q(group__code=structure))
    return (
        found.select_related("division", "group")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=ServiceTeacher.objects.select_related("teacher", "replaced").order_by(
                    "id"
                ),
            )
        )
        .order_by("division__code", "group__code", "subject_code", "id")
    )


# --- Nomenclatures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NomenclatureState:
    received: bool
    profiled: bool
    counts: dict[str, dict[str, int]]  # kind -> {"recues", "selectionnees", "profilees"}


def nomenclature_state(*, year: SchoolYear) -> NomenclatureState:
    rows = (
        NomenclatureEntry.objects.filter(year=year)
        .values("kind")
        .annotate(
            total=Count("id"),
            selected=Count("id", filter=Q(selected=True)),
            profiled=Count("id", filter=Q(profiled=True)),
        )
        .order_by()
    )
    counts = {
        kind: {"recues": 0, "selectionnees": 0, "profilees": 0}
        for kind in NomenclatureEntry.Kind.values
    }
    for row in rows:
        counts[row["kind"]] = {
            "recues": row["total"],
            "selectionnees": row["selected"],
            "profilees": row["profiled"],
        }
    received = any(c["recues"] for c in counts.values())
    profiled = any(c["profilees"] for c in counts.values())
    return NomenclatureState(received=received, profiled=profiled, counts=counts)


def nomenclature_entries(*, year: SchoolYear) -> QuerySet[NomenclatureEntry]:
    return NomenclatureEntry.objects.filter(year=year).order_by("kind", "code")


def profiled_codes(*, year: SchoolYear, kind: str) -> list[tuple[str, str]]:
    """(code, label) of the profiled nomenclature of one kind (what the forms offer)."""
    return list(
        NomenclatureEntry.objects.filter(year=year, kind=kind, profiled=True)
        .order_by("code")
        .values_list("code", "libelle_long")
    )


def nomenclature_requests(*, world: World, user, see_all: bool) -> QuerySet[NomenclatureRequest]:
    found = NomenclatureRequest.objects.filter(world=world).select_related(
        "requested_by", "year__establishment"
    )
    if not see_all:
        found = found.filter(requested_by=user)
    return found


# --- Journal, imports, exports -----------------------------------------------------------------


def pending_changes(*, year: SchoolYear) -> QuerySet[Change]:
    """Changes made directly in STS-web to groups and services that no import has erased yet."""
    return Change.objects.filter(year=year, overwritten_by__isnull=True).select_related("by")


def last_import(*, year: SchoolYear) -> EdtImport | None:
    return EdtImport.objects.filter(year=year).select_related("exchange").first()


def imports(*, world: World) -> QuerySet[EdtImport]:
    return EdtImport.objects.filter(world=world).select_related("year", "exchange", "by")


def edt_files_waiting(*, world: World) -> QuerySet[Exchange]:
    """Files of the EDT software handed to STS-web and not imported yet."""
    return Exchange.objects.filter(
        world=world, kind="emp_sts", target="sts", state=Exchange.State.DEPOSITED
    ).order_by("-deposited_at", "-id")


def edt_exchange_get(*, world: World, pk: int) -> Exchange:
    return Exchange.objects.get(world=world, pk=pk, kind="emp_sts", target="sts")


def exports(*, world: World, year: SchoolYear | None = None) -> QuerySet[Export]:
    found = Export.objects.filter(world=world).select_related("exchange", "year", "by")
    if year is not None:
        found = found.filter(year=year)
    return found.order_by("-at", "-id")


@dataclass(frozen=True)
class ExportRow:
    kind: str
    year: int
    at: dt.datetime
    exchange_id: int | None
    after_structure: bool | None


def export_history(*, world: World, year: int | None = None) -> list[ExportRow]:
    """Every export of the home establishment, oldest first (training checks read this)."""
    found = Export.objects.filter(world=world, year__establishment__is_home=True)
    if year is not None:
        found = found.filter(year__year=year)
    return [
        ExportRow(
            kind=kind, year=y, at=at, exchange_id=exchange_id, after_structure=after_structure
        )
        for kind, y, at, exchange_id, after_structure in found.order_by("at", "id").values_list(
            "kind", "year__year", "at", "exchange_id", "after_structure"
        )
    ]


def exports_in_order(world: World, *, year: int | None = None) -> bool:
    """Guide 2.9: 'un export des structures puis des services'.

    True when services were exported at least once and every services export came after a
    structure export of the same year; False otherwise (no services export yet, or one made
    before any structure export).
    """
    history = export_history(world=world, year=year)
    services_rows = [row for row in history if row.kind == Export.Kind.SERVICES]
    return bool(services_rows) and all(row.after_structure for row in services_rows)


# --- Whole year, for the files -----------------------------------------------------------------


@dataclass
class YearData:
    """What the STS files of a year carry, read in a handful of queries."""

    world: World
    year: SchoolYear
    establishment: StsEstablishment
    divisions: list[Division]
    groups: list[Group]
    group_divisions: dict[int, list[str]]  # group pk -> division codes
    services: list[Service]
    service_teachers: dict[int, list[ServiceTeacher]]  # service pk -> active assignments
    teachers: list[Teacher]  # INDIVIDUS (not suppléants)
    suppleants: list[Teacher]
    principals: dict[int, list[str]]  # teacher pk -> division codes
    nomenclatures: list[NomenclatureEntry]  # profiled
    division_mef: dict[str, str] = field(default_factory=dict)


def year_data(*, world: World, year: SchoolYear, day: dt.date | None = None) -> YearData:
    day = day or today(world)
    division_list = list(Division.objects.filter(year=year).order_by("code"))
    group_list = list(Group.objects.filter(year=year).order_by("code"))
    by_pk = {d.pk: d.code for d in division_list}
    group_divisions: dict[int, list[str]] = defaultdict(list)
    for group_id, division_id in Group.divisions.through.objects.filter(
        group__year=year
    ).values_list("group_id", "division_id"):
        group_divisions[group_id].append(by_pk[division_id])
    for codes in group_divisions.values():
        codes.sort()
    service_list = list(
        Service.objects.filter(year=year)
        .select_related("division", "group")
        .order_by("division__code", "group__code", "subject_code", "mod_cours", "id")
    )
    service_teachers: dict[int, list[ServiceTeacher]] = defaultdict(list)
    for assignment in (
        ServiceTeacher.objects.filter(service__year=year)
        .filter(active_on(day))
        .select_related("teacher")
        .order_by("teacher__sts_id")
    ):
        service_teachers[assignment.service_id].append(assignment)
    staff = list(teachers_of_year(year=year, include_sup=True).order_by("sts_id"))
    principals: dict[int, list[str]] = defaultdict(list)
    for division in division_list:
        if division.prof_principal_id:
            principals[division.prof_principal_id].append(division.code)
    entries = list(
        NomenclatureEntry.objects.filter(year=year, profiled=True).order_by("kind", "code")
    )
    return YearData(
        world=world,
        year=year,
        establishment=year.establishment,
        divisions=division_list,
        groups=group_list,
        group_divisions=dict(group_divisions),
        services=service_list,
        service_teachers=dict(service_teachers),
        teachers=[t for t in staff if t.replacement != Teacher.Replacement.SUP],
        suppleants=[t for t in staff if t.replacement == Teacher.Replacement.SUP],
        principals=dict(principals),
        nomenclatures=entries,
        division_mef={d.code: d.mef_code for d in division_list},
    )


def teachers_services(*, world: World, year: SchoolYear) -> dict[int, list[tuple[str, str]]]:
    """For the AAF: STS id -> [(structure code, subject code)] of the services they hold."""
    result: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = (
        ServiceTeacher.objects.filter(service__year=year)
        .filter(active_on(today(world)))
        .values_list(
            "teacher__sts_id",
            "service__division__code",
            "service__group__code",
            "service__subject_code",
        )
        .order_by("teacher__sts_id", "service__division__code", "service__group__code")
    )
    for sts_id, division_code, group_code, subject in rows:
        result[sts_id].append((division_code or group_code, subject))
    return dict(result)


# --- Import > Emploi du temps: what the file would replace ------------------------------------


@dataclass
class PlannedGroup:
    code: str
    libelle_long: str
    effectif_prevu: int | None
    divisions: list[str]


@dataclass
class PlannedService:
    structure: str  # "division" | "group"
    code: str
    subject_code: str
    mod_cours: str
    hours: Decimal
    co_ens: bool
    teachers: list[tuple[int, Decimal]]  # (Teacher pk, HEURES_AGENT)


@dataclass
class ImportPlan:
    """What 'Import > Emploi du temps' will do to the year (annule et remplace)."""

    year: SchoolYear
    groups: list[PlannedGroup]
    services: list[PlannedService]
    rejected_groups: list[str]
    rejected_services: list[str]
    warnings: list[str]
    groups_replaced: int
    services_replaced: int
    changes_lost: list[Change]

    def report(self) -> dict:
        return {
            "groupes importés": len(self.groups),
            "services importés": len(self.services),
            "groupes rejetés": list(self.rejected_groups),
            "services rejetés": list(self.rejected_services),
            "avertissements": list(self.warnings),
            "groupes remplacés": self.groups_replaced,
            "services remplacés": self.services_replaced,
            "modifications STS écrasées": [str(change) for change in self.changes_lost],
        }


MIN_HOURS = Decimal(0)
MAX_HOURS = Decimal(100)


def _hours(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def import_plan(*, year: SchoolYear, doc: emp_sts.EmpSts) -> ImportPlan:
    """Read the EDT file against STS-web: groups with a refused name are rejected one by one."""
    division_codes = dict(Division.objects.filter(year=year).values_list("code", "pk"))
    teacher_pks = {
        str(sts_id): pk
        for sts_id, pk in teachers_of_year(year=year, include_sup=True).values_list("sts_id", "pk")
    }
    known_subjects = set(nom.SUBJECTS) | set(
        NomenclatureEntry.objects.filter(
            year=year, kind=NomenclatureEntry.Kind.MATIERE
        ).values_list("code", flat=True)
    )
    known_mods = set(nom.MODS_COURS) | set(
        NomenclatureEntry.objects.filter(
            year=year, kind=NomenclatureEntry.Kind.MOD_COURS
        ).values_list("code", flat=True)
    )
    plan = ImportPlan(
        year=year,
        groups=[],
        services=[],
        rejected_groups=[],
        rejected_services=[],
        warnings=[],
        groups_replaced=Group.objects.filter(year=year).count(),
        services_replaced=Service.objects.filter(year=year).count(),
        changes_lost=list(pending_changes(year=year)),
    )
    unknown_teachers: set[str] = set()

    def plan_services(kind: str, code: str, services: tuple[emp_sts.Service, ...]) -> None:
        for service in services:
            where = f"{'division' if kind == 'division' else 'groupe'} {code}"
            if service.code_matiere not in known_subjects:
                plan.rejected_services.append(
                    f"{where}, matière {service.code_matiere} : matière inconnue de STS-web"
                )
                continue
            if service.code_mod_cours not in known_mods:
                plan.rejected_services.append(
                    f"{where}, matière {service.code_matiere} : modalité de cours "
                    f"{service.code_mod_cours} inconnue de STS-web"
                )
                continue
            hours_given = [service.heures_structure] + [t.heures_agent for t in service.enseignants]
            if any(h is not None and not MIN_HOURS <= h < MAX_HOURS for h in hours_given):
                plan.rejected_services.append(
                    f"{where}, matière {service.code_matiere} : nombre d'heures invalide"
                )
                continue
            teachers = []
            for teacher in service.enseignants:
                pk = teacher_pks.get(teacher.id)
                if pk is None:
                    unknown_teachers.add(teacher.id)
                    continue
                teachers.append((pk, _hours(teacher.heures_agent or Decimal(0))))
            hours = service.heures_structure
            if hours is None:
                hours = sum((h for _, h in teachers), Decimal(0))
            hours = _hours(hours)
            plan.services.append(
                PlannedService(
                    structure=kind,
                    code=code,
                    subject_code=service.code_matiere,
                    mod_cours=service.code_mod_cours,
                    hours=hours,
                    co_ens=bool(service.co_ens),
                    teachers=teachers,
                )
            )

    for division in doc.donnees.structure.divisions:
        if division.code not in division_codes:
            for service in division.services:
                plan.rejected_services.append(
                    f"division {division.code}, matière {service.code_matiere} : "
                    "division inconnue de STS-web"
                )
            continue
        plan_services("division", division.code, division.services)

    seen: set[str] = set()
    for group in doc.donnees.structure.groupes:
        problem = structure_codes.code_problem(group.code) or structure_codes.libelle_problem(
            group.libelle_long or group.code
        )
        if problem is None and group.code in seen:
            problem = "groupe en double dans le fichier"
        if problem is None and group.code in division_codes:
            problem = "ce code est déjà celui d'une division"
        if problem is not None:
            plan.rejected_groups.append(f"{group.code} : {problem}")
            if group.services:
                plan.rejected_services.append(
                    f"groupe {group.code} : {len(group.services)} service(s) non importé(s), "
                    "le groupe est rejeté"
                )
            continue
        seen.add(group.code)
        links = []
        for link in group.divisions_appartenance:
            if link.code in division_codes:
                links.append(link.code)
            else:
                plan.warnings.append(
                    f"groupe {group.code} : division d'appartenance {link.code} inconnue, "
                    "lien ignoré"
                )
        effectif = group.effectif_prevu
        plan.groups.append(
            PlannedGroup(
                code=group.code,
                libelle_long=group.libelle_long or group.code,
                effectif_prevu=effectif if effectif is not None and 0 <= effectif < 1000 else None,
                divisions=sorted(set(links)),
            )
        )
        plan_services("group", group.code, group.services)

    for sts_id in sorted(unknown_teachers):
        plan.warnings.append(
            f"enseignant {sts_id} inconnu de STS-web pour {year.label} : "
            "ses services sont importés sans lui"
        )
    return plan


# --- World report --------------------------------------------------------------------------------


def report_counts(world: World) -> dict:
    """world_report: what STS-web holds for the home establishment in the year in progress."""
    years = open_years(world=world)
    current = next((y for y in years if y.state == SchoolYear.State.EN_COURS), None)
    preparation = next((y for y in years if y.state == SchoolYear.State.EN_PREPARATION), None)
    counts: dict = {"enseignants": 0, "divisions": 0, "groupes": 0}
    if current is not None:
        counts["enseignants"] = (
            teachers_of_year(year=current, include_sup=True).filter(fonction="ENS").count()
        )
        counts["divisions"] = Division.objects.filter(year=current).count()
        counts["groupes"] = Group.objects.filter(year=current).count()
    counts["annee_en_preparation"] = preparation.label if preparation else None
    return counts
