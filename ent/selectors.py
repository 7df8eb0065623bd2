"""Every read of the ENT: its pages, the help desk trace and the training checks.

For the trace and the checks: `account_by_jointure` (is this AAF person in the ENT, with which
account?) and `person_cohorts` (which classes and groups does the ENT put them in?).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from entsim.models import Exchange, World

from .models import (
    Account,
    Cohort,
    Membership,
    Nomenclature,
    ParentLink,
    Structure,
    Textbook,
    TextbookAssignment,
)
from .services import AAF_KINDS, search_key

ACTIVE = Account.State.ACTIF


# --- For the help desk trace and the training checks ------------------------------------------


def account_by_jointure(*, world: World, jointure: str) -> Account | None:
    """The ENT account of an AAF person (ENTPersonJointure), whatever its state; None if the
    ENT never received them."""
    return (
        Account.objects.filter(world=world, jointure=str(jointure))
        .select_related("structure")
        .first()
    )


def account_by_login(*, world: World, login: str) -> Account | None:
    """The ENT account with this login (identifiant), None if no account has it."""
    return (
        Account.objects.filter(world=world, login=login.strip().lower())
        .select_related("structure")
        .first()
    )


def person_cohorts(*, world: World, jointure: str) -> dict[str, list[str]]:
    """The codes of the classes and groups the ENT puts a person in (pupil or teacher)."""
    found: dict[str, list[str]] = {"classes": [], "groupes": []}
    rows = (
        Membership.objects.filter(world=world, account__jointure=str(jointure))
        .values_list("cohort__kind", "cohort__code")
        .order_by("cohort__kind", "cohort__code")
    )
    for kind, code in rows:
        found["classes" if kind == Cohort.Kind.CLASSE else "groupes"].append(code)
    return found


@dataclass(frozen=True)
class PersonInEnt:
    """An active pupil or teacher of an establishment, with the classes and groups the ENT puts
    them in (a teacher: where they teach, not a class they are only professeur principal of)."""

    jointure: str
    profile: str
    last_name: str
    first_name: str
    birth_date: object
    ine: str
    classes: frozenset[str]
    groups: frozenset[str]


def people_of_structure(*, world: World, uai: str) -> list[PersonInEnt]:
    """The training checks' view of one establishment's directory, in three queries."""
    accounts = list(
        Account.objects.filter(
            world=world,
            state=ACTIVE,
            structure__uai=uai,
            profile__in=[Account.Profile.ELEVE, Account.Profile.ENSEIGNANT],
        )
    )
    cohorts: dict[int, dict[str, set[str]]] = defaultdict(
        lambda: {"classe": set(), "groupe": set()}
    )
    for account_id, kind, code, principal, subjects in Membership.objects.filter(
        world=world, account__in=accounts
    ).values_list("account_id", "cohort__kind", "cohort__code", "principal", "subjects"):
        if principal and not subjects:
            continue
        cohorts[account_id][kind].add(code)
    return [
        PersonInEnt(
            jointure=account.jointure,
            profile=account.profile,
            last_name=account.last_name,
            first_name=account.first_name,
            birth_date=account.birth_date,
            ine=(account.attributes.get("ENTEleveINE") or [""])[0],
            classes=frozenset(cohorts[account.pk][Cohort.Kind.CLASSE]),
            groups=frozenset(cohorts[account.pk][Cohort.Kind.GROUPE]),
        )
        for account in accounts
    ]


def cohort_members_by_code(*, world: World, code: str, uai: str | None = None) -> list[str]:
    """The jointure ids of the active pupils the ENT holds in a class or group (by its code)."""
    members = Membership.objects.filter(
        world=world, cohort__code=code, role=Membership.Role.ELEVE, account__state=ACTIVE
    )
    if uai:
        members = members.filter(cohort__structure__uai=uai)
    return sorted(members.values_list("account__jointure", flat=True))


def report_counts(world: World) -> dict[str, int]:
    """`world_report`: what the ENT holds."""
    accounts = dict(
        Account.objects.filter(world=world, state=ACTIVE)
        .values_list("profile")
        .annotate(n=Count("id"))
        .order_by()
    )
    cohorts = dict(
        Cohort.objects.filter(world=world)
        .filter(Q(declared=True) | Q(memberships__account__state=ACTIVE))
        .values_list("kind")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    return {
        "comptes": sum(accounts.values()),
        "eleves": accounts.get(Account.Profile.ELEVE, 0),
        "responsables": accounts.get(Account.Profile.PARENT, 0),
        "enseignants": accounts.get(Account.Profile.ENSEIGNANT, 0),
        "divisions": cohorts.get(Cohort.Kind.CLASSE, 0),
        "groupes": cohorts.get(Cohort.Kind.GROUPE, 0),
        "liens": Membership.objects.filter(
            world=world,
            role=Membership.Role.ELEVE,
            cohort__kind=Cohort.Kind.GROUPE,
            account__state=ACTIVE,
        ).count(),
    }


# --- Home of the console ------------------------------------------------------------------------


def imports_recent(*, world: World, limit: int = 20) -> QuerySet[Exchange]:
    return Exchange.objects.filter(world=world, kind__in=list(AAF_KINDS), target="ent").order_by(
        "-deposited_at", "-id"
    )[:limit]


def console_counts(*, world: World) -> dict[str, int]:
    counts = report_counts(world)
    by_state = dict(
        Account.objects.filter(world=world).values_list("state").annotate(n=Count("id")).order_by()
    )
    counts["fermes"] = by_state.get(Account.State.FERME, 0)
    counts["non_retenus"] = by_state.get(Account.State.NON_RETENU, 0)
    counts["a_activer"] = Account.objects.filter(
        world=world, state=ACTIVE, activated_at__isnull=True
    ).count()
    return counts


# --- Accounts ------------------------------------------------------------------------------------


def accounts_search(
    *, world: World, query: str = "", profile: str = "", state: str = ""
) -> QuerySet[Account]:
    accounts = Account.objects.filter(world=world).select_related("structure")
    key = search_key(query)
    if key:
        for word in key.split():
            accounts = accounts.filter(search_key__contains=word)
    if profile:
        accounts = accounts.filter(profile=profile)
    if state:
        accounts = accounts.filter(state=state)
    return accounts.order_by("last_name", "first_name", "id")


def account_get(*, world: World, pk: int) -> Account:
    return Account.objects.select_related("structure").get(world=world, pk=pk)


# --- Directory (classes and groups) -------------------------------------------------------------


def structures(*, world: World) -> list[Structure]:
    return list(Structure.objects.filter(world=world).order_by("-present", "name", "jointure"))


def structure_current(*, world: World, pk: str | int | None) -> Structure | None:
    """The structure asked for (404 upstream if it is not this world's); by default the
    trainee's establishment when the AAF sent it, else the first."""
    found = structures(world=world)
    if pk not in (None, ""):
        try:
            wanted = int(pk)
        except (TypeError, ValueError):
            raise Structure.DoesNotExist("Établissement introuvable.") from None
        for structure in found:
            if structure.pk == wanted:
                return structure
        raise Structure.DoesNotExist("Établissement introuvable.")
    home_uai = world.home.uai if world.home_id else None
    for structure in found:
        if structure.uai and structure.uai == home_uai:
            return structure
    return found[0] if found else None


@dataclass
class CohortRow:
    cohort: Cohort
    pupils: int
    teachers: int
    classes: list[str] = field(default_factory=list)  # for a group: the classes its pupils are in


def _cohort_rows(structure: Structure) -> list[CohortRow]:
    cohorts = (
        Cohort.objects.filter(structure=structure)
        .annotate(
            pupils=Count(
                "memberships",
                filter=Q(
                    memberships__role=Membership.Role.ELEVE, memberships__account__state=ACTIVE
                ),
            ),
            teachers=Count(
                "memberships",
                filter=Q(
                    memberships__role=Membership.Role.ENSEIGNANT,
                    memberships__account__state=ACTIVE,
                ),
            ),
        )
        .order_by("kind", "code")
    )
    rows = [CohortRow(cohort=c, pupils=c.pupils, teachers=c.teachers) for c in cohorts]
    rows = [row for row in rows if row.cohort.declared or row.pupils or row.teachers]
    group_ids = [row.cohort.pk for row in rows if row.cohort.kind == Cohort.Kind.GROUPE]
    if group_ids:
        origins = _origin_classes(group_ids)
        for row in rows:
            row.classes = origins.get(row.cohort.pk, [])
    return rows


def _origin_classes(group_ids: list[int]) -> dict[int, list[str]]:
    """For each group, the classes its active pupils belong to (a language group drawn from
    several classes)."""
    pupils_of = defaultdict(set)
    for cohort_id, account_id in Membership.objects.filter(
        cohort_id__in=group_ids, role=Membership.Role.ELEVE, account__state=ACTIVE
    ).values_list("cohort_id", "account_id"):
        pupils_of[cohort_id].add(account_id)
    wanted = set().union(*pupils_of.values()) if pupils_of else set()
    classes_of = defaultdict(set)
    if wanted:
        for account_id, code in Membership.objects.filter(
            account_id__in=wanted, role=Membership.Role.ELEVE, cohort__kind=Cohort.Kind.CLASSE
        ).values_list("account_id", "cohort__code"):
            classes_of[account_id].add(code)
    return {
        cohort_id: sorted(set().union(*(classes_of[pk] for pk in pupils)))
        for cohort_id, pupils in pupils_of.items()
    }


@dataclass
class Directory:
    structure: Structure | None
    classes: list[CohortRow]
    groups: list[CohortRow]


def directory(*, world: World, structure: Structure | None) -> Directory:
    if structure is None:
        return Directory(structure=None, classes=[], groups=[])
    rows = _cohort_rows(structure)
    return Directory(
        structure=structure,
        classes=[row for row in rows if row.cohort.kind == Cohort.Kind.CLASSE],
        groups=[row for row in rows if row.cohort.kind == Cohort.Kind.GROUPE],
    )


def cohort_get(*, world: World, pk: int) -> Cohort:
    return Cohort.objects.select_related("structure").get(world=world, pk=pk)


@dataclass
class MemberRow:
    account: Account
    subjects: list[str]
    principal: bool
    classes: list[str]


@dataclass
class CohortDetail:
    cohort: Cohort
    pupils: list[MemberRow]
    teachers: list[MemberRow]
    classes: list[str]  # the classes the pupils come from
    textbooks: list[Textbook]


def cohort_detail(*, world: World, cohort: Cohort) -> CohortDetail:
    memberships = list(
        Membership.objects.filter(world=world, cohort=cohort, account__state=ACTIVE)
        .select_related("account")
        .order_by("account__last_name", "account__first_name", "account_id")
    )
    pupil_ids = [m.account_id for m in memberships if m.role == Membership.Role.ELEVE]
    classes_of = defaultdict(list)
    if pupil_ids and cohort.kind == Cohort.Kind.GROUPE:
        for account_id, code in (
            Membership.objects.filter(
                account_id__in=pupil_ids,
                role=Membership.Role.ELEVE,
                cohort__kind=Cohort.Kind.CLASSE,
            )
            .values_list("account_id", "cohort__code")
            .order_by("cohort__code")
        ):
            classes_of[account_id].append(code)
    subject_labels = _subject_labels(world, memberships)
    pupils, teachers = [], []
    for membership in memberships:
        row = MemberRow(
            account=membership.account,
            subjects=[subject_labels.get(code, code) for code in membership.subjects],
            principal=membership.principal,
            classes=classes_of.get(membership.account_id, []),
        )
        (pupils if membership.role == Membership.Role.ELEVE else teachers).append(row)
    textbooks = [
        assignment.textbook
        for assignment in TextbookAssignment.objects.filter(cohort=cohort).select_related(
            "textbook"
        )
    ]
    return CohortDetail(
        cohort=cohort,
        pupils=pupils,
        teachers=teachers,
        classes=sorted({code for row in pupils for code in row.classes}),
        textbooks=textbooks,
    )


def _subject_labels(world: World, memberships: list[Membership]) -> dict[str, str]:
    codes = {code for m in memberships for code in m.subjects}
    if not codes:
        return {}
    return dict(
        Nomenclature.objects.filter(
            world=world, kind=Nomenclature.Kind.MATIERE, jointure__in=codes
        ).values_list("jointure", "label")
    )


# --- Messaging: distribution lists, derived from the directory --------------------------------


def list_name(cohort: Cohort) -> str:
    kind = "Classe" if cohort.kind == Cohort.Kind.CLASSE else "Groupe"
    return f"{kind} {cohort.code} — élèves et enseignants"


@dataclass
class DistributionList:
    cohort: Cohort
    name: str
    pupils: int
    teachers: int
    classes: list[str]

    @property
    def members(self) -> int:
        return self.pupils + self.teachers


def distribution_lists(*, world: World, structure: Structure | None) -> list[DistributionList]:
    """One list per class and per teaching group of the structure, with its members as the
    ENT's directory holds them (a group with no pupil gives an empty list)."""
    if structure is None:
        return []
    return [
        DistributionList(
            cohort=row.cohort,
            name=list_name(row.cohort),
            pupils=row.pupils,
            teachers=row.teachers,
            classes=row.classes,
        )
        for row in _cohort_rows(structure)
    ]


# --- Digital textbooks ----------------------------------------------------------------------


def textbooks(*, world: World) -> list[Textbook]:
    return list(
        Textbook.objects.filter(world=world).prefetch_related(
            Prefetch(
                "assignments",
                queryset=TextbookAssignment.objects.select_related("cohort").order_by(
                    "target", "mef_code", "cohort__code"
                ),
            )
        )
    )


def textbook_get(*, world: World, pk: int) -> Textbook:
    return Textbook.objects.get(world=world, pk=pk)


def cohort_choices(*, world: World) -> list[Cohort]:
    return list(
        Cohort.objects.filter(world=world, structure__present=True)
        .select_related("structure")
        .order_by("kind", "code")
    )


def mef_choices(*, world: World) -> list[tuple[str, str]]:
    """The MEF of the pupils the ENT holds, with their labels."""
    labels = dict(
        Nomenclature.objects.filter(
            world=world, kind=Nomenclature.Kind.MEF, present=True
        ).values_list("jointure", "label")
    )
    for code, label in (
        Account.objects.filter(world=world, state=ACTIVE, profile=Account.Profile.ELEVE)
        .exclude(mef_code="")
        .values_list("mef_code", "mef_label")
        .distinct()
    ):
        labels.setdefault(code, label)
    return sorted(labels.items(), key=lambda item: (item[1] or item[0], item[0]))


def textbooks_for(*, world: World, account: Account) -> list[tuple[Textbook, str]]:
    """The textbooks an account opens, each with the membership that gives access to it."""
    if not account.is_active or account.profile == Account.Profile.PARENT:
        return []
    memberships = {
        m.cohort_id: m.cohort.code
        for m in Membership.objects.filter(account=account).select_related("cohort")
    }
    condition = Q(cohort_id__in=list(memberships))
    if account.profile == Account.Profile.ELEVE and account.mef_code:
        condition |= Q(target=TextbookAssignment.Target.MEF, mef_code=account.mef_code)
    found: dict[int, tuple[Textbook, list[str]]] = {}
    for assignment in (
        TextbookAssignment.objects.filter(world=world)
        .filter(condition)
        .select_related("textbook")
        .order_by("textbook__title")
    ):
        reason = (
            f"MEF {account.mef_label or account.mef_code}"
            if assignment.target == TextbookAssignment.Target.MEF
            else f"{assignment.get_target_display().lower()} {memberships[assignment.cohort_id]}"
        )
        entry = found.setdefault(assignment.textbook_id, (assignment.textbook, []))
        entry[1].append(reason)
    return [(textbook, ", ".join(reasons)) for textbook, reasons in found.values()]


# --- "Voir l'ENT comme..." ---------------------------------------------------------------------


@dataclass
class Relative:
    account: Account | None
    jointure: str
    link: ParentLink


@dataclass
class AccountHome:
    account: Account
    classes: list[Membership]
    groups: list[Membership]
    lists: list[str]
    textbooks: list[tuple[Textbook, str]]
    children: list[tuple[Account, ParentLink]]
    relatives: list[Relative]


def account_home(*, world: World, account: Account) -> AccountHome:
    """What an account sees on its ENT home: its classes and groups, its distribution lists,
    its textbooks; a parent, their children; a pupil, their responsables."""
    memberships = []
    if account.is_active:
        memberships = list(
            Membership.objects.filter(world=world, account=account)
            .select_related("cohort", "cohort__structure")
            .order_by("cohort__kind", "cohort__code")
        )
    classes = [m for m in memberships if m.cohort.kind == Cohort.Kind.CLASSE]
    groups = [m for m in memberships if m.cohort.kind == Cohort.Kind.GROUPE]
    children: list[tuple[Account, ParentLink]] = []
    relatives: list[Relative] = []
    if account.profile == Account.Profile.PARENT and account.is_active:
        children = [
            (link.pupil, link)
            for link in ParentLink.objects.filter(
                world=world, parent_jointure=account.jointure, pupil__state=ACTIVE
            )
            .select_related("pupil")
            .order_by("pupil__last_name", "pupil__first_name")
        ]
    if account.profile == Account.Profile.ELEVE:
        links = list(ParentLink.objects.filter(world=world, pupil=account).order_by("id"))
        parents = {
            a.jointure: a
            for a in Account.objects.filter(
                world=world, jointure__in=[link.parent_jointure for link in links]
            )
        }
        relatives = [
            Relative(
                account=parents.get(link.parent_jointure), jointure=link.parent_jointure, link=link
            )
            for link in links
        ]
    return AccountHome(
        account=account,
        classes=classes,
        groups=groups,
        lists=[list_name(m.cohort) for m in memberships],
        textbooks=textbooks_for(world=world, account=account),
        children=children,
        relatives=relatives,
    )
