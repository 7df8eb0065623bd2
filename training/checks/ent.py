"""Checks in the ENT: the groups at +48 h, and the final check of a rentrée (every pupil and
teacher of the school in the ENT with exactly the classes and groups of the truth)."""

from __future__ import annotations

import datetime as dt

import ent.selectors as ent_selectors
import siecle.selectors as siecle_selectors
from entsim.timeline import local
from siecle.elegroupe import elegroupe_imports

from ..scenarios.base import Verdict, done, todo, wrong
from .facts import Facts
from .rentree import listing
from .truth import identity


def _last_ent_import(f: Facts):
    """The AAF file the ENT read last (its deposit time is the extraction's)."""

    def read():
        return next(
            (
                e
                for e in ent_selectors.imports_recent(world=f.world)
                if e.state == e.State.PROCESSED
            ),
            None,
        )

    return f.memo("ent_import", read)


def ent_holds_year(f: Facts, annee: int, since: dt.date) -> bool:
    """Has the ENT read an AAF extraction made in school year `annee` on or after `since`?"""
    last = _last_ent_import(f)
    if last is None:
        return False
    extracted = last.deposited_at
    return f.world.school_year(extracted) >= annee and local(extracted).date() >= since


def _people(f: Facts):
    def read():
        by_ine, by_identity = {}, {}
        for person in ent_selectors.people_of_structure(world=f.world, uai=f.uai):
            if person.ine:
                by_ine[(person.profile, person.ine)] = person
            key = identity(person.last_name, person.first_name, person.birth_date)
            by_identity.setdefault((person.profile, key), person)
        return by_ine, by_identity

    return f.memo("ent_people", read)


def find(f: Facts, profile: str, ine: str, key: tuple):
    by_ine, by_identity = _people(f)
    return (by_ine.get((profile, ine)) if ine else None) or by_identity.get((profile, key))


def check_groupes_ent(f: Facts) -> Verdict:
    """Guide 4.5: the groups of the links file in the ENT, 48 h after the deposit."""
    deposits = [e for e in elegroupe_imports(world=f.world, uai=f.uai) if e.processed_at]
    if not deposits:
        return todo("Les groupes arrivent dans l'ENT 48 h après le dépôt du fichier de liens.")
    if not ent_holds_year(f, f.annee, max(f.rentree, local(deposits[0].processed_at).date())):
        return todo(
            "Liens dans SIECLE : l'annuaire les extrait le soir, l'ENT les lit la nuit suivante "
            f"(+48 h), et pour {f.annee}-{f.annee + 1} à partir de la rentrée."
        )
    missing = []
    for actif in siecle_selectors.eleves_actifs(world=f.world, uai=f.uai, annee=f.annee):
        if not actif.groupes:
            continue
        eleve = actif.eleve
        person = find(
            f, "eleve", eleve.ine, identity(eleve.nom, eleve.prenom, eleve.date_naissance)
        )
        if person is None or set(actif.groupes) - person.groups:
            missing.append(f"{eleve.nom} {eleve.prenom}")
    if missing:
        return wrong(
            f"{len(missing)} élève(s) sans leurs groupes de SIECLE dans l'ENT : {listing(missing)}."
        )
    return done("Les groupes de SIECLE sont peuplés dans l'ENT.")


def check_final(f: Facts) -> Verdict:
    """Every pupil and teacher really at the school today, in the ENT, with exactly the classes
    and groups of the truth."""
    if not ent_holds_year(f, f.annee, f.rentree):
        return todo("Vérification finale après la rentrée, quand l'ENT a lu l'annuaire de l'année.")
    problems = []
    pupils = f.truth_pupils_today
    for pupil in pupils.values():
        person = find(f, "eleve", pupil.ine, pupil.key)
        if person is None:
            problems.append(f"élève {pupil.name} absent de l'ENT")
            continue
        if set(person.classes) != {pupil.division}:
            problems.append(
                f"élève {pupil.name} : classe {', '.join(sorted(person.classes)) or 'aucune'} "
                f"au lieu de {pupil.division}"
            )
        if set(person.groups) != pupil.groups:
            problems.append(_diff(f"élève {pupil.name}", person.groups, pupil.groups))
    teachers = f.truth_teachers_today
    for teacher in teachers.values():
        person = find(f, "enseignant", "", teacher.key)
        if person is None:
            problems.append(f"enseignant {teacher.name} absent de l'ENT")
            continue
        if set(person.classes) != teacher.classes:
            problems.append(_diff(f"enseignant {teacher.name}", person.classes, teacher.classes))
        if set(person.groups) != teacher.groups:
            problems.append(_diff(f"enseignant {teacher.name}", person.groups, teacher.groups))
    if problems:
        return wrong(
            f"{len(problems)} écart(s) entre l'ENT et la réalité : {listing(problems)}. "
            "Suivre la chaîne de la personne (assistance) pour trouver l'étape en cause."
        )
    return done(
        f"Les {len(pupils)} élèves et {len(teachers)} enseignants sont dans l'ENT avec "
        "exactement leurs classes et leurs groupes."
    )


def _diff(who: str, have, wanted) -> str:
    parts = []
    if set(wanted) - set(have):
        parts.append("manque " + ", ".join(sorted(set(wanted) - set(have))))
    if set(have) - set(wanted):
        parts.append("en trop " + ", ".join(sorted(set(have) - set(wanted))))
    return f"{who} : " + " ; ".join(parts)
