"""Every write of the timetable software, each in one transaction.

Imports are all-or-nothing: a refused file raises `ExchangeRefused` (French message) before
or while writing, and the transaction leaves every table as it was.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from entsim import timeline
from entsim.formats import bee_eleves, structure_codes, sts_emp
from entsim.models import Exchange, World
from entsim.registry import ExchangeRefused
from entsim.services.exchanges import exchange_content, exchange_record, exchange_settle

from . import exchanges, selectors
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
    GroupeDivision,
    Importation,
    Matiere,
    Nomenclature,
    Salle,
    Service,
    ServiceEnseignant,
)

STRUCTURE_CODE_MAX = structure_codes.CODE_MAX
GROUPE_LIBELLE_MAX = structure_codes.LIBELLE_MAX


class EdtError(Exception):
    """A refused action in the software; the message is shown to the user (French)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def sts_name_hint(code: str) -> str | None:
    """Why STS-web would reject this group name at its import (a hint, never a block).

    STS-web accepts in group names only the characters of guide 2.7; the software itself does
    not check them.
    """
    bad = sorted(structure_codes.forbidden_chars(code))
    if not bad:
        return None
    shown = " ".join(f"« {char} »" for char in bad)
    return (
        f"STS-web refusera ce nom à l'import ({shown}) : seuls les lettres sans accent, les "
        "chiffres, les espaces, « - » et « _ » y sont acceptés."
    )


# --- Base -------------------------------------------------------------------------------------


def base_get(*, world: World, lock: bool = False) -> Base:
    """The software's base, created at first use for the world's establishment (its licence)."""
    rows = Base.objects.select_for_update() if lock else Base.objects
    base = rows.filter(world=world).first()
    if base is None:
        base = Base.objects.create(world=world, uai=world.home.uai if world.home else "")
    return base


@transaction.atomic
def spr_mode_set(*, world: World, spr: bool) -> Base:
    """Supervisor mode (SPR): needed to export the pupil-group links for SIECLE (guide 4.4)."""
    base = base_get(world=world, lock=True)
    base.spr = spr
    base.save(update_fields=["spr"])
    return base


def _year_label(year: int) -> str:
    return f"{year}-{year + 1}"


def _check_uai(base: Base, uai: str, source: str) -> None:
    if not base.uai:
        raise ExchangeRefused("Le logiciel EDT n'est rattaché à aucun établissement.")
    if uai != base.uai:
        raise ExchangeRefused(
            f"Ce fichier {source} concerne l'établissement {uai} ; ce logiciel EDT est celui "
            f"de l'établissement {base.uai}. Rien n'a été importé."
        )


def _check_year(world: World, base: Base, year: int, *, source: str, new_year_ok: bool) -> None:
    current = world.school_year()
    allowed = {current, current + 1}
    if base.annee is not None:
        allowed = {base.annee, base.annee + 1} & allowed if new_year_ok else {base.annee}
        if not allowed:
            allowed = {base.annee}
        if year not in allowed:
            raise ExchangeRefused(
                f"Année du fichier {source} ({_year_label(year)}) différente de l'année de la "
                f"base EDT ({_year_label(base.annee)}). Rien n'a été importé."
            )
    elif year not in allowed:
        raise ExchangeRefused(
            f"Le fichier {source} concerne l'année {_year_label(year)} : ni l'année en cours "
            f"({_year_label(current)}) ni l'année en préparation ({_year_label(current + 1)}). "
            "Rien n'a été importé."
        )


# --- Matching ---------------------------------------------------------------------------------


def _norm(value: str | None) -> str:
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.upper().split())


@dataclass
class _Item:
    """One subject, teacher or division of the STS-web file."""

    code: str
    libelle: str
    noms: frozenset[str]  # normalised names by which an unmatched object may be recognised
    donnees: dict


@dataclass(frozen=True)
class _KindSpec:
    model: type
    code_field: str
    old_field: str
    names: Callable[[object], set[str]]
    name_fields: tuple[str, ...]  # the software's own naming, kept on a match


def _dates_in(data: dict) -> dict:
    return {
        key: dt.date.fromisoformat(value) if key == "date_naissance" and value else value
        for key, value in data.items()
    }


KINDS: dict[str, _KindSpec] = {
    Correspondance.Kind.MATIERE: _KindSpec(
        Matiere,
        "sts_code",
        "ancien_sts_code",
        lambda o: {_norm(o.libelle), _norm(o.code_gestion), _norm(o.libelle_long)} - {""},
        ("libelle",),
    ),
    Correspondance.Kind.ENSEIGNANT: _KindSpec(
        Enseignant,
        "sts_id",
        "ancien_sts_id",
        lambda o: {_norm(f"{o.nom} {o.prenom}")},
        (),
    ),
    Correspondance.Kind.DIVISION: _KindSpec(
        Division,
        "sts_code",
        "ancien_sts_code",
        lambda o: {_norm(o.code)},
        ("code",),
    ),
}


def _apply(obj, data: dict, keep: tuple[str, ...]) -> None:
    for key, value in _dates_in(data).items():
        if key not in keep:
            setattr(obj, key, value)


def _unique_division_code(world: World, code: str, taken: set[str]) -> str:
    candidate, rank = code, 2
    while candidate in taken:
        candidate = f"{code} ({rank})"
        rank += 1
    taken.add(candidate)
    return candidate


def _create(world: World, kind: str, code: str, data: dict, taken_codes: set[str] | None = None):
    spec = KINDS[kind]
    obj = spec.model(world=world, **{spec.code_field: code})
    _apply(obj, data, ())
    if kind == Correspondance.Kind.DIVISION:
        obj.code = _unique_division_code(world, obj.code, taken_codes or set())
    return obj


def _match_kind(*, world: World, kind: str, items: list[_Item]) -> dict[str, int]:
    """Match the file's items to the software's objects of one kind; returns the counts.

    By STS code first, then by name among the unmatched objects. Objects whose code left
    the file lose their match. What is still unmatched is created when the software has no
    unmatched object of that kind left; otherwise it waits in Correspondance for the user.
    """
    spec = KINDS[kind]
    objects = list(spec.model.objects.filter(world=world))
    codes = {item.code for item in items}
    by_code = {getattr(o, spec.code_field): o for o in objects if getattr(o, spec.code_field)}
    changed = []
    for obj in objects:
        code = getattr(obj, spec.code_field)
        if code and code not in codes:
            setattr(obj, spec.old_field, code)
            setattr(obj, spec.code_field, "")
            by_code.pop(code, None)
            changed.append(obj)
    free = [o for o in objects if not getattr(o, spec.code_field)]
    counts = {"appariees": 0, "creees": 0, "a_etablir": 0}
    unmatched: list[_Item] = []
    for item in items:
        obj = by_code.get(item.code)
        if obj is None:
            obj = next((o for o in free if spec.names(o) & item.noms), None)
            if obj is not None:
                free.remove(obj)
                setattr(obj, spec.code_field, item.code)
        if obj is None:
            unmatched.append(item)
            continue
        _apply(obj, item.donnees, spec.name_fields)
        if obj not in changed:
            changed.append(obj)
        counts["appariees"] += 1
    if changed:
        # Two passes: codes cleared first, so that a code moving between objects stays unique.
        moving = [o for o in changed if getattr(o, spec.code_field)]
        spec.model.objects.filter(pk__in=[o.pk for o in moving]).update(**{spec.code_field: ""})
        fields = [
            f.name
            for f in spec.model._meta.concrete_fields
            if not f.primary_key and f.name != "world"
        ]
        spec.model.objects.bulk_update(changed, fields, batch_size=500)
    ignored = set(
        Correspondance.objects.filter(world=world, kind=kind, ignoree=True).values_list(
            "sts_code", flat=True
        )
    )
    Correspondance.objects.filter(world=world, kind=kind).delete()
    if unmatched and free:
        Correspondance.objects.bulk_create(
            Correspondance(
                world=world,
                kind=kind,
                sts_code=item.code,
                libelle=item.libelle[:120],
                donnees=item.donnees,
                ignoree=item.code in ignored,
            )
            for item in unmatched
        )
        counts["a_etablir"] = len(unmatched)
    elif unmatched:
        taken = set(Division.objects.filter(world=world).values_list("code", flat=True))
        spec.model.objects.bulk_create(
            [_create(world, kind, item.code, item.donnees, taken) for item in unmatched]
        )
        counts["creees"] = len(unmatched)
    counts["non_appariees_edt"] = len(free)
    return counts


# --- STS-web import ---------------------------------------------------------------------------


def _items_matieres(doc: sts_emp.StsEmp) -> list[_Item]:
    found = []
    for m in doc.nomenclatures.matieres:
        label = m.libelle_court or m.libelle_long or m.code
        found.append(
            _Item(
                code=m.code,
                libelle=f"{m.code} {label}",
                noms=frozenset(
                    {_norm(m.libelle_court), _norm(m.libelle_long), _norm(m.code_gestion)} - {""}
                ),
                donnees={
                    "libelle": label[:60],
                    "code_gestion": (m.code_gestion or "")[:10],
                    "libelle_long": (m.libelle_long or "")[:60],
                    "libelle_edition": (m.libelle_edition or "")[:60],
                },
            )
        )
    return found


def _teachers_in_services(doc: sts_emp.StsEmp) -> set[str]:
    structure = doc.donnees.structure
    return {
        ref.id
        for holder in (*structure.divisions, *structure.groupes)
        for service in holder.services
        for ref in service.enseignants
    }


def _items_enseignants(doc: sts_emp.StsEmp) -> list[_Item]:
    civilites = {c.code: c.libelle_court or "" for c in doc.nomenclatures.civilites}
    teaching = _teachers_in_services(doc)
    found: dict[str, _Item] = {}
    people = [(p, False) for p in doc.donnees.individus] + [
        (p, True) for p in doc.donnees.suppleants
    ]
    for person, suppleant in people:
        if person.id in found:
            continue
        if person.fonction not in (None, "", "ENS") and person.id not in teaching:
            continue
        nom = person.nom_usage or person.nom_patronymique or person.id
        prenom = person.prenom or ""
        discipline = person.disciplines[0] if person.disciplines else None
        found[person.id] = _Item(
            code=person.id,
            libelle=f"{nom} {prenom}".strip(),
            noms=frozenset({_norm(f"{nom} {prenom}")}),
            donnees={
                "sts_type": person.type or "epp",
                "civilite": civilites.get(person.civilite or "", "")[:5],
                "nom": nom[:60],
                "prenom": prenom[:60],
                "nom_patronymique": (person.nom_patronymique or "")[:60],
                "date_naissance": person.date_naissance.isoformat()
                if person.date_naissance
                else None,
                "fonction": (person.fonction or "")[:5],
                "discipline": (
                    (discipline.libelle_court or discipline.code)[:60] if discipline else ""
                ),
                "suppleant": suppleant,
            },
        )
    return list(found.values())


def _items_divisions(doc: sts_emp.StsEmp) -> list[_Item]:
    return [
        _Item(
            code=d.code,
            libelle=f"{d.code} {d.libelle_long or ''}".strip(),
            noms=frozenset({_norm(d.code)}),
            donnees={
                "code": d.code,
                "libelle": (d.libelle_long or "")[:40],
                "mefs": [m.code for m in d.mefs_appartenance],
                "effectif_prevu": d.effectif_prevu,
            },
        )
        for d in doc.donnees.structure.divisions
    ]


def _check_structure(doc: sts_emp.StsEmp) -> None:
    seen_people: set[str] = set()
    for person in doc.donnees.individus:
        if person.id in seen_people:
            raise ExchangeRefused(
                f"Fichier STS-web refusé : l'individu d'ID {person.id} y figure deux fois."
            )
        seen_people.add(person.id)
    structure = doc.donnees.structure
    for holder, label in ((structure.divisions, "division"), (structure.groupes, "groupe")):
        seen = set()
        for item in holder:
            if not item.code or len(item.code) > STRUCTURE_CODE_MAX:
                raise ExchangeRefused(
                    f"Fichier STS-web refusé : code de {label} « {item.code} » invalide "
                    f"(1 à {STRUCTURE_CODE_MAX} caractères)."
                )
            if item.code in seen:
                raise ExchangeRefused(
                    f"Fichier STS-web refusé : la {label} « {item.code} » y figure deux fois."
                )
            seen.add(item.code)


def _nomenclatures(world: World, doc: sts_emp.StsEmp) -> int:
    rows = [
        Nomenclature(
            world=world,
            kind=Nomenclature.Kind.MEF,
            code=m.code,
            libelle_court=(m.formation or "")[:60],
            libelle_long=(m.libelle_long or "")[:100],
        )
        for m in doc.nomenclatures.mefs
    ]
    rows += [
        Nomenclature(
            world=world,
            kind=Nomenclature.Kind.MOD_COURS,
            code=m.code,
            libelle_court=(m.libelle_court or "")[:60],
            libelle_long=(m.libelle_long or "")[:100],
            co_ens=m.co_ens,
        )
        for m in doc.nomenclatures.mods_cours
    ]
    rows += [
        Nomenclature(
            world=world,
            kind=Nomenclature.Kind.CIVILITE,
            code=c.code,
            libelle_court=(c.libelle_court or "")[:60],
            libelle_long=(c.libelle_long or "")[:100],
        )
        for c in doc.nomenclatures.civilites
    ]
    Nomenclature.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["world", "kind", "code"],
        update_fields=["libelle_court", "libelle_long", "co_ens"],
    )
    return len(rows)


def _apply_structure(world: World, doc: sts_emp.StsEmp) -> dict:
    """Groups and services of the file, on what is matched now (re-run after matching)."""
    divisions = {d.sts_code: d for d in Division.objects.filter(world=world).exclude(sts_code="")}
    matieres = {m.sts_code: m for m in Matiere.objects.filter(world=world).exclude(sts_code="")}
    teachers = {e.sts_id: e for e in Enseignant.objects.filter(world=world).exclude(sts_id="")}
    groupes = {g.code: g for g in Groupe.objects.filter(world=world)}
    structure = doc.donnees.structure
    created_groups, updated_groups = 0, 0
    new_groups = []
    for g in structure.groupes:
        obj = groupes.get(g.code)
        if obj is None:
            obj = Groupe(world=world, code=g.code, origine=Groupe.Origine.STS)
            new_groups.append(obj)
            groupes[g.code] = obj
            created_groups += 1
        else:
            updated_groups += 1
        obj.libelle = (g.libelle_long or obj.libelle or "")[:GROUPE_LIBELLE_MAX]
        obj.effectif_prevu = g.effectif_prevu
    Groupe.objects.bulk_create(new_groups)
    Groupe.objects.bulk_update(
        [groupes[g.code] for g in structure.groupes if groupes[g.code] not in new_groups],
        ["libelle", "effectif_prevu"],
        batch_size=500,
    )
    GroupeDivision.objects.bulk_create(
        [
            GroupeDivision(world=world, groupe=groupes[g.code], division=divisions[link.code])
            for g in structure.groupes
            for link in g.divisions_appartenance
            if link.code in divisions
        ],
        ignore_conflicts=True,
    )
    existing: dict[tuple, Service] = {
        (s.division_id, s.groupe_id, s.matiere_id, s.mod_cours): s
        for s in Service.objects.filter(world=world)
    }
    skipped: list[str] = []
    new_services: list[Service] = []
    wanted_links: list[tuple[Service, Enseignant]] = []
    found = 0
    holders = [(d, True) for d in structure.divisions] + [(g, False) for g in structure.groupes]
    for holder, is_division in holders:
        for s in holder.services:
            matiere = matieres.get(s.code_matiere)
            division = divisions.get(holder.code) if is_division else None
            groupe = None if is_division else groupes[holder.code]
            if matiere is None:
                skipped.append(f"{holder.code} {s.code_matiere} (matière non appariée)")
                continue
            if is_division and division is None:
                skipped.append(f"{holder.code} {s.code_matiere} (division non appariée)")
                continue
            key = (
                division.pk if division else None,
                groupe.pk if groupe else None,
                matiere.pk,
                s.code_mod_cours,
            )
            service = existing.get(key)
            if service is None:
                service = Service(
                    world=world,
                    matiere=matiere,
                    mod_cours=s.code_mod_cours[:4],
                    division=division,
                    groupe=groupe,
                )
                existing[key] = service
                new_services.append(service)
            else:
                found += 1
            for ref in s.enseignants:
                teacher = teachers.get(ref.id)
                if teacher is None:
                    skipped.append(
                        f"{holder.code} {s.code_matiere} : enseignant {ref.id} non apparié"
                    )
                else:
                    wanted_links.append((service, teacher))
    Service.objects.bulk_create(new_services)
    ServiceEnseignant.objects.bulk_create(
        [
            ServiceEnseignant(world=world, service=service, enseignant=teacher)
            for service, teacher in wanted_links
        ],
        ignore_conflicts=True,
    )
    return {
        "groupes_crees": created_groups,
        "groupes_mis_a_jour": updated_groups,
        "services_crees": len(new_services),
        "services_deja_presents": found,
        "services_non_importes": len(skipped),
        "services_non_importes_detail": skipped[:50],
    }


@transaction.atomic
def sts_import(
    *,
    world: World,
    doc: sts_emp.StsEmp,
    filename: str,
    exchange: Exchange | None = None,
    user=None,
) -> Importation:
    """Import the STS-web file: nomenclatures, divisions, teachers, subjects, groups, services.

    Refused (nothing changed) when the file is another establishment's or another year's.
    A file of the next school year moves the base to that year.
    """
    base = base_get(world=world, lock=True)
    _check_uai(base, doc.uai, "STS-web")
    _check_year(world, base, doc.annee, source="STS-web", new_year_ok=True)
    _check_structure(doc)
    new_year = base.annee is not None and doc.annee != base.annee
    uaj = doc.parametres.uaj
    base.annee = doc.annee
    base.date_debut = doc.parametres.annee_scolaire.date_debut
    base.date_fin = doc.parametres.annee_scolaire.date_fin
    base.denomination = " ".join(
        part for part in (uaj.sigle, uaj.denom_princ, uaj.denom_compl) if part
    )[:120]
    base.academie = (uaj.academie.libelle or "") if uaj.academie else ""
    base.save()
    if new_year:
        Eleve.objects.filter(world=world).update(actif=False)
    report: dict = {"annee": _year_label(doc.annee), "nomenclatures": _nomenclatures(world, doc)}
    for kind, items in (
        (Correspondance.Kind.MATIERE, _items_matieres(doc)),
        (Correspondance.Kind.ENSEIGNANT, _items_enseignants(doc)),
        (Correspondance.Kind.DIVISION, _items_divisions(doc)),
    ):
        report[str(kind)] = _match_kind(world=world, kind=kind, items=items)
    report.update(_apply_structure(world, doc))
    report["correspondances_a_etablir"] = selectors.correspondances_pending_count(world=world)
    return Importation.objects.create(
        world=world,
        kind=Importation.Kind.STS,
        filename=filename,
        exchange=exchange,
        at=world.now(),
        by=user,
        annee=doc.annee,
        report=report,
    )


def sts_import_exchange(*, world: World, exchange: Exchange, user=None) -> Importation:
    """'Récupérer le fichier de STS-web': the last STS_EDT file sent to the software."""
    try:
        with transaction.atomic():
            doc = exchanges.read_sts(exchange.filename, exchange_content(exchange=exchange))
            importation = sts_import(
                world=world, doc=doc, filename=exchange.filename, exchange=exchange, user=user
            )
            exchange_settle(
                exchange=exchange, state=Exchange.State.PROCESSED, report=_flat(importation)
            )
            return importation
    except ExchangeRefused as refusal:
        exchange_settle(
            exchange=exchange, state=Exchange.State.REJECTED, report={"refus": refusal.message}
        )
        raise


def _flat(importation: Importation) -> dict:
    """The import report as the exchange's report (one line per key on the command line)."""
    flat = {}
    for key, value in importation.report.items():
        if isinstance(value, dict):
            flat[key] = ", ".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list):
            flat[key] = len(value)
        else:
            flat[key] = value
    return flat


@transaction.atomic
def sts_file_import(*, world: World, filename: str, content: bytes, user=None) -> Importation:
    """An STS-web file handed to the software (upload, command line): recorded, read at once."""
    doc = exchanges.read_sts(filename, content)
    exchange = exchange_record(
        world=world,
        kind="sts_emp",
        source="sts",
        target="edt",
        filename=filename,
        content=content,
        deposited_by=user,
    )
    importation = sts_import(world=world, doc=doc, filename=filename, exchange=exchange, user=user)
    exchange_settle(exchange=exchange, state=Exchange.State.PROCESSED, report=_flat(importation))
    return importation


def sts_file_deposit(*, world: World, filename: str, content: bytes, user=None) -> Exchange:
    """The registry's reader of `sts_emp` (exchange_import NAME sts_emp FILE)."""
    return sts_file_import(world=world, filename=filename, content=content, user=user).exchange


# --- Matching screen --------------------------------------------------------------------------

CREATE = "creer"
IGNORE = "ignorer"


@transaction.atomic
def correspondances_etablir(*, world: World, choix: dict[int, str], user=None) -> dict[str, int]:
    """The user's answers on the matching screen: `choix[correspondance id]` is CREATE, IGNORE,
    the id of an unmatched object of the same kind, or "" (decide later).

    Then the groups and services of the last STS-web file are applied again, on the new matches.
    """
    pending = {c.pk: c for c in Correspondance.objects.select_for_update().filter(world=world)}
    done = {"appariees": 0, "creees": 0, "ignorees": 0}
    used: set[tuple[str, int]] = set()
    taken = set(Division.objects.filter(world=world).values_list("code", flat=True))
    for pk, answer in choix.items():
        row = pending.get(pk)
        if row is None or not answer:
            continue
        spec = KINDS[row.kind]
        if answer == IGNORE:
            row.ignoree = True
            row.save(update_fields=["ignoree"])
            done["ignorees"] += 1
            continue
        if answer == CREATE:
            _create(world, row.kind, row.sts_code, row.donnees, taken).save()
            done["creees"] += 1
        else:
            try:
                pk_choice = int(answer)
                if (row.kind, pk_choice) in used:
                    raise EdtError(
                        f"« {spec.model.objects.get(world=world, pk=pk_choice)} » est choisi "
                        "pour deux éléments de STS-web."
                    )
                obj = selectors.unmatched_objects(world=world, kind=row.kind).get(pk=pk_choice)
            except (ValueError, spec.model.DoesNotExist) as missing:
                raise EdtError(
                    f"Choix impossible pour « {row.libelle} » : cet élément n'est plus libre."
                ) from missing
            used.add((row.kind, obj.pk))
            setattr(obj, spec.code_field, row.sts_code)
            _apply(obj, row.donnees, spec.name_fields)
            obj.save()
            done["appariees"] += 1
        row.delete()
    last = selectors.last_import(world=world, kind=Importation.Kind.STS)
    if last is not None and last.exchange is not None and (done["appariees"] or done["creees"]):
        doc = exchanges.read_sts(last.exchange.filename, exchange_content(exchange=last.exchange))
        structure = _apply_structure(world, doc)
        done["services_crees"] = structure["services_crees"]
        done["groupes_crees"] = structure["groupes_crees"]
    return done


# --- Groups -----------------------------------------------------------------------------------


def _clean_code(code: str) -> str:
    code = code.strip()
    if not code:
        raise EdtError("Le nom du groupe est obligatoire.")
    if len(code) > STRUCTURE_CODE_MAX:
        raise EdtError(
            f"Le nom du groupe « {code} » dépasse {STRUCTURE_CODE_MAX} caractères "
            "(longueur des codes de structure de STS-web et de SIECLE)."
        )
    return code


def _set_divisions(world: World, groupe: Groupe, divisions: Iterable[Division]) -> None:
    wanted = {d.pk for d in divisions if d.world_id == world.pk}
    GroupeDivision.objects.filter(groupe=groupe).exclude(division_id__in=wanted).delete()
    GroupeDivision.objects.bulk_create(
        [GroupeDivision(world=world, groupe=groupe, division_id=pk) for pk in wanted],
        ignore_conflicts=True,
    )


@transaction.atomic
def groupe_create(
    *, world: World, code: str, libelle: str = "", divisions: Iterable[Division] = ()
) -> Groupe:
    code = _clean_code(code)
    if Groupe.objects.filter(world=world, code=code).exists():
        raise EdtError(f"Un groupe « {code} » existe déjà.")
    groupe = Groupe.objects.create(
        world=world, code=code, libelle=(libelle.strip() or code)[:GROUPE_LIBELLE_MAX]
    )
    _set_divisions(world, groupe, divisions)
    return groupe


@transaction.atomic
def groupe_update(
    *, world: World, groupe: Groupe, code: str, libelle: str, divisions: Iterable[Division]
) -> Groupe:
    """Rename a group and choose the divisions it draws from (its pupils stay in it)."""
    code = _clean_code(code)
    if Groupe.objects.filter(world=world, code=code).exclude(pk=groupe.pk).exists():
        raise EdtError(f"Un groupe « {code} » existe déjà.")
    groupe.code = code
    groupe.libelle = (libelle.strip() or code)[:GROUPE_LIBELLE_MAX]
    groupe.save(update_fields=["code", "libelle"])
    _set_divisions(world, groupe, divisions)
    return groupe


@transaction.atomic
def groupe_delete(*, world: World, groupe: Groupe) -> None:
    """Delete a group, its memberships, its services and their courses."""
    Groupe.objects.filter(world=world, pk=groupe.pk).delete()


@transaction.atomic
def groupe_eleves_add(*, world: World, groupe: Groupe, eleves: Iterable[Eleve]) -> int:
    """Put pupils in a group; returns how many were not in it yet."""
    ids = {e.pk for e in eleves if e.world_id == world.pk}
    already = set(
        Appartenance.objects.filter(groupe=groupe, eleve_id__in=ids).values_list(
            "eleve_id", flat=True
        )
    )
    new = ids - already
    Appartenance.objects.bulk_create(
        [Appartenance(world=world, groupe=groupe, eleve_id=pk) for pk in sorted(new)],
        ignore_conflicts=True,
    )
    return len(new)


def groupe_division_add(*, world: World, groupe: Groupe, division: Division) -> int:
    """A whole division at once."""
    return groupe_eleves_add(
        world=world,
        groupe=groupe,
        eleves=Eleve.objects.filter(world=world, actif=True, division=division),
    )


def groupe_option_add(
    *, world: World, groupe: Groupe, divisions: Iterable[Division], code_matiere: str
) -> int:
    """By option: every pupil of these divisions taking this subject (BEE_ELEVES OPTIONS)."""
    return groupe_eleves_add(
        world=world,
        groupe=groupe,
        eleves=Eleve.objects.filter(
            world=world,
            actif=True,
            division__in=list(divisions),
            options__code_matiere=code_matiere,
        ).distinct(),
    )


@transaction.atomic
def groupe_eleve_remove(*, world: World, groupe: Groupe, eleve: Eleve) -> bool:
    deleted, _ = Appartenance.objects.filter(world=world, groupe=groupe, eleve=eleve).delete()
    return bool(deleted)


# --- Services and timetable -------------------------------------------------------------------


@transaction.atomic
def service_create(
    *,
    world: World,
    matiere: Matiere,
    mod_cours: str,
    division: Division | None,
    groupe: Groupe | None,
    enseignant: Enseignant | None,
    heures: Decimal | None,
) -> Service:
    if (division is None) == (groupe is None):
        raise EdtError("Un service se rattache à une division ou à un groupe (un seul des deux).")
    service = Service.objects.create(
        world=world,
        matiere=matiere,
        mod_cours=(mod_cours or "CG")[:4],
        division=division,
        groupe=groupe,
        heures=heures,
    )
    if enseignant is not None:
        ServiceEnseignant.objects.create(world=world, service=service, enseignant=enseignant)
    return service


@transaction.atomic
def service_delete(*, world: World, service: Service) -> None:
    Service.objects.filter(world=world, pk=service.pk).delete()


@transaction.atomic
def service_enseignant_add(*, world: World, service: Service, enseignant: Enseignant) -> None:
    ServiceEnseignant.objects.get_or_create(world=world, service=service, enseignant=enseignant)


def _overlaps(world: World, cours: Cours) -> list[str]:
    end = _minutes(cours.heure_debut) + cours.duree
    problems = []
    same_day = Cours.objects.filter(world=world, jour=cours.jour).select_related(
        "service__division", "service__groupe", "enseignant", "salle"
    )
    for other in same_day:
        if _minutes(other.heure_debut) >= end or _minutes(other.heure_debut) + other.duree <= (
            _minutes(cours.heure_debut)
        ):
            continue
        if cours.enseignant_id and other.enseignant_id == cours.enseignant_id:
            problems.append(f"{other.enseignant} a déjà cours ({other.service.structure})")
        if cours.salle_id and other.salle_id == cours.salle_id:
            problems.append(f"la salle {other.salle} est occupée ({other.service.structure})")
    return problems


def _minutes(moment: dt.time) -> int:
    return moment.hour * 60 + moment.minute


@transaction.atomic
def cours_create(
    *,
    world: World,
    service: Service,
    jour: int,
    heure_debut: dt.time,
    duree: int,
    salle_code: str = "",
    enseignant: Enseignant | None = None,
) -> tuple[Cours, list[str]]:
    """Place a course in the week; returns it with the clashes found (a hint, not a block)."""
    if duree <= 0 or _minutes(heure_debut) + duree > 24 * 60:
        raise EdtError("Durée de cours impossible.")
    salle = None
    if salle_code.strip():
        salle, _ = Salle.objects.get_or_create(world=world, code=salle_code.strip()[:20])
    if enseignant is None:
        enseignant = service.enseignants.order_by("nom").first()
    cours = Cours(
        world=world,
        service=service,
        enseignant=enseignant,
        jour=jour,
        heure_debut=heure_debut,
        duree=duree,
        salle=salle,
    )
    clashes = _overlaps(world, cours)
    cours.save()
    return cours, clashes


@transaction.atomic
def cours_delete(*, world: World, cours: Cours) -> None:
    Cours.objects.filter(world=world, pk=cours.pk).delete()


# --- SIECLE pupils import ---------------------------------------------------------------------


def _check_pupils(doc: bee_eleves.BeeEleves) -> None:
    if not doc.donnees.eleves:
        raise ExchangeRefused("Le fichier élèves ne contient aucun élève. Rien n'a été importé.")
    ids: set[int] = set()
    ines: set[str] = set()
    for pupil in doc.donnees.eleves:
        if pupil.eleve_id in ids:
            raise ExchangeRefused(
                f"Fichier élèves refusé : l'ELEVE_ID {pupil.eleve_id} y figure deux fois."
            )
        ids.add(pupil.eleve_id)
        ine = (pupil.id_national or "").strip()
        if ine and ine in ines:
            raise ExchangeRefused(f"Fichier élèves refusé : l'INE {ine} y figure deux fois.")
        if ine:
            ines.add(ine)
        if ine and len(ine) != 11:
            raise ExchangeRefused(
                f"Fichier élèves refusé : INE « {ine} » invalide (11 caractères attendus)."
            )
    for entry in doc.donnees.structures:
        for structure in entry.structures:
            problem = structure_codes.code_problem(structure.code_structure or "")
            if problem:
                raise ExchangeRefused(f"Fichier élèves refusé : {problem}.")


@transaction.atomic
def eleves_import(
    *,
    world: World,
    doc: bee_eleves.BeeEleves,
    filename: str,
    exchange: Exchange | None = None,
    user=None,
    avec_groupes: bool = False,
) -> Importation:
    """Import SIECLE's pupils: identity, ELEVE_ID, INE, MEF, division, options.

    A pupil already known (by ELEVE_ID, else INE) is updated and keeps their groups; pupils
    absent from the file are kept aside (not sent to SIECLE). Unknown divisions are created
    (not matched to STS-web until an STS import recognises them). With `avec_groupes`, the
    groups SIECLE already holds (TYPE_STRUCTURE G) are added when the software knows them.
    """
    base = base_get(world=world, lock=True)
    _check_uai(base, doc.uai, "SIECLE")
    _check_year(world, base, doc.annee, source="SIECLE", new_year_ok=False)
    _check_pupils(doc)
    if base.annee is None:
        base.annee = doc.annee
        base.save(update_fields=["annee"])
    structures = doc.structures_by_eleve()
    options = doc.options_by_eleve()
    divisions = {d.code: d for d in Division.objects.filter(world=world)}
    divisions.update(
        {d.sts_code: d for d in Division.objects.filter(world=world).exclude(sts_code="")}
    )
    created_divisions = []
    existing = {e.siecle_id: e for e in Eleve.objects.filter(world=world)}
    by_ine = {e.ine: e for e in existing.values() if e.ine}
    new, updated = [], []
    fields = [
        "siecle_id",
        "elenoet",
        "ine",
        "nom",
        "nom_usage",
        "prenom",
        "prenom2",
        "prenom3",
        "date_naissance",
        "sexe",
        "code_mef",
        "division",
        "division_code",
        "date_entree",
        "date_sortie",
        "actif",
    ]
    in_file: dict[int, Eleve] = {}
    for item in doc.donnees.eleves:
        ine = (item.id_national or "").strip()
        pupil = existing.get(item.eleve_id) or (by_ine.get(ine) if ine else None)
        if pupil is None:
            pupil = Eleve(world=world)
            new.append(pupil)
        else:
            updated.append(pupil)
        code = next(
            (
                s.code_structure
                for s in structures.get(item.eleve_id, ())
                if s.type_structure == bee_eleves.TypeStructure.DIVISION
            ),
            "",
        )
        if code and code not in divisions:
            division = Division(world=world, code=code[:20], libelle=code[:40])
            divisions[code] = division
            created_divisions.append(division)
        pupil.siecle_id = item.eleve_id
        pupil.elenoet = (item.elenoet or item.elenoet_texte or "")[:20]
        pupil.ine = ine[:11]
        pupil.nom = item.nom_de_famille[:100]
        pupil.nom_usage = (item.nom_usage or "")[:100]
        pupil.prenom = item.prenom[:100]
        pupil.prenom2 = (item.prenom2 or "")[:100]
        pupil.prenom3 = (item.prenom3 or "")[:100]
        pupil.date_naissance = item.date_naiss
        pupil.sexe = (item.code_sexe or "")[:1]
        pupil.code_mef = (item.code_mef or "")[:11]
        pupil.division = divisions.get(code) if code else None
        pupil.division_code = code[:20]
        pupil.date_entree = item.date_entree
        pupil.date_sortie = item.date_sortie
        pupil.actif = True
        in_file[item.eleve_id] = pupil
    Division.objects.bulk_create(created_divisions)
    for pupil in created_division_pupils(new, updated, created_divisions):
        pupil.division = pupil.division  # the division was saved after the assignment
    Eleve.objects.bulk_update(updated, fields, batch_size=500)
    Eleve.objects.bulk_create(new, batch_size=500)
    kept = {id(p) for p in updated}
    absent = [p for p in existing.values() if p.actif and id(p) not in kept]
    for pupil in absent:
        pupil.actif = False
    Eleve.objects.bulk_update(absent, ["actif"], batch_size=500)
    EleveOption.objects.filter(world=world, eleve__actif=True).delete()
    option_rows = [
        EleveOption(
            world=world,
            eleve=in_file[eleve_id],
            num_option=option.num_option,
            modalite=(option.code_modalite_elect or "")[:2],
            code_matiere=option.code_matiere[:6],
        )
        for eleve_id, chosen in options.items()
        if eleve_id in in_file
        for option in chosen
    ]
    EleveOption.objects.bulk_create(option_rows, batch_size=1000)
    report: dict = {
        "annee": _year_label(doc.annee),
        "eleves": len(in_file),
        "nouveaux": len(new),
        "mis_a_jour": len(updated),
        "absents_du_fichier": len(absent),
        "options": len(option_rows),
        "divisions_creees": [d.code for d in created_divisions],
    }
    if avec_groupes:
        groupes = {g.code: g for g in Groupe.objects.filter(world=world)}
        links, unknown = [], set()
        for eleve_id, found in structures.items():
            for s in found:
                if s.type_structure != bee_eleves.TypeStructure.GROUPE or eleve_id not in in_file:
                    continue
                if s.code_structure in groupes:
                    links.append(
                        Appartenance(
                            world=world, groupe=groupes[s.code_structure], eleve=in_file[eleve_id]
                        )
                    )
                else:
                    unknown.add(s.code_structure)
        Appartenance.objects.bulk_create(links, ignore_conflicts=True, batch_size=1000)
        report["liens_groupes_repris"] = len(links)
        report["groupes_inconnus"] = sorted(unknown)
    return Importation.objects.create(
        world=world,
        kind=Importation.Kind.ELEVES,
        filename=filename,
        exchange=exchange,
        at=world.now(),
        by=user,
        annee=doc.annee,
        report=report,
    )


def eleves_import_exchange(
    *, world: World, exchange: Exchange, user=None, avec_groupes: bool = False
) -> Importation:
    """'Récupérer les élèves de SIECLE': the last pupils export sent to the software."""
    try:
        with transaction.atomic():
            doc = exchanges.read_eleves(exchange.filename, exchange_content(exchange=exchange))
            importation = eleves_import(
                world=world,
                doc=doc,
                filename=exchange.filename,
                exchange=exchange,
                user=user,
                avec_groupes=avec_groupes,
            )
            exchange_settle(
                exchange=exchange, state=Exchange.State.PROCESSED, report=_flat(importation)
            )
            return importation
    except ExchangeRefused as refusal:
        exchange_settle(
            exchange=exchange, state=Exchange.State.REJECTED, report={"refus": refusal.message}
        )
        raise


def created_division_pupils(
    new: list[Eleve], updated: list[Eleve], created: list[Division]
) -> list[Eleve]:
    ids = {id(d) for d in created}
    return [p for p in (*new, *updated) if p.division is not None and id(p.division) in ids]


@transaction.atomic
def eleves_file_import(
    *,
    world: World,
    kind: str,
    filename: str,
    content: bytes,
    user=None,
    avec_groupes: bool = False,
) -> Importation:
    """A pupils export handed to the software (upload, command line): recorded, read at once."""
    doc = exchanges.read_eleves(filename, content)
    exchange = exchange_record(
        world=world,
        kind=kind,
        source="siecle",
        target="edt",
        filename=filename,
        content=content,
        deposited_by=user,
    )
    importation = eleves_import(
        world=world,
        doc=doc,
        filename=filename,
        exchange=exchange,
        user=user,
        avec_groupes=avec_groupes,
    )
    exchange_settle(exchange=exchange, state=Exchange.State.PROCESSED, report=_flat(importation))
    return importation


def _eleves_deposit(kind: str):
    def deposit(*, world: World, filename: str, content: bytes, user=None) -> Exchange:
        return eleves_file_import(
            world=world, kind=kind, filename=filename, content=content, user=user
        ).exchange

    deposit.__name__ = f"{kind}_deposit"
    return deposit


eleves_sans_adresses_deposit = _eleves_deposit("eleves_sans_adresses")
eleves_avec_adresses_deposit = _eleves_deposit("eleves_avec_adresses")


# --- Exports ----------------------------------------------------------------------------------


def _export_base(world: World) -> Base:
    base = base_get(world=world, lock=True)
    if base.annee is None or base.date_debut is None or base.date_fin is None:
        raise ExchangeRefused(
            "Aucun fichier STS-web n'a encore été importé : importez d'abord le fichier "
            "Emploi du temps de STS-web (année, divisions, enseignants)."
        )
    return base


@transaction.atomic
def emp_sts_export(*, world: World, user=None) -> Exchange:
    """Exporter vers STS-web: groups and services (EDT_STS), only what is matched to STS."""
    base = _export_base(world)
    data = selectors.export_data(world=world, base=base)
    name, content, report = exchanges.emp_sts_file(data)
    return exchange_record(
        world=world,
        kind="emp_sts",
        source="edt",
        target="sts",
        filename=name,
        content=content,
        deposited_by=user,
        report=report,
    )


@transaction.atomic
def elegroupe_export(*, world: World, user=None, supervisor: bool | None = None) -> Exchange:
    """The pupil-group links file for SIECLE (ELEGROUPE), in supervisor mode only (guide 4.4).

    `supervisor` None: the base's SPR mode decides, except on the command line (no user),
    which is the platform's operator.
    """
    base = base_get(world=world, lock=True)
    allowed = supervisor if supervisor is not None else (base.spr or user is None)
    if not allowed:
        raise ExchangeRefused(
            "L'export des liens élèves-groupes se fait en mode superviseur : se placer dans "
            "EDT en SPR (guide 4.4)."
        )
    if base.annee is None:
        raise ExchangeRefused("Aucune année dans la base EDT : importez d'abord les élèves.")
    pupils = list(selectors.eleves_en_groupe(world=world))
    if not pupils:
        raise ExchangeRefused(
            "Aucun élève n'est inscrit dans un groupe : il n'y a pas de lien à exporter."
        )
    at = timeline.local(world.now()).replace(tzinfo=None, microsecond=0)
    base.num_envoi = base.num_envoi % 99999 + 1
    base.save(update_fields=["num_envoi"])
    doc = exchanges.elegroupe_document(
        uai=base.uai, annee=base.annee, num_envoi=base.num_envoi, today=at.date(), eleves=pupils
    )
    name, content = exchanges.elegroupe_file(doc, at)
    return exchange_record(
        world=world,
        kind="elegroupe",
        source="edt",
        target="siecle",
        filename=name,
        content=content,
        deposited_by=user,
        report={
            "eleves": len(pupils),
            "liens": sum(len(e.groupes) for e in doc.donnees.eleves),
            "num_envoi": base.num_envoi,
        },
    )
