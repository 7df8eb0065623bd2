"""Every write of STS-web: `<noun>_<verb>(*, world, ...)`, keyword-only, in a transaction.

Refusals raise `StsError` with the reason in French, before anything is written.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count

from entsim import nomenclatures as nom
from entsim import timeline
from entsim.bulk import rows_insert
from entsim.formats import structure_codes
from entsim.models import Exchange, World
from entsim.registry import ExchangeRefused
from entsim.services.exchanges import (
    exchange_content,
    exchange_record,
    exchange_schedule_delivery,
    exchange_settle,
)

from . import exchanges, selectors
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

BATCH = 1000
NOMENCLATURE_RECIPIENT = "Service académique des nomenclatures (académie {name})"
BASCULE_WARNING = (
    "Conseil : Eviter la reconduction des services et des groupes d'une année sur l'autre ; "
    "Mieux vaut ne basculer que les divisions."
)


class StsError(Exception):
    """A refused operation; the message (French) is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _user(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def _log(*, world: World, year: SchoolYear, kind: str, label: str, user=None) -> Change:
    return Change.objects.create(
        world=world, year=year, kind=kind, label=label[:300], at=world.now(), by=_user(user)
    )


def _require_open(year: SchoolYear) -> None:
    if year.state not in selectors.OPEN_STATES:
        raise StsError(f"L'année {year.label} est close : elle ne se modifie plus.")


# --- Seeding -----------------------------------------------------------------------------------


def sts_seed(world: World) -> None:
    """STS-web as it stands when the world opens: the year in progress of every establishment
    (divisions, groups, staff with supports and disciplines, services), no year in preparation.

    Replacement teachers (REP, SUP) who arrive after the clock start are not there yet: the
    calendar brings them (`teacher_arrival`).
    """
    from entsim.models import Division as TruthDivision
    from entsim.models import Establishment, Schooling, Staff, TeachingGroup
    from entsim.models import Service as TruthService

    now = world.now()
    year_number = world.school_year(now)
    start_day = timeline.local(now).date()
    truth_establishments = list(Establishment.objects.filter(world=world).order_by("uai"))
    if not truth_establishments:
        return
    establishments = StsEstablishment.objects.bulk_create(
        [
            StsEstablishment(
                world=world,
                uai=e.uai,
                sigle=e.sigle,
                denom_princ=e.name.split(" ", 1)[0],
                denom_compl=e.name.split(" ", 1)[1] if " " in e.name else "",
                code_nature=e.nature_code,
                adresse=e.address,
                commune=e.commune,
                code_postal=e.code_postal,
                telephone=e.telephone,
                is_home=e.is_home,
            )
            for e in truth_establishments
        ]
    )
    est_by_truth = {t.pk: s for t, s in zip(truth_establishments, establishments, strict=True)}
    years = SchoolYear.objects.bulk_create(
        [
            SchoolYear(
                world=world, establishment=e, year=year_number, state=SchoolYear.State.EN_COURS
            )
            for e in establishments
        ]
    )
    year_by_est = {y.establishment_id: y for y in years}

    # Staff: everyone affected, except the replacements still to come.
    staff_rows = list(
        Staff.objects.filter(world=world).values(
            "pk",
            "establishment_id",
            "sts_id",
            "civilite",
            "sex",
            "last_name",
            "birth_name",
            "first_name",
            "birth_date",
            "grade",
            "function",
            "discipline_code",
            "hours",
            "start_date",
            "end_date",
            "replacement",
            "replaces__sts_id",
        )
    )
    staff_rows = [
        s
        for s in staff_rows
        if not (s["replacement"] and s["start_date"] > start_day)
        and (s["end_date"] is None or s["end_date"] >= start_day)
    ]
    rows_insert(
        Teacher,
        (
            "world",
            "establishment",
            "sts_id",
            "civilite",
            "sexe",
            "nom_usage",
            "nom_patronymique",
            "prenom",
            "date_naissance",
            "grade",
            "fonction",
            "discipline_code",
            "hours",
            "start_date",
            "end_date",
            "replacement",
        ),
        (
            (
                world.pk,
                est_by_truth[s["establishment_id"]].pk,
                s["sts_id"],
                s["civilite"],
                s["sex"],
                s["last_name"],
                s["birth_name"],
                s["first_name"],
                s["birth_date"],
                s["grade"],
                s["function"],
                s["discipline_code"],
                s["hours"],
                s["start_date"],
                s["end_date"],
                s["replacement"],
            )
            for s in staff_rows
        ),
    )
    teacher_by_sts = dict(Teacher.objects.filter(world=world).values_list("sts_id", "pk"))
    teacher_by_truth = {s["pk"]: teacher_by_sts[s["sts_id"]] for s in staff_rows}
    replacing = [
        Teacher(pk=teacher_by_sts[s["sts_id"]], replaces_id=teacher_by_sts[s["replaces__sts_id"]])
        for s in staff_rows
        if s["replaces__sts_id"] and s["replaces__sts_id"] in teacher_by_sts
    ]
    if replacing:
        Teacher.objects.bulk_update(replacing, ["replaces"], batch_size=BATCH)

    # Structure of the year in progress.
    year_pks = [y.pk for y in years]
    effectifs = dict(
        Schooling.objects.filter(world=world, school_year=year_number, end_date__isnull=True)
        .values("division_id")
        .annotate(n=Count("id"))
        .values_list("division_id", "n")
        .order_by()
    )
    truth_divisions = list(
        TruthDivision.objects.filter(world=world, school_year=year_number).values(
            "pk", "establishment_id", "code", "label", "mef_code", "prof_principal_id"
        )
    )
    rows_insert(
        Division,
        ("world", "year", "code", "libelle_long", "mef_code", "effectif_prevu", "prof_principal"),
        (
            (
                world.pk,
                year_by_est[est_by_truth[d["establishment_id"]].pk].pk,
                d["code"],
                d["label"],
                d["mef_code"],
                effectifs.get(d["pk"]),
                teacher_by_truth.get(d["prof_principal_id"]),
            )
            for d in truth_divisions
        ),
    )
    division_pk = _pks_by_code(Division, year_pks)
    division_by_truth = {
        d["pk"]: division_pk[(year_by_est[est_by_truth[d["establishment_id"]].pk].pk, d["code"])]
        for d in truth_divisions
    }
    truth_groups = list(
        TeachingGroup.objects.filter(world=world, school_year=year_number).values(
            "pk", "establishment_id", "code", "label"
        )
    )
    group_sizes = dict(
        TeachingGroup.pupils.through.objects.filter(
            teachinggroup__world=world, teachinggroup__school_year=year_number
        )
        .values("teachinggroup_id")
        .annotate(n=Count("id"))
        .values_list("teachinggroup_id", "n")
        .order_by()
    )
    rows_insert(
        Group,
        ("world", "year", "code", "libelle_long", "effectif_prevu"),
        (
            (
                world.pk,
                year_by_est[est_by_truth[g["establishment_id"]].pk].pk,
                g["code"],
                g["label"],
                group_sizes.get(g["pk"]),
            )
            for g in truth_groups
        ),
    )
    group_pk = _pks_by_code(Group, year_pks)
    group_by_truth = {
        g["pk"]: group_pk[(year_by_est[est_by_truth[g["establishment_id"]].pk].pk, g["code"])]
        for g in truth_groups
    }
    rows_insert(
        Group.divisions.through,
        ("group", "division"),
        (
            (group_by_truth[group_id], division_by_truth[division_id])
            for group_id, division_id in TeachingGroup.divisions.through.objects.filter(
                teachinggroup__world=world, teachinggroup__school_year=year_number
            ).values_list("teachinggroup_id", "division_id")
        ),
    )
    truth_services = list(
        TruthService.objects.filter(world=world, school_year=year_number).values(
            "establishment_id",
            "teacher_id",
            "division_id",
            "group_id",
            "subject_code",
            "mod_cours",
            "hours",
        )
    )
    rows_insert(
        Service,
        ("world", "year", "division", "group", "subject_code", "mod_cours", "hours", "co_ens"),
        (
            (
                world.pk,
                year_by_est[est_by_truth[s["establishment_id"]].pk].pk,
                division_by_truth.get(s["division_id"]),
                group_by_truth.get(s["group_id"]),
                s["subject_code"],
                s["mod_cours"],
                s["hours"],
                bool(nom.MODS_COURS.get(s["mod_cours"]) and nom.MODS_COURS[s["mod_cours"]].co_ens),
            )
            for s in truth_services
        ),
    )
    # No natural key: the services' keys in insertion order (auto-increment follows it).
    service_pks = Service.objects.filter(year__in=year_pks).order_by("pk").values_list("pk")
    rows_insert(
        ServiceTeacher,
        ("world", "service", "teacher", "hours"),
        (
            (world.pk, service_pk, teacher_by_truth[s["teacher_id"]], s["hours"])
            for s, (service_pk,) in zip(truth_services, service_pks, strict=True)
            if s["teacher_id"] in teacher_by_truth
        ),
    )

    # The year's nomenclatures were received and profiled long ago.
    used_mefs: dict[int, set[str]] = defaultdict(set)
    for d in truth_divisions:
        used_mefs[est_by_truth[d["establishment_id"]].pk].add(d["mef_code"])
    used_subjects: dict[int, set[str]] = defaultdict(set)
    used_mods: dict[int, set[str]] = defaultdict(set)
    for s in truth_services:
        est = est_by_truth[s["establishment_id"]].pk
        used_subjects[est].add(s["subject_code"])
        used_mods[est].add(s["mod_cours"])
    for est_pk, mefs in used_mefs.items():
        for mef in mefs:
            programme = nom.PROGRAMMES.get(mef)
            if programme is not None:
                used_subjects[est_pk].update(subject for subject, _, _ in programme.lines())
    rows = []
    for est in establishments:
        chosen = {
            NomenclatureEntry.Kind.MEF: used_mefs[est.pk],
            NomenclatureEntry.Kind.MATIERE: used_subjects[est.pk],
            NomenclatureEntry.Kind.MOD_COURS: used_mods[est.pk] or {"CG"},
        }
        rows.extend(_national_entries(world=world, year=year_by_est[est.pk], chosen=chosen))
    # Written as the instances' values (what bulk_create would write), without its compiling.
    fields = [f.attname for f in NomenclatureEntry._meta.concrete_fields if not f.primary_key]
    rows_insert(NomenclatureEntry, fields, ([getattr(r, f) for f in fields] for r in rows))


def _pks_by_code(model, year_pks: list[int]) -> dict[tuple[int, str], int]:
    """(school year pk, code) → primary key, for the divisions and groups of some years."""
    return {
        (year, code): pk
        for year, code, pk in model.objects.filter(year__in=year_pks).values_list(
            "year_id", "code", "pk"
        )
    }


def _national_entries(
    *, world: World, year: SchoolYear, chosen: dict[str, set[str]] | None = None
) -> list[NomenclatureEntry]:
    """The national nomenclatures as STS-web receives them; `chosen` ones selected and profiled."""
    chosen = chosen or {}
    kind = NomenclatureEntry.Kind

    def picked(k: str, code: str) -> bool:
        return code in chosen.get(k, set())

    rows = [
        NomenclatureEntry(
            world=world,
            year=year,
            kind=kind.MEF,
            code=m.code,
            libelle_long=m.libelle_long[:60],
            libelle_edition=m.libelle_edition,
            formation=m.formation,
            mefstat11=m.mefstat11,
            mefstat4=m.mefstat4,
            selected=picked(kind.MEF, m.code),
            profiled=picked(kind.MEF, m.code),
        )
        for m in nom.MEFS.values()
    ]
    rows += [
        NomenclatureEntry(
            world=world,
            year=year,
            kind=kind.MATIERE,
            code=s.code,
            code_gestion=s.code_gestion,
            libelle_court=s.libelle_court,
            libelle_long=s.libelle_long[:60],
            libelle_edition=s.libelle_edition[:80],
            selected=picked(kind.MATIERE, s.code),
            profiled=picked(kind.MATIERE, s.code),
        )
        for s in nom.SUBJECTS.values()
    ]
    rows += [
        NomenclatureEntry(
            world=world,
            year=year,
            kind=kind.MOD_COURS,
            code=m.code,
            libelle_court=m.libelle_court,
            libelle_long=m.libelle_long,
            co_ens=m.co_ens,
            selected=picked(kind.MOD_COURS, m.code),
            profiled=picked(kind.MOD_COURS, m.code),
        )
        for m in nom.MODS_COURS.values()
    ]
    return rows


# --- Calendar: replacement teachers, rentrée ---------------------------------------------------


def teacher_arrival(event) -> None:
    """A REP or a SUP arrives (world calendar): STS-web receives them from the rectorat.

    A REP then appears in Ressources, a SUP in Services suppléants.
    """
    staff = event.staff
    if staff is None:
        return
    world = event.world
    with transaction.atomic():
        establishment = StsEstablishment.objects.filter(
            world=world, uai=staff.establishment.uai
        ).first()
        if establishment is None:
            return
        replaces = None
        if staff.replaces_id is not None:
            replaces = Teacher.objects.filter(world=world, sts_id=staff.replaces.sts_id).first()
        Teacher.objects.update_or_create(
            world=world,
            sts_id=staff.sts_id,
            defaults={
                "establishment": establishment,
                "civilite": staff.civilite,
                "sexe": staff.sex,
                "nom_usage": staff.last_name,
                "nom_patronymique": staff.birth_name,
                "prenom": staff.first_name,
                "date_naissance": staff.birth_date,
                "grade": staff.grade,
                "fonction": staff.function,
                "discipline_code": staff.discipline_code,
                "hours": staff.hours,
                "start_date": staff.start_date,
                "end_date": staff.end_date,
                "replacement": staff.replacement,
                "replaces": replaces,
                "arrived_at": event.at,
            },
        )


def year_rentree(event) -> None:
    """Rentrée (world calendar): the year in preparation becomes the year in progress."""
    world = event.world
    with transaction.atomic():
        preparations = list(
            SchoolYear.objects.select_for_update().filter(
                world=world, state=SchoolYear.State.EN_PREPARATION
            )
        )
        for preparation in preparations:
            SchoolYear.objects.filter(
                establishment_id=preparation.establishment_id,
                state=SchoolYear.State.EN_COURS,
                year__lt=preparation.year,
            ).update(state=SchoolYear.State.CLOSE)
            preparation.state = SchoolYear.State.EN_COURS
            preparation.save(update_fields=["state"])


# --- S1 Bascule --------------------------------------------------------------------------------


@transaction.atomic
def year_bascule(
    *, world: World, establishment: StsEstablishment, carry_over: bool = False, user=None
) -> SchoolYear:
    """From the year in progress, open the year in preparation: divisions by default; groups and
    services too only when `carry_over` (the guide advises against it)."""
    current = (
        SchoolYear.objects.select_for_update()
        .filter(world=world, establishment=establishment, state=SchoolYear.State.EN_COURS)
        .first()
    )
    if current is None:
        raise StsError("Aucune année en cours : la bascule se fait depuis l'année en cours.")
    if SchoolYear.objects.filter(establishment=establishment, year=current.year + 1).exists():
        raise StsError(
            f"La bascule est déjà faite : l'année {current.year + 1}-{current.year + 2} existe."
        )
    new = SchoolYear.objects.create(
        world=world,
        establishment=establishment,
        year=current.year + 1,
        state=SchoolYear.State.EN_PREPARATION,
        opened_at=world.now(),
        bascule=SchoolYear.Bascule.TOUT if carry_over else SchoolYear.Bascule.DIVISIONS,
    )
    staying = set(
        selectors.teachers_of_year(year=new, include_sup=False).values_list("pk", flat=True)
    )
    old_divisions = list(Division.objects.filter(year=current).order_by("code"))
    created = Division.objects.bulk_create(
        [
            Division(
                world=world,
                year=new,
                code=d.code,
                libelle_long=d.libelle_long,
                mef_code=d.mef_code,
                effectif_prevu=d.effectif_prevu,
                prof_principal_id=d.prof_principal_id if d.prof_principal_id in staying else None,
            )
            for d in old_divisions
        ],
        batch_size=BATCH,
    )
    division_map = {old.pk: new_d for old, new_d in zip(old_divisions, created, strict=True)}
    if not carry_over:
        return new
    old_groups = list(Group.objects.filter(year=current).order_by("code"))
    new_groups = Group.objects.bulk_create(
        [
            Group(
                world=world,
                year=new,
                code=g.code,
                libelle_long=g.libelle_long,
                effectif_prevu=g.effectif_prevu,
            )
            for g in old_groups
        ],
        batch_size=BATCH,
    )
    group_map = {old.pk: new_g for old, new_g in zip(old_groups, new_groups, strict=True)}
    Group.divisions.through.objects.bulk_create(
        [
            Group.divisions.through(group_id=group_map[g].pk, division_id=division_map[d].pk)
            for g, d in Group.divisions.through.objects.filter(group__year=current).values_list(
                "group_id", "division_id"
            )
        ],
        batch_size=BATCH,
    )
    old_services = list(Service.objects.filter(year=current).order_by("id"))
    new_services = Service.objects.bulk_create(
        [
            Service(
                world=world,
                year=new,
                division=division_map.get(s.division_id),
                group=group_map.get(s.group_id),
                subject_code=s.subject_code,
                mod_cours=s.mod_cours,
                hours=s.hours,
                co_ens=s.co_ens,
            )
            for s in old_services
        ],
        batch_size=BATCH,
    )
    service_map = {old.pk: new_s for old, new_s in zip(old_services, new_services, strict=True)}
    ServiceTeacher.objects.bulk_create(
        [
            ServiceTeacher(
                world=world,
                service=service_map[a.service_id],
                teacher_id=a.teacher_id,
                hours=a.hours,
            )
            for a in ServiceTeacher.objects.filter(
                service__year=current, origin=ServiceTeacher.Origin.NONE
            )
            if a.teacher_id in staying
        ],
        batch_size=BATCH,
    )
    return new


# --- S2 Nomenclatures --------------------------------------------------------------------------


@transaction.atomic
def nomenclatures_receive(*, world: World, year: SchoolYear) -> int:
    """'Réceptionner les nomenclatures de scolarité': the national codes of the year arrive."""
    _require_open(year)
    existing = set(NomenclatureEntry.objects.filter(year=year).values_list("kind", "code"))
    rows = [
        row
        for row in _national_entries(world=world, year=year)
        if (row.kind, row.code) not in existing
    ]
    NomenclatureEntry.objects.bulk_create(rows, batch_size=BATCH)
    year.nomenclatures_received_at = world.now()
    year.save(update_fields=["nomenclatures_received_at"])
    return len(rows)


@transaction.atomic
def nomenclatures_select(
    *, world: World, year: SchoolYear, mefs: list[str], matieres: list[str], mods_cours: list[str]
) -> int:
    """'Sélectionner les nomenclatures propres à l'établissement'."""
    _require_open(year)
    if not NomenclatureEntry.objects.filter(year=year).exists():
        raise StsError(
            f"Réceptionnez d'abord les nomenclatures de scolarité de l'année {year.label}."
        )
    if not mefs:
        raise StsError("Sélectionnez au moins un MEF.")
    if not matieres:
        raise StsError("Sélectionnez au moins une matière.")
    if not mods_cours:
        raise StsError("Sélectionnez au moins une modalité de cours.")
    kind = NomenclatureEntry.Kind
    entries = NomenclatureEntry.objects.filter(year=year)
    entries.update(selected=False)
    count = 0
    for k, codes in ((kind.MEF, mefs), (kind.MATIERE, matieres), (kind.MOD_COURS, mods_cours)):
        count += entries.filter(kind=k, code__in=codes).update(selected=True)
    return count


@transaction.atomic
def nomenclatures_profile(*, world: World, year: SchoolYear) -> int:
    """'Lancer le profilage': the selected codes become those of the establishment."""
    _require_open(year)
    entries = NomenclatureEntry.objects.filter(year=year)
    if not entries.filter(selected=True).exists():
        raise StsError(
            "Aucune nomenclature sélectionnée : sélectionnez d'abord les MEF, matières et "
            "modalités de cours de l'établissement."
        )
    entries.update(profiled=False)
    count = entries.filter(selected=True).update(profiled=True)
    year.profiled_at = world.now()
    year.save(update_fields=["profiled_at"])
    return count


@transaction.atomic
def nomenclature_request_create(
    *,
    world: World,
    year: SchoolYear,
    kind: str,
    code: str,
    libelle: str,
    message: str,
    user=None,
) -> NomenclatureRequest:
    """'Nomenclature manquante': a message to the académie, recorded and listed."""
    if kind not in NomenclatureEntry.Kind.values:
        raise StsError("Type de nomenclature inconnu.")
    if not libelle.strip() or not message.strip():
        raise StsError("Indiquez le libellé de la nomenclature manquante et votre message.")
    return NomenclatureRequest.objects.create(
        world=world,
        year=year,
        kind=kind,
        code=code.strip(),
        libelle=libelle.strip(),
        message=message.strip(),
        recipient=NOMENCLATURE_RECIPIENT.format(name=world.academie_name),
        requested_by=_user(user),
        requested_at=world.now(),
    )


# --- S3 Structure ------------------------------------------------------------------------------


def _check_structure(
    *, year: SchoolYear, code: str, libelle: str, exclude_division=None, exclude_group=None
) -> None:
    problem = structure_codes.code_problem(code) or structure_codes.libelle_problem(libelle)
    if problem:
        raise StsError(problem[0].upper() + problem[1:] + ".")
    divisions = Division.objects.filter(year=year, code=code)
    if exclude_division is not None:
        divisions = divisions.exclude(pk=exclude_division.pk)
    groups = Group.objects.filter(year=year, code=code)
    if exclude_group is not None:
        groups = groups.exclude(pk=exclude_group.pk)
    if divisions.exists():
        raise StsError(f"Le code « {code} » est déjà celui d'une division de {year.label}.")
    if groups.exists():
        raise StsError(f"Le code « {code} » est déjà celui d'un groupe de {year.label}.")


def _check_mef(year: SchoolYear, mef_code: str) -> None:
    if (
        mef_code
        and mef_code not in nom.MEFS
        and not NomenclatureEntry.objects.filter(
            year=year, kind=NomenclatureEntry.Kind.MEF, code=mef_code
        ).exists()
    ):
        raise StsError(f"MEF inconnu : {mef_code}.")


@transaction.atomic
def division_create(
    *,
    world: World,
    year: SchoolYear,
    code: str,
    libelle_long: str,
    mef_code: str = "",
    effectif_prevu: int | None = None,
) -> Division:
    _require_open(year)
    code, libelle_long = code.strip(), libelle_long.strip()
    _check_structure(year=year, code=code, libelle=libelle_long)
    _check_mef(year, mef_code)
    return Division.objects.create(
        world=world,
        year=year,
        code=code,
        libelle_long=libelle_long,
        mef_code=mef_code,
        effectif_prevu=effectif_prevu,
    )


@transaction.atomic
def division_update(
    *,
    world: World,
    division: Division,
    code: str,
    libelle_long: str,
    mef_code: str = "",
    effectif_prevu: int | None = None,
) -> Division:
    year = division.year
    _require_open(year)
    code, libelle_long = code.strip(), libelle_long.strip()
    _check_structure(year=year, code=code, libelle=libelle_long, exclude_division=division)
    _check_mef(year, mef_code)
    division.code = code
    division.libelle_long = libelle_long
    division.mef_code = mef_code
    division.effectif_prevu = effectif_prevu
    division.save(update_fields=["code", "libelle_long", "mef_code", "effectif_prevu"])
    return division


@transaction.atomic
def division_delete(*, world: World, division: Division) -> None:
    """Refused while the division still carries services or belongs to groups."""
    _require_open(division.year)
    nb_services = Service.objects.filter(division=division).count()
    nb_groups = division.groups.count()
    if nb_services or nb_groups:
        parts = []
        if nb_services:
            parts.append(f"porte encore {nb_services} service(s)")
        if nb_groups:
            parts.append(f"appartient encore à {nb_groups} groupe(s)")
        raise StsError(
            f"Impossible de supprimer la division {division.code} : elle "
            + " et ".join(parts)
            + ". Supprimez d'abord ses services et retirez-la de ses groupes "
            "(ou supprimez ces groupes)."
        )
    division.delete()


def _divisions_of(year: SchoolYear, division_ids: list[int]) -> list[Division]:
    found = list(Division.objects.filter(year=year, pk__in=division_ids).order_by("code"))
    if len(found) != len(set(division_ids)):
        raise StsError("Une des divisions choisies n'existe pas pour cette année.")
    return found


@transaction.atomic
def group_create(
    *,
    world: World,
    year: SchoolYear,
    code: str,
    libelle_long: str,
    division_ids: list[int],
    effectif_prevu: int | None = None,
    user=None,
) -> Group:
    """A group belongs to one or more divisions of the year."""
    _require_open(year)
    code, libelle_long = code.strip(), libelle_long.strip()
    _check_structure(year=year, code=code, libelle=libelle_long)
    if not division_ids:
        raise StsError("Un groupe appartient à au moins une division : choisissez-en une.")
    chosen = _divisions_of(year, division_ids)
    group = Group.objects.create(
        world=world,
        year=year,
        code=code,
        libelle_long=libelle_long,
        effectif_prevu=effectif_prevu,
    )
    group.divisions.set(chosen)
    _log(
        world=world,
        year=year,
        kind=Change.Kind.GROUP_CREATE,
        label=f"groupe {code} ({libelle_long}) créé, divisions {', '.join(d.code for d in chosen)}",
        user=user,
    )
    return group


@transaction.atomic
def group_update(
    *,
    world: World,
    group: Group,
    code: str,
    libelle_long: str,
    division_ids: list[int],
    effectif_prevu: int | None = None,
    user=None,
) -> Group:
    year = group.year
    _require_open(year)
    code, libelle_long = code.strip(), libelle_long.strip()
    _check_structure(year=year, code=code, libelle=libelle_long, exclude_group=group)
    if not division_ids:
        raise StsError("Un groupe appartient à au moins une division : choisissez-en une.")
    chosen = _divisions_of(year, division_ids)
    before = f"{group.code} ({group.libelle_long})"
    group.code = code
    group.libelle_long = libelle_long
    group.effectif_prevu = effectif_prevu
    group.save(update_fields=["code", "libelle_long", "effectif_prevu"])
    group.divisions.set(chosen)
    _log(
        world=world,
        year=year,
        kind=Change.Kind.GROUP_UPDATE,
        label=f"groupe {before} modifié en {code} ({libelle_long}), "
        f"divisions {', '.join(d.code for d in chosen)}",
        user=user,
    )
    return group


@transaction.atomic
def group_delete(*, world: World, group: Group, user=None) -> int:
    """Delete a group and the services taught to it; returns the number of services deleted."""
    year = group.year
    _require_open(year)
    nb_services = Service.objects.filter(group=group).count()
    code = group.code
    group.delete()
    _log(
        world=world,
        year=year,
        kind=Change.Kind.GROUP_DELETE,
        label=f"groupe {code} supprimé"
        + (f" avec ses {nb_services} service(s)" if nb_services else ""),
        user=user,
    )
    return nb_services


# --- Services ----------------------------------------------------------------------------------


@transaction.atomic
def service_create(
    *,
    world: World,
    year: SchoolYear,
    structure_code: str,
    subject_code: str,
    mod_cours: str,
    hours: Decimal,
    teacher: Teacher | None,
    user=None,
) -> Service:
    _require_open(year)
    division = Division.objects.filter(year=year, code=structure_code).first()
    group = None if division else Group.objects.filter(year=year, code=structure_code).first()
    if division is None and group is None:
        raise StsError(f"Aucune division ni aucun groupe « {structure_code} » en {year.label}.")
    if (
        subject_code not in nom.SUBJECTS
        and not NomenclatureEntry.objects.filter(
            year=year, kind=NomenclatureEntry.Kind.MATIERE, code=subject_code
        ).exists()
    ):
        raise StsError(f"Matière inconnue : {subject_code}.")
    if hours <= 0 or hours >= 100:
        raise StsError("Le nombre d'heures doit être compris entre 0 et 100.")
    if (
        teacher is not None
        and not selectors.teachers_of_year(year=year).filter(pk=teacher.pk).exists()
    ):
        raise StsError("Cet enseignant n'est pas affecté dans l'établissement cette année.")
    mod = nom.MODS_COURS.get(mod_cours)
    service = Service.objects.create(
        world=world,
        year=year,
        division=division,
        group=group,
        subject_code=subject_code,
        mod_cours=mod_cours,
        hours=hours,
        co_ens=bool(mod and mod.co_ens),
    )
    if teacher is not None:
        ServiceTeacher.objects.create(world=world, service=service, teacher=teacher, hours=hours)
    who = f", {teacher.full_name}" if teacher else ", sans enseignant"
    _log(
        world=world,
        year=year,
        kind=Change.Kind.SERVICE_CREATE,
        label=f"service {selectors.service_label(service)} ({hours} h{who}) créé",
        user=user,
    )
    return service


@transaction.atomic
def services_delete(*, world: World, year: SchoolYear, service_ids: list[int], user=None) -> int:
    _require_open(year)
    found = list(
        Service.objects.filter(year=year, pk__in=service_ids).select_related("division", "group")
    )
    if not found or len(found) != len(set(service_ids)):
        raise StsError("Sélectionnez un ou plusieurs services de cette année.")
    labels = [selectors.service_label(s) for s in found]
    Service.objects.filter(pk__in=[s.pk for s in found]).delete()
    for label in labels:
        _log(
            world=world,
            year=year,
            kind=Change.Kind.SERVICE_DELETE,
            label=f"service {label} supprimé",
            user=user,
        )
    return len(found)


# --- S7 Changement de support (REP) ------------------------------------------------------------


@transaction.atomic
def support_change(
    *,
    world: World,
    year: SchoolYear,
    absent: Teacher,
    replacing: Teacher,
    assignment_ids: list[int],
    user=None,
) -> int:
    """'Rattacher': move all or part of the absent teacher's services to the replacing one."""
    _require_open(year)
    if absent.pk == replacing.pk:
        raise StsError("Choisissez un autre enseignant que l'enseignant à remplacer.")
    if replacing.establishment_id != absent.establishment_id:
        raise StsError("L'enseignant choisi n'est pas affecté dans cet établissement.")
    if not selectors.teachers_of_year(year=year).filter(pk=replacing.pk).exists():
        raise StsError(
            f"{replacing.full_name} n'est pas dans les ressources de l'année {year.label}."
        )
    if not assignment_ids:
        raise StsError("Sélectionnez le ou les services à basculer.")
    moving = list(
        ServiceTeacher.objects.select_for_update(of=("self",))
        .filter(service__year=year, teacher=absent, pk__in=assignment_ids)
        .select_related("service__division", "service__group")
    )
    if len(moving) != len(set(assignment_ids)):
        raise StsError("Un des services choisis n'est pas un service de cet enseignant.")
    already = {
        a.service_id: a
        for a in ServiceTeacher.objects.filter(
            teacher=replacing, service_id__in=[m.service_id for m in moving]
        )
    }
    for assignment in moving:
        other = already.get(assignment.service_id)
        if other is not None:  # already teaches it (co-enseignement): the hours add up
            other.hours += assignment.hours
            other.origin = ServiceTeacher.Origin.REP
            other.replaced = absent
            other.save(update_fields=["hours", "origin", "replaced"])
            assignment.delete()
        else:
            assignment.teacher = replacing
            assignment.origin = ServiceTeacher.Origin.REP
            assignment.replaced = absent
            assignment.start_date = replacing.start_date
            assignment.end_date = None
            assignment.save(
                update_fields=["teacher", "origin", "replaced", "start_date", "end_date"]
            )
    _log(
        world=world,
        year=year,
        kind=Change.Kind.SUPPORT_CHANGE,
        label=f"{len(moving)} service(s) de {absent.full_name} rattaché(s) à "
        f"{replacing.full_name} : " + ", ".join(selectors.service_label(a.service) for a in moving),
        user=user,
    )
    return len(moving)


# --- S8 Services suppléants (SUP) --------------------------------------------------------------


@transaction.atomic
def suppleants_attach(
    *, world: World, year: SchoolYear, suppleant_ids: list[int], user=None
) -> dict[str, int]:
    """'Valider': each ticked suppléant gets the services of the teacher they stand in for,
    for the dates of the suppléance. Returns {suppléant's name: services attached}."""
    _require_open(year)
    if not suppleant_ids:
        raise StsError("Cochez au moins un suppléant.")
    chosen = list(
        selectors.teachers_of_year(year=year, include_sup=True)
        .filter(pk__in=suppleant_ids, replacement=Teacher.Replacement.SUP)
        .select_related("replaces")
    )
    if len(chosen) != len(set(suppleant_ids)):
        raise StsError("Un des enseignants cochés n'est pas un suppléant de cette année.")
    done: dict[str, int] = {}
    for suppleant in chosen:
        absent = suppleant.replaces
        if absent is None:
            raise StsError(
                f"{suppleant.full_name} : l'enseignant suppléé n'est pas connu de STS-web."
            )
        absent_assignments = list(
            ServiceTeacher.objects.filter(service__year=year, teacher=absent).select_related(
                "service__division", "service__group"
            )
        )
        if not absent_assignments:
            raise StsError(
                f"{absent.full_name}, suppléé(e) par {suppleant.full_name}, n'a aucun service "
                f"en {year.label} : rien à rattacher."
            )
        have = set(
            ServiceTeacher.objects.filter(
                teacher=suppleant, service_id__in=[a.service_id for a in absent_assignments]
            ).values_list("service_id", flat=True)
        )
        new = [
            ServiceTeacher(
                world=world,
                service_id=a.service_id,
                teacher=suppleant,
                hours=a.hours,
                start_date=suppleant.start_date,
                end_date=suppleant.end_date,
                origin=ServiceTeacher.Origin.SUP,
                replaced=absent,
            )
            for a in absent_assignments
            if a.service_id not in have
        ]
        ServiceTeacher.objects.bulk_create(new)
        done[suppleant.full_name] = len(new)
        if new:
            dates = _dates(suppleant.start_date, suppleant.end_date)
            _log(
                world=world,
                year=year,
                kind=Change.Kind.SUPPLEANCE,
                label=f"{len(new)} service(s) de {absent.full_name} rattaché(s) au suppléant "
                f"{suppleant.full_name} ({dates})",
                user=user,
            )
    return done


def _dates(start: dt.date | None, end: dt.date | None) -> str:
    first = f"{start:%d/%m/%Y}" if start else "?"
    last = f"{end:%d/%m/%Y}" if end else "…"
    return f"{first} - {last}"


# --- S4, S5 Exports ----------------------------------------------------------------------------


def _export(*, world: World, year: SchoolYear, kind: str, user=None) -> Export:
    data = selectors.year_data(world=world, year=year)
    name, content = exchanges.write(data, kind)
    export_kind = {
        exchanges.EMPLOI_DU_TEMPS: Export.Kind.EMPLOI_DU_TEMPS,
        exchanges.STRUCTURE: Export.Kind.STRUCTURE,
        exchanges.SERVICES: Export.Kind.SERVICES,
    }[kind]
    target = "edt" if kind == exchanges.EMPLOI_DU_TEMPS else "siecle"
    exchange = exchange_record(
        world=world,
        kind=export_kind.value,
        source="sts",
        target=target,
        filename=name,
        content=content,
        deposited_by=_user(user),
        report={
            "année": year.label,
            "divisions": len(data.divisions),
            "groupes": len(data.groups),
            "services": len(data.services) if kind != exchanges.STRUCTURE else 0,
            "enseignants": len(data.teachers) if kind != exchanges.STRUCTURE else 0,
        },
    )
    after_structure = None
    if export_kind == Export.Kind.SERVICES:
        after_structure = Export.objects.filter(year=year, kind=Export.Kind.STRUCTURE).exists()
    export = Export.objects.create(
        world=world,
        year=year,
        kind=export_kind,
        exchange=exchange,
        at=exchange.deposited_at,
        by=_user(user),
        after_structure=after_structure,
    )
    if target == "siecle":
        exchange_schedule_delivery(
            exchange=exchange,
            job_kind=timeline.STS_TO_BEE,
            due_at=timeline.next_quarter_hour(world.now()),
        )
    return export


@transaction.atomic
def emploi_du_temps_export(*, world: World, year: SchoolYear, user=None) -> Export:
    """Exports > Emploi du temps: sts_emp_<UAI>_<AAAA>.xml, sent to the EDT software."""
    return _export(world=world, year=year, kind=exchanges.EMPLOI_DU_TEMPS, user=user)


@transaction.atomic
def structure_export(*, world: World, year: SchoolYear, user=None) -> Export:
    """Exports > Structure: divisions and groups to SIECLE BEE (at the next quarter hour)."""
    return _export(world=world, year=year, kind=exchanges.STRUCTURE, user=user)


@transaction.atomic
def services_export(*, world: World, year: SchoolYear, user=None) -> Export:
    """Exports > Services: teachers and their services to SIECLE BEE. Allowed before any
    structure export, but recorded as such (the guide says structure first)."""
    return _export(world=world, year=year, kind=exchanges.SERVICES, user=user)


# --- S6 Import > Emploi du temps ---------------------------------------------------------------


def edt_file_check(*, world: World, content: bytes, year: SchoolYear | None = None):
    """Read and check an EDT_STS file: right root, establishment and year. Returns (doc, year);
    raises ExchangeRefused (French) otherwise."""
    doc = exchanges.read_edt_file(content)
    years = selectors.open_years(world=world)
    if not years:
        raise ExchangeRefused("STS-web n'a aucune année ouverte dans ce monde.")
    establishment = years[0].establishment
    if doc.uai != establishment.uai:
        raise ExchangeRefused(
            f"Fichier refusé : il concerne l'établissement {doc.uai}, "
            f"pas {establishment.uai} ({establishment.denom_princ} {establishment.denom_compl})."
        )
    label = f"{doc.annee}-{doc.annee + 1}"
    if year is not None:
        if doc.annee != year.year:
            raise ExchangeRefused(
                f"Fichier refusé : il concerne l'année scolaire {label}, "
                f"pas l'année sélectionnée {year.label}."
            )
        return doc, year
    found = next((y for y in years if y.year == doc.annee), None)
    if found is None:
        opened = ", ".join(f"{y.label} ({y.get_state_display().lower()})" for y in years)
        raise ExchangeRefused(
            f"Fichier refusé : il concerne l'année scolaire {label}, "
            f"que STS-web n'a pas ouverte (années ouvertes : {opened})."
        )
    return doc, found


def _apply_import(*, world: World, plan: selectors.ImportPlan, exchange, user) -> EdtImport:
    year = plan.year
    Service.objects.filter(year=year).delete()
    Group.objects.filter(year=year).delete()
    groups = Group.objects.bulk_create(
        [
            Group(
                world=world,
                year=year,
                code=g.code,
                libelle_long=g.libelle_long,
                effectif_prevu=g.effectif_prevu,
            )
            for g in plan.groups
        ],
        batch_size=BATCH,
    )
    group_pk = {g.code: g.pk for g in groups}
    division_pk = dict(Division.objects.filter(year=year).values_list("code", "pk"))
    Group.divisions.through.objects.bulk_create(
        [
            Group.divisions.through(group_id=group_pk[g.code], division_id=division_pk[code])
            for g in plan.groups
            for code in g.divisions
        ],
        batch_size=BATCH,
    )
    services = Service.objects.bulk_create(
        [
            Service(
                world=world,
                year=year,
                division_id=division_pk[s.code] if s.structure == "division" else None,
                group_id=group_pk[s.code] if s.structure == "group" else None,
                subject_code=s.subject_code,
                mod_cours=s.mod_cours,
                hours=s.hours,
                co_ens=s.co_ens,
            )
            for s in plan.services
        ],
        batch_size=BATCH,
    )
    rows = []
    for planned, service in zip(plan.services, services, strict=True):
        seen = set()
        for teacher_pk, hours in planned.teachers:
            if teacher_pk in seen:
                continue
            seen.add(teacher_pk)
            rows.append(
                ServiceTeacher(world=world, service=service, teacher_id=teacher_pk, hours=hours)
            )
    ServiceTeacher.objects.bulk_create(rows, batch_size=BATCH)
    run = EdtImport.objects.create(
        world=world,
        year=year,
        exchange=exchange,
        at=world.now(),
        by=_user(user),
        report=plan.report(),
    )
    Change.objects.filter(pk__in=[c.pk for c in plan.changes_lost]).update(overwritten_by=run)
    return run


@transaction.atomic
def edt_file_receive(
    *, world: World, year: SchoolYear, filename: str, content: bytes, user=None
) -> Exchange:
    """Upload of an EDT file in Import > Emploi du temps: checked, kept until confirmed."""
    edt_file_check(world=world, content=content, year=year)
    return exchange_record(
        world=world,
        kind="emp_sts",
        source="edt",
        target="sts",
        filename=filename,
        content=content,
        deposited_by=_user(user),
    )


def edt_file_import(*, world: World, exchange: Exchange, user=None) -> EdtImport:
    """Confirmation of the import: groups and services of the year are replaced.

    A file that no longer fits (its year was closed meanwhile...) is marked rejected, and
    nothing else changes."""
    with transaction.atomic():
        exchange = Exchange.objects.select_for_update().get(pk=exchange.pk, world=world)
        if exchange.state != Exchange.State.DEPOSITED:
            raise StsError("Ce fichier a déjà été traité.")
        try:
            doc, year = edt_file_check(world=world, content=exchange_content(exchange=exchange))
        except ExchangeRefused as refusal:
            exchange_settle(
                exchange=exchange,
                state=Exchange.State.REJECTED,
                report={"motif": refusal.message},
            )
            refused = refusal
        else:
            plan = selectors.import_plan(year=year, doc=doc)
            run = _apply_import(world=world, plan=plan, exchange=exchange, user=user)
            exchange_settle(exchange=exchange, state=Exchange.State.PROCESSED, report=run.report)
            return run
    raise StsError(refused.message)


@transaction.atomic
def edt_file_cancel(*, world: World, exchange: Exchange, user=None) -> Exchange:
    exchange = Exchange.objects.select_for_update().get(pk=exchange.pk, world=world)
    if exchange.state != Exchange.State.DEPOSITED:
        raise StsError("Ce fichier a déjà été traité.")
    return exchange_settle(
        exchange=exchange,
        state=Exchange.State.REJECTED,
        report={"motif": "Import annulé avant confirmation : rien n'a été modifié."},
    )


@transaction.atomic
def edt_deposit(*, world: World, filename: str, content: bytes, user=None) -> Exchange:
    """Registry deposit (command line): checked and imported at once, no confirmation step."""
    doc, year = edt_file_check(world=world, content=content)
    plan = selectors.import_plan(year=year, doc=doc)
    exchange = exchange_record(
        world=world,
        kind="emp_sts",
        source="edt",
        target="sts",
        filename=filename,
        content=content,
        deposited_by=_user(user),
    )
    run = _apply_import(world=world, plan=plan, exchange=exchange, user=user)
    return exchange_settle(exchange=exchange, state=Exchange.State.PROCESSED, report=run.report)


def _cli_year(world: World) -> SchoolYear:
    year = selectors.year_for_exchange(world=world)
    if year is None:
        raise ExchangeRefused("STS-web n'a aucune année ouverte dans ce monde.")
    return year


def sts_emp_export(*, world: World, user=None) -> Exchange:
    """Registry export (command line): the year in preparation if any, else the current."""
    return emploi_du_temps_export(world=world, year=_cli_year(world), user=user).exchange


def sts_structure_export(*, world: World, user=None) -> Exchange:
    return structure_export(world=world, year=_cli_year(world), user=user).exchange


def sts_services_export(*, world: World, user=None) -> Exchange:
    return services_export(world=world, year=_cli_year(world), user=user).exchange
