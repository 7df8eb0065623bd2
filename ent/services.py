"""Every write of the ENT: `<noun>_<verb>(*, world, ...)`, keyword-only, in a transaction.

The nightly import ("ent.import", 03:00) reads, in deposit order, every AAF run the world's
exchanges hold for the ENT and not yet imported (`aaf_night_import`). A run is one zip
(`aaf_complet` / `aaf_delta`) read through `entsim.formats.aaf`, in streaming, in batches:

- Complet: a full resync. Every entry of the run is added or updated; for each category the
  run holds, the entries of the same feed (the files' name prefix) that it no longer holds leave
  the directory, and their accounts are closed.
- Delta: add (or come back), modify (only the attributes named), delete.
- An attribute name the importer does not know stops everything, as in real importers: the
  whole run is rejected with the reason, and nothing of it is applied. So does an identifier
  named twice in one category (two entries would share one account).

Accounts are keyed on the AAF jointure id. A pupil or a staff member in the directory has an
active account; a responsable (PersRelEleve) only when a pupil in the directory names them with
legal = 1. An account gets its login (`prenom.nom`, numbered on collision: `prenom.nom2`) and a
random activation code when it first becomes active; the login is never given to anyone else,
even after the account is closed.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator

from django.db import connection, transaction

from entsim.formats import aaf
from entsim.formats.safe import FormatError
from entsim.models import Exchange, Job, World
from entsim.registry import ExchangeRefused
from entsim.services.exchanges import exchange_record, exchange_settle
from entsim.services.jobs import job_progress_report

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

AAF_KINDS = {"aaf_complet": aaf.COMPLET, "aaf_delta": aaf.DELTA}
BATCH = 1000
IN_CHUNK = 500  # ids per `__in` query
MAX_WARNINGS = 50
PROGRESS_SCALE = 1000  # steps of one run in the import job's progress


class EntError(Exception):
    """A refused operation; the message (French) is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RunRejected(Exception):
    """The whole run is refused (unknown attribute...): nothing of it is applied."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _chunks(items: list, size: int = IN_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Logins and activation codes --------------------------------------------------------------

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def _login_part(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = re.sub(r"[\s'’`]+", "-", text)
    text = re.sub(r"[^a-z0-9-]", "", text)
    return re.sub(r"-{2,}", "-", text).strip("-")


def login_base(first_name: str, last_name: str) -> str:
    """`prenom.nom`: lower case, accents stripped, spaces and apostrophes become '-'."""
    first, last = _login_part(first_name), _login_part(last_name)
    base = f"{first}.{last}" if first and last else (first or last or "utilisateur")
    return base[:70]


def login_next(base: str, taken: set[str]) -> str:
    """The base itself when free, else base2, base3... (the first free one)."""
    if base not in taken:
        return base
    number = 2
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read over the phone


def activation_code_new() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def search_key(*parts: str) -> str:
    return " ".join(_login_part(part).replace("-", " ") for part in parts if part)[:300]


# --- What an account's attributes mean ---------------------------------------------------------


def _first(attributes: dict, name: str) -> str:
    values = attributes.get(name) or []
    return values[0] if values else ""


def _functions(attributes: dict) -> list[aaf.Function]:
    found = []
    for value in attributes.get("ENTPersonFonctions", []):
        try:
            found.append(aaf.Function.parse(value))
        except FormatError:
            continue
    return found


def _profile(category: str, attributes: dict) -> str:
    if category == aaf.ELEVE:
        return Account.Profile.ELEVE
    if category == aaf.PERS_REL_ELEVE:
        return Account.Profile.PARENT
    teaches = any(function.filiere == "ENS" for function in _functions(attributes))
    return Account.Profile.ENSEIGNANT if teaches else Account.Profile.PERSONNEL


# (attribute, kind of cohort, role, number of fields, has subject, principal)
_COHORT_ATTRIBUTES = {
    aaf.ELEVE: (
        ("ENTEleveClasses", Cohort.Kind.CLASSE, Membership.Role.ELEVE, False, False),
        ("ENTEleveGroupes", Cohort.Kind.GROUPE, Membership.Role.ELEVE, False, False),
    ),
    aaf.PERS_EDUC_NAT: (
        ("ENTAuxEnsClasses", Cohort.Kind.CLASSE, Membership.Role.ENSEIGNANT, False, False),
        ("ENTAuxEnsGroupes", Cohort.Kind.GROUPE, Membership.Role.ENSEIGNANT, False, False),
        ("ENTAuxEnsClassesMatieres", Cohort.Kind.CLASSE, Membership.Role.ENSEIGNANT, True, False),
        ("ENTAuxEnsGroupesMatieres", Cohort.Kind.GROUPE, Membership.Role.ENSEIGNANT, True, False),
        ("ENTAuxEnsClassesPrincipal", Cohort.Kind.CLASSE, Membership.Role.ENSEIGNANT, False, True),
    ),
}


# --- The import of one run ---------------------------------------------------------------------


class _RunImport:
    """Apply one opened run to the world's ENT (inside the caller's transaction)."""

    def __init__(
        self,
        *,
        world: World,
        at: dt.datetime,
        run: aaf.Run,
        filename: str,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.world = world
        self.progress = progress
        self.at = at
        self.run = run
        self.filename = filename
        self.feed = run.prefix
        self.complet = run.kind == aaf.COMPLET
        self.structures = {s.jointure: s for s in Structure.objects.filter(world=world)}
        self.cohort_ids = {
            (structure_id, kind, code): pk
            for pk, structure_id, kind, code in Cohort.objects.filter(world=world).values_list(
                "pk", "structure_id", "kind", "code"
            )
        }
        self.nomenclatures: dict[str, dict[str, Nomenclature]] | None = None
        self.new_structures: set[str] = set()
        self.seen: dict[str, set[str]] = defaultdict(set)
        self.changed: set[int] = set()
        self.unchanged: set[int] = set()
        self.in_file: set[int] = set()
        self.structure_counts: Counter = Counter()
        self.nomenclature_counts: Counter = Counter()
        self.ignored = 0
        self.files: list[dict] = []
        self.warnings: list[str] = []
        self.named: dict[str, set[str]] = defaultdict(set)

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)

    # Reading

    def execute(self) -> dict:
        total = 0
        for index, file in enumerate(self.run.files):
            if self.progress is not None:
                self.progress(index, len(self.run.files))
            count = 0
            batch: list[aaf.Request] = []
            for request in self.run.requests(file):
                self._check(file, request)
                batch.append(request)
                count += 1
                if len(batch) >= BATCH:
                    self._apply(file.category, batch)
                    batch = []
            if batch:
                self._apply(file.category, batch)
            self.files.append({"fichier": file.name, "demandes": count})
            total += count
        if self.complet:
            self._resync()
        counts = self._settle_accounts()
        return {
            "fichier": self.filename,
            "type": self.run.kind,
            "flux": self.feed,
            "date_extraction": self.run.day.strftime("%d/%m/%Y"),
            "demandes": total,
            **counts,
            "ignores": self.ignored,
            "structures": dict(self.structure_counts),
            "nomenclatures": dict(self.nomenclature_counts),
            "fichiers": self.files,
            "avertissements": self.warnings,
        }

    def _check(self, file: aaf.FileName, request: aaf.Request) -> None:
        if request.category != file.category:
            raise RunRejected(
                f"« {file.name} » : demande de catégorie {request.category} (identifiant "
                f"{request.id}) dans un fichier {file.category}. Tout le lot est rejeté."
            )
        if self.complet and not isinstance(request, aaf.AddRequest):
            raise RunRejected(
                f"« {file.name} » : un fichier Complet ne contient que des ajouts "
                f"(identifiant {request.id}). Tout le lot est rejeté."
            )
        named = self.named[request.category]
        if request.id in named:
            raise RunRejected(
                f"« {file.name} » : l'identifiant {request.id} ({request.category}) figure deux "
                "fois dans le lot. Deux entrées ne peuvent pas partager un identifiant : l'une "
                "prendrait le compte de l'autre. Tout le lot est rejeté."
            )
        named.add(request.id)
        unknown = aaf.unknown_attributes(request)
        if unknown:
            raise RunRejected(
                f"« {file.name} » : attribut inconnu « {unknown[0]} » pour la catégorie "
                f"{request.category} (identifiant {request.id}). L'import s'arrête : tout le "
                "lot est rejeté."
            )

    def _apply(self, category: str, requests: list[aaf.Request]) -> None:
        if category == aaf.ETAB:
            self._apply_structures(requests)
        elif category in (aaf.MEF, aaf.MAT):
            self._apply_nomenclatures(category, requests)
        else:
            self._apply_persons(category, requests)

    # Structures

    def _apply_structures(self, requests: list[aaf.Request]) -> None:
        for request in requests:
            structure = self.structures.get(request.id)
            if isinstance(request, aaf.AddRequest):
                self.seen[aaf.ETAB].add(request.id)
                attributes = _stored(request.attributes)
                if structure is None:
                    structure = Structure(world=self.world, jointure=request.id)
                    self.structures[request.id] = structure
                    self.new_structures.add(request.id)
                    self.structure_counts["creees"] += 1
                elif structure.present and structure.attributes == attributes:
                    if structure.feed != self.feed:
                        structure.feed = self.feed
                        structure.save(update_fields=["feed"])
                    self.structure_counts["inchangees"] += 1
                    continue
                else:
                    self.structure_counts["modifiees"] += 1
                structure.attributes = attributes
            elif structure is None or not structure.present:
                self.ignored += 1
                self.warn(f"Établissement {request.id} inconnu de l'ENT : demande ignorée.")
                continue
            elif isinstance(request, aaf.ModifyRequest):
                attributes = _modified(structure.attributes, request.modifications)
                if attributes == structure.attributes:
                    self.structure_counts["inchangees"] += 1
                    continue
                structure.attributes = attributes
                self.structure_counts["modifiees"] += 1
            else:
                structure.present = False
                structure.save(update_fields=["present"])
                self.structure_counts["fermees"] += 1
                continue
            structure.present = True
            structure.feed = self.feed
            self._derive_structure(structure)
            structure.save()
            self._declare_cohorts(structure)

    def _derive_structure(self, structure: Structure) -> None:
        attributes = structure.attributes
        structure.uai = _first(attributes, "ENTStructureUAI")[:10]
        structure.kind = _first(attributes, "ENTStructureTypeStruct")[:60]
        raw_name = _first(attributes, "ENTStructureNomCourant")
        try:
            name = aaf.StructureName.parse(raw_name)
            structure.sigle, structure.name, structure.city = (
                name.sigle[:20],
                name.name[:120],
                name.city[:80],
            )
        except FormatError:
            structure.sigle, structure.name = "", raw_name[:120]
            structure.city = _first(attributes, "l")[:80]

    def _declare_cohorts(self, structure: Structure) -> None:
        declared: dict[tuple[str, str], str] = {}
        for name, kind in (
            ("ENTStructureClasses", Cohort.Kind.CLASSE),
            ("ENTStructureGroupes", Cohort.Kind.GROUPE),
        ):
            for value in structure.attributes.get(name, []):
                try:
                    entry = aaf.CodeLabel.parse(value, name)
                except FormatError as error:
                    self.warn(f"{structure} : {error.message}")
                    continue
                declared[(kind, entry.code[:40])] = entry.label[:120]
        existing = {(c.kind, c.code): c for c in Cohort.objects.filter(structure=structure)}
        for (kind, code), label in declared.items():
            cohort = existing.get((kind, code))
            if cohort is None:
                cohort = Cohort.objects.create(
                    world=self.world,
                    structure=structure,
                    kind=kind,
                    code=code,
                    label=label,
                    declared=True,
                )
                self.cohort_ids[(structure.pk, kind, code)] = cohort.pk
            elif not cohort.declared or cohort.label != label:
                cohort.declared, cohort.label = True, label
                cohort.save(update_fields=["declared", "label"])
        stale = [c.pk for key, c in existing.items() if c.declared and key not in declared]
        if stale:
            Cohort.objects.filter(pk__in=stale).update(declared=False)

    # Nomenclatures (MEF, subjects)

    def _apply_nomenclatures(self, category: str, requests: list[aaf.Request]) -> None:
        kind = Nomenclature.Kind.MEF if category == aaf.MEF else Nomenclature.Kind.MATIERE
        label_name = "ENTLibelleMef" if category == aaf.MEF else "ENTLibelleMatiere"
        if self.nomenclatures is None:
            self.nomenclatures = defaultdict(dict)
            for entry in Nomenclature.objects.filter(world=self.world):
                self.nomenclatures[entry.kind][entry.jointure] = entry
        known = self.nomenclatures[kind]
        creates: dict[str, Nomenclature] = {}
        updates: dict[str, Nomenclature] = {}
        for request in requests:
            entry = known.get(request.id)
            if isinstance(request, aaf.AddRequest):
                self.seen[category].add(request.id)
                attributes = _stored(request.attributes)
                if entry is None:
                    entry = known[request.id] = Nomenclature(
                        world=self.world, kind=kind, jointure=request.id[:20]
                    )
                    creates[request.id] = entry
                elif entry.present and entry.attributes == attributes:
                    if entry.feed != self.feed:
                        entry.feed = self.feed
                        updates.setdefault(request.id, entry)
                    self.nomenclature_counts["inchangees"] += 1
                    continue
                entry.attributes = attributes
            elif entry is None or not entry.present:
                self.ignored += 1
                self.warn(f"{category} {request.id} inconnu de l'ENT : demande ignorée.")
                continue
            elif isinstance(request, aaf.ModifyRequest):
                entry.attributes = _modified(entry.attributes, request.modifications)
            else:
                entry.present = False
                self.nomenclature_counts["fermees"] += 1
                if request.id not in creates:
                    updates[request.id] = entry
                continue
            entry.present = True
            entry.feed = self.feed
            entry.label = _first(entry.attributes, label_name)[:120]
            if request.id not in creates:
                updates[request.id] = entry
                self.nomenclature_counts["modifiees"] += 1
        Nomenclature.objects.bulk_create(list(creates.values()), batch_size=500)
        self.nomenclature_counts["creees"] += len(creates)
        _update_rows(list(updates.values()), ["attributes", "present", "feed", "label"])

    # Persons

    def _apply_persons(self, category: str, requests: list[aaf.Request]) -> None:
        ids = list({request.id for request in requests})
        existing = {
            a.jointure: a for a in Account.objects.filter(world=self.world, jointure__in=ids)
        }
        creates: dict[str, Account] = {}
        updates: dict[str, Account] = {}
        changed: dict[str, Account] = {}
        relink: dict[str, Account] = {}
        for request in requests:
            account = existing.get(request.id)
            before = _links_of(account) if account is not None and account.pk else None
            if isinstance(request, aaf.AddRequest):
                self.seen[category].add(request.id)
                attributes = _stored(request.attributes)
                if account is None:
                    account = Account(
                        world=self.world,
                        jointure=request.id[:20],
                        category=category,
                        state=Account.State.NON_RETENU,
                        created_at=self.at,
                    )
                    existing[request.id] = creates[request.id] = account
                elif (
                    account.present
                    and account.category == category
                    and account.attributes == attributes
                ):
                    if account.feed != self.feed:
                        account.feed = self.feed
                        updates.setdefault(request.id, account)
                    if self._names_new_structure(account):
                        relink[request.id] = account
                    self.unchanged.add(account.pk)
                    continue
                account.attributes = attributes
            elif account is None or not account.present or account.category != category:
                self.ignored += 1
                verb = "Modification" if isinstance(request, aaf.ModifyRequest) else "Suppression"
                self.warn(
                    f"{verb} ignorée : {category} {request.id} absent de l'annuaire de l'ENT."
                )
                continue
            elif isinstance(request, aaf.ModifyRequest):
                attributes = _modified(account.attributes, request.modifications)
                if attributes == account.attributes:
                    self.unchanged.add(account.pk)
                    continue
                account.attributes = attributes
            if isinstance(request, aaf.DeleteRequest):
                account.present = False
            else:
                account.present = True
                account.category = category
                account.feed = self.feed
                self._derive_account(account)
            account.updated_at = self.at
            if request.id not in creates:
                updates[request.id] = account
            changed[request.id] = account
            if before is None or _links_of(account) != before:
                relink[request.id] = account
        Account.objects.bulk_create(list(creates.values()), batch_size=500)
        _update_rows(list(updates.values()), _ACCOUNT_FIELDS)
        for account in changed.values():
            self.changed.add(account.pk)
            self.unchanged.discard(account.pk)
        self._rebuild_links(
            list(relink.values()), fresh={account.pk for account in creates.values()}
        )

    def _names_new_structure(self, account: Account) -> bool:
        """Whether links skipped earlier (unknown establishment) can now be made."""
        if not self.new_structures:
            return False
        return any(
            value.split(aaf.SEPARATOR, 1)[0] in self.new_structures
            for name in _LINK_ATTRIBUTES
            for value in account.attributes.get(name, [])
        )

    def _derive_account(self, account: Account) -> None:
        attributes = account.attributes
        account.profile = _profile(account.category, attributes)
        account.last_name = _first(attributes, "sn")[:100]
        account.first_name = _first(attributes, "givenName")[:100]
        account.title = _first(attributes, "personalTitle")[:10]
        account.email = _first(attributes, "mail")[:150]
        birth = _first(attributes, "ENTPersonDateNaissance")
        try:
            account.birth_date = aaf.parse_date(birth) if birth else None
        except FormatError:
            account.birth_date = None
            self.warn(f"{account.jointure} : date de naissance illisible « {birth} ».")
        account.mef_code = _first(attributes, "ENTEleveMEF")[:20]
        account.mef_label = _first(attributes, "ENTEleveLibelleMEF")[:120]
        functions = _functions(attributes)
        account.functions = [
            [f.structure, f.filiere, f.filiere_label, f.discipline, f.discipline_label]
            for f in functions
        ]
        attached = _first(attributes, "ENTPersonStructRattach") or next(
            (f.structure for f in functions), ""
        )
        structure = self.structures.get(attached)
        account.structure = structure if structure is not None and structure.pk else None
        account.search_key = search_key(
            account.last_name, account.first_name, account.login or "", account.jointure
        )

    def _cohort_id(self, structure: Structure, kind: str, code: str) -> int:
        key = (structure.pk, kind, code)
        pk = self.cohort_ids.get(key)
        if pk is None:
            pk = Cohort.objects.create(
                world=self.world, structure=structure, kind=kind, code=code, label=code
            ).pk
            self.cohort_ids[key] = pk
        return pk

    def _rebuild_links(self, accounts: list[Account], fresh: set[int] = frozenset()) -> None:
        """Memberships and parent links of changed accounts: replaced by what the AAF says."""
        pks = [account.pk for account in accounts if account.pk not in fresh]
        for chunk in _chunks(pks):
            Membership.objects.filter(account_id__in=chunk).delete()
            ParentLink.objects.filter(pupil_id__in=chunk).delete()
        memberships: list[Membership] = []
        links: list[ParentLink] = []
        for account in accounts:
            if not account.present:
                continue
            merged: dict[tuple[int, str], Membership] = {}
            for name, kind, role, with_subject, principal in _COHORT_ATTRIBUTES.get(
                account.category, ()
            ):
                for value in account.attributes.get(name, []):
                    try:
                        fields = aaf.split_fields(value, aaf.FIELDS[name], name=name)
                    except FormatError as error:
                        self.warn(f"{account.full_name} ({account.jointure}) : {error.message}")
                        continue
                    structure = self.structures.get(fields[0])
                    if structure is None or structure.pk is None:
                        self.warn(
                            f"{account.full_name} ({account.jointure}) : « {fields[1]} » "
                            f"appartient à l'établissement {fields[0]}, inconnu de l'ENT : "
                            "ignoré."
                        )
                        continue
                    cohort_id = self._cohort_id(structure, kind, fields[1][:40])
                    membership = merged.get((cohort_id, role))
                    if membership is None:
                        membership = merged[(cohort_id, role)] = Membership(
                            world=self.world, cohort_id=cohort_id, account_id=account.pk, role=role
                        )
                    if with_subject and fields[2] and fields[2] not in membership.subjects:
                        membership.subjects = sorted([*membership.subjects, fields[2]])
                    if principal:
                        membership.principal = True
            memberships.extend(merged.values())
            if account.category == aaf.ELEVE:
                named: set[str] = set()
                for value in account.attributes.get("ENTElevePersRelEleve", []):
                    try:
                        link = aaf.RelativeLink.parse(value)
                    except FormatError as error:
                        self.warn(f"{account.full_name} ({account.jointure}) : {error.message}")
                        continue
                    if link.relative in named:
                        continue
                    named.add(link.relative)
                    links.append(
                        ParentLink(
                            world=self.world,
                            pupil_id=account.pk,
                            parent_jointure=link.relative[:20],
                            relationship=link.relationship[:10],
                            financial=link.financial[:4],
                            legal=link.legal[:4],
                            contact=link.contact[:4],
                            payment=link.payment[:4],
                        )
                    )
        Membership.objects.bulk_create(memberships, batch_size=1000)
        ParentLink.objects.bulk_create(links, batch_size=1000)

    # Complet: what the run no longer holds leaves the directory

    def _resync(self) -> None:
        for category in self.run.categories:
            seen = self.seen[category]
            if category in aaf.PERSONS:
                rows = Account.objects.filter(
                    world=self.world, feed=self.feed, category=category, present=True
                ).values_list("pk", "jointure")
                gone = [pk for pk, jointure in rows if jointure not in seen]
                for chunk in _chunks(gone):
                    Account.objects.filter(pk__in=chunk).update(present=False, updated_at=self.at)
                    Membership.objects.filter(account_id__in=chunk).delete()
                    ParentLink.objects.filter(pupil_id__in=chunk).delete()
                self.changed.update(gone)
            elif category == aaf.ETAB:
                for structure in self.structures.values():
                    if (
                        structure.pk
                        and structure.present
                        and structure.feed == self.feed
                        and structure.jointure not in seen
                    ):
                        structure.present = False
                        structure.save(update_fields=["present"])
                        self.structure_counts["fermees"] += 1
            else:
                kind = Nomenclature.Kind.MEF if category == aaf.MEF else Nomenclature.Kind.MATIERE
                rows = Nomenclature.objects.filter(
                    world=self.world, kind=kind, feed=self.feed, present=True
                ).values_list("pk", "jointure")
                gone = [pk for pk, jointure in rows if jointure not in seen]
                for chunk in _chunks(gone):
                    Nomenclature.objects.filter(pk__in=chunk).update(present=False)
                if gone:
                    self.nomenclature_counts["fermees"] += len(gone)

    # States, logins, counts

    def _settle_accounts(self) -> dict[str, int]:
        kept_parents = set(
            ParentLink.objects.filter(world=self.world, legal="1", pupil__present=True)
            .values_list("parent_jointure", flat=True)
            .distinct()
        )
        rows = Account.objects.filter(world=self.world).values_list(
            "pk", "category", "present", "state", "login", "jointure"
        )
        new, reopen, close, not_kept = [], [], [], 0
        touched = self.changed | self.unchanged
        for pk, category, present, state, login, jointure in rows:
            kept = present and (category != aaf.PERS_REL_ELEVE or jointure in kept_parents)
            if kept and state != Account.State.ACTIF:
                (new if login is None else reopen).append(pk)
            elif not kept and state == Account.State.ACTIF:
                close.append(pk)
            elif not kept and present and pk in touched:
                not_kept += 1
        for chunk in _chunks(close):
            Account.objects.filter(pk__in=chunk).update(
                state=Account.State.FERME, closed_at=self.at
            )
        for chunk in _chunks(reopen):
            Account.objects.filter(pk__in=chunk).update(state=Account.State.ACTIF, closed_at=None)
        self._give_logins(new)
        moved = set(new) | set(reopen) | set(close)
        return {
            "crees": len(new),
            "modifies": len(self.changed - moved - set(_inactive(self.changed - moved))),
            "fermes": len(close),
            "rouverts": len(reopen),
            "inchanges": len(self.unchanged - moved - set(_inactive(self.unchanged - moved))),
            "responsables_non_retenus": not_kept,
        }

    def _give_logins(self, pks: list[int]) -> None:
        if not pks:
            return
        taken = set(
            Account.objects.filter(world=self.world, login__isnull=False).values_list(
                "login", flat=True
            )
        )
        accounts = []
        for chunk in _chunks(pks):
            accounts.extend(
                Account.objects.filter(pk__in=chunk).only(
                    "pk", "first_name", "last_name", "jointure", "state"
                )
            )
        accounts.sort(key=lambda account: (account.last_name, account.first_name, account.pk))
        for account in accounts:
            account.login = login_next(login_base(account.first_name, account.last_name), taken)
            taken.add(account.login)
            account.activation_code = activation_code_new()
            account.state = Account.State.ACTIF
            account.closed_at = None
            account.search_key = search_key(
                account.last_name, account.first_name, account.login, account.jointure
            )
        _update_rows(accounts, ["login", "activation_code", "state", "closed_at", "search_key"])


_ACCOUNT_FIELDS = [
    "category",
    "profile",
    "present",
    "feed",
    "attributes",
    "last_name",
    "first_name",
    "title",
    "birth_date",
    "email",
    "structure",
    "mef_code",
    "mef_label",
    "functions",
    "search_key",
    "updated_at",
]


_LINK_ATTRIBUTES = tuple(
    sorted(
        {name for rows in _COHORT_ATTRIBUTES.values() for name, *_rest in rows}
        | {"ENTElevePersRelEleve"}
    )
)


def _links_of(account: Account) -> tuple:
    """What an account's memberships and parent links are made from."""
    return (
        account.present,
        account.category,
        tuple(tuple(account.attributes.get(name, ())) for name in _LINK_ATTRIBUTES),
    )


def _update_rows(objects: list, fields: list[str]) -> None:
    """Save `fields` of many rows in one executemany (Django's bulk_update builds one CASE per
    field and row, far slower for thousands of accounts). Values go through each field's own
    conversion, so JSON, dates and foreign keys are stored as `save()` would store them."""
    if not objects:
        return
    meta = type(objects[0])._meta
    quote = connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns]
        + [obj.pk]
        for obj in objects
    ]
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 1000):
            cursor.executemany(sql, chunk)


def _inactive(pks: set[int]) -> list[int]:
    found: list[int] = []
    for chunk in _chunks(list(pks)):
        found.extend(
            Account.objects.filter(pk__in=chunk)
            .exclude(state=Account.State.ACTIF)
            .values_list("pk", flat=True)
        )
    return found


def _stored(attributes) -> dict[str, list[str]]:
    """Attributes as stored: JSON lists, empty attributes dropped (absent = empty)."""
    return {name: list(values) for name, values in aaf.normal_attributes(attributes).items()}


def _modified(attributes: dict, modifications: Iterable[aaf.Modification]) -> dict:
    result = dict(attributes)
    for modification in modifications:
        if modification.values:
            result[modification.name] = list(modification.values)
        else:
            result.pop(modification.name, None)
    return result


# --- Exchanges: the nightly job, deposits ------------------------------------------------------


def aaf_exchange_import(
    *,
    world: World,
    exchange: Exchange,
    at: dt.datetime,
    progress: Callable[[int, int], None] | None = None,
) -> Exchange:
    """Import one run and settle its exchange: processed with the report, or rejected with the
    reason (then nothing of the run is applied). `progress(done, total)` is told before each
    file of the run."""
    expected = AAF_KINDS.get(exchange.kind)
    try:
        with exchange.file.open("rb") as handle, aaf.open_run(handle) as run:
            if expected is not None and run.kind != expected:
                raise RunRejected(
                    f"Le lot « {exchange.filename} » contient des fichiers {run.kind} mais a été "
                    f"transmis comme {expected}."
                )
            with transaction.atomic():
                report = _RunImport(
                    world=world, at=at, run=run, filename=exchange.filename, progress=progress
                )
                result = report.execute()
    except (FormatError, RunRejected) as error:
        return exchange_settle(
            exchange=exchange,
            state=Exchange.State.REJECTED,
            report={"fichier": exchange.filename, "motif": error.message},
            at=at,
        )
    return exchange_settle(exchange=exchange, state=Exchange.State.PROCESSED, report=result, at=at)


def aaf_pending(*, world: World, until: dt.datetime):
    return Exchange.objects.filter(
        world=world,
        kind__in=list(AAF_KINDS),
        target="ent",
        state=Exchange.State.PENDING,
        deposited_at__lte=until,
    ).order_by("deposited_at", "id")


def aaf_night_import(job: Job) -> dict:
    """The "ent.import" job (03:00): every AAF run received before `job.due_at`, in order."""
    world = job.world
    totals: Counter = Counter()
    imported = []
    pending = list(aaf_pending(world=world, until=job.due_at))
    for index, exchange in enumerate(pending):

        def progress(done: int, total: int, index: int = index) -> None:
            # each run is an equal share of the job; within a run, its files
            share = PROGRESS_SCALE * done // max(total, 1)
            job_progress_report(
                job=job, done=index * PROGRESS_SCALE + share, total=len(pending) * PROGRESS_SCALE
            )

        aaf_exchange_import(world=world, exchange=exchange, at=job.due_at, progress=progress)
        imported.append(exchange.filename)
        if exchange.state == Exchange.State.REJECTED:
            totals["rejetes"] += 1
            continue
        totals["traites"] += 1
        for key in ("crees", "modifies", "fermes", "rouverts", "inchanges"):
            totals[key] += exchange.report.get(key, 0)
    return {"lots": imported, **{key: totals[key] for key in _JOB_KEYS}}


_JOB_KEYS = ("traites", "rejetes", "crees", "modifies", "fermes", "rouverts", "inchanges")


def aaf_deposit(*, world: World, filename: str, content: bytes, user=None, kind: str) -> Exchange:
    """A run handed to the ENT by hand (upload): checked now, imported at the next 03:00."""
    expected = AAF_KINDS[kind]
    try:
        with aaf.open_run(content) as run:
            if run.kind != expected:
                raise ExchangeRefused(f"Ce lot contient des fichiers {run.kind}, pas {expected}.")
    except FormatError as error:
        raise ExchangeRefused(error.message) from error
    return exchange_record(
        world=world,
        kind=kind,
        source="aaf",
        target="ent",
        filename=filename,
        content=content,
        deposited_by=user,
        state=Exchange.State.PENDING,
    )


def aaf_deposit_complet(*, world: World, filename: str, content: bytes, user=None) -> Exchange:
    return aaf_deposit(
        world=world, filename=filename, content=content, user=user, kind="aaf_complet"
    )


def aaf_deposit_delta(*, world: World, filename: str, content: bytes, user=None) -> Exchange:
    return aaf_deposit(world=world, filename=filename, content=content, user=user, kind="aaf_delta")


# --- Accounts ------------------------------------------------------------------------------------


def account_activate(*, world: World, login: str, code: str) -> Account:
    """The user's first connection: login and activation code; the code is then spent."""
    login = login.strip().lower()
    code = code.strip().upper()
    with transaction.atomic():
        account = (
            Account.objects.select_for_update()
            .filter(world=world, login=login, state=Account.State.ACTIF)
            .first()
        )
        if account is None:
            raise EntError("Identifiant inconnu, ou compte fermé.")
        if account.activated_at is not None:
            raise EntError("Ce compte est déjà activé.")
        if not secrets.compare_digest(account.activation_code, code):
            raise EntError("Code d'activation incorrect.")
        account.activated_at = world.now()
        account.save(update_fields=["activated_at"])
    return account


# --- Textbooks ---------------------------------------------------------------------------------


def textbook_create(*, world: World, title: str, publisher: str = "") -> Textbook:
    title = " ".join(title.split())
    if not title:
        raise EntError("Indiquez le titre du manuel.")
    with transaction.atomic():
        if Textbook.objects.filter(world=world, title__iexact=title).exists():
            raise EntError(f"Le manuel « {title} » existe déjà.")
        return Textbook.objects.create(
            world=world, title=title, publisher=publisher.strip(), created_at=world.now()
        )


def textbook_assign(
    *,
    world: World,
    textbook: Textbook,
    cohort: Cohort | None = None,
    mef_code: str = "",
) -> TextbookAssignment:
    """Give a textbook to the pupils of a class or group (`cohort`) or of a MEF."""
    if textbook.world_id != world.pk or (cohort is not None and cohort.world_id != world.pk):
        raise EntError("Manuel ou groupe introuvable.")
    with transaction.atomic():
        if cohort is not None:
            target = (
                TextbookAssignment.Target.CLASSE
                if cohort.kind == Cohort.Kind.CLASSE
                else TextbookAssignment.Target.GROUPE
            )
            if TextbookAssignment.objects.filter(textbook=textbook, cohort=cohort).exists():
                raise EntError(f"« {textbook} » est déjà attribué {cohort.to_label} {cohort}.")
            return TextbookAssignment.objects.create(
                world=world, textbook=textbook, target=target, cohort=cohort, created_at=world.now()
            )
        mef_code = mef_code.strip()
        if not mef_code:
            raise EntError("Choisissez une classe, un groupe ou un MEF.")
        if TextbookAssignment.objects.filter(
            textbook=textbook, target=TextbookAssignment.Target.MEF, mef_code=mef_code
        ).exists():
            raise EntError(f"« {textbook} » est déjà attribué au MEF {mef_code}.")
        return TextbookAssignment.objects.create(
            world=world,
            textbook=textbook,
            target=TextbookAssignment.Target.MEF,
            mef_code=mef_code,
            created_at=world.now(),
        )


def textbook_unassign(*, world: World, assignment_id: int) -> None:
    deleted, _ = TextbookAssignment.objects.filter(world=world, pk=assignment_id).delete()
    if not deleted:
        raise EntError("Attribution introuvable.")
