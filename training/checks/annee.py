"""Checks of the procedures of the year: doublons and multi-inscriptions (2.13), the groups
from the EDT software to the ENT (4), arrivals during the year (3)."""

from __future__ import annotations

import aaf.selectors as aaf_selectors
import edt.selectors as edt_selectors
import siecle.selectors as siecle_selectors
import sts.selectors as sts_selectors
from entsim.models import CalendarEvent, Staff
from entsim.timeline import local
from siecle.elegroupe import elegroupe_imports
from sts.models import Export

from ..scenarios.base import Verdict, done, todo, unfinished, wrong
from . import truth
from .facts import Facts
from .rentree import check_exports, check_liens_siecle, listing


# --- Doublons et multi-inscriptions (2.13) --------------------------------------------------------
def multi_inscribed(f: Facts) -> list:
    """The home establishment's pupils scolarisés, this year, in another base too."""

    def read():
        annee = f.world.school_year(f.now)
        elsewhere = set()
        for uai in siecle_selectors.etablissements(world=f.world):
            if uai != f.uai:
                elsewhere.update(
                    a.eleve.ine
                    for a in siecle_selectors.eleves_actifs(world=f.world, uai=uai, annee=annee)
                    if a.eleve.ine
                )
        return [
            a
            for a in siecle_selectors.eleves_actifs(world=f.world, uai=f.uai, annee=annee)
            if a.eleve.ine in elsewhere
        ]

    return f.memo("multi", read)


def check_eleve_voisin(f: Facts) -> Verdict:
    duplicates = siecle_selectors.duplicates_created_by_hand(f.world)
    if duplicates:
        names = [f"{d.eleve.nom} {d.eleve.prenom}" for d in duplicates]
        return wrong(
            f"Fiche créée à la main pour un élève venant de l'académie : doublon ({listing(names)}"
            "). Sa fiche s'importe (Importations > Dossiers depuis autre EPLE, 2.13)."
        )
    prepared = truth.prepared_year(f.world)
    waiting = siecle_selectors.dossiers_en_attente(
        world=f.world, uai=f.uai, annee=prepared, source="autre_eple"
    )
    if waiting.exists():
        names = [f"{d.nom} {d.prenom}" for d in waiting]
        return unfinished(
            f"Dossiers envoyés par d'autres établissements à importer : {listing(names)} "
            "(Importations > Dossiers depuis autre EPLE > IMPORTER)."
        )
    return done("Dossiers des élèves venant de l'académie importés, aucun doublon.")


def check_multi_inscription(f: Facts) -> Verdict:
    pupils = multi_inscribed(f)
    signals = siecle_selectors.signalements(world=f.world, uai=f.uai)
    if pupils and not signals.exists():
        return todo(
            "Le signalement académique de multi-inscription apparaît au tableau de bord après "
            "le traitement de nuit."
        )
    if pupils:
        names = [f"{a.eleve.nom} {a.eleve.prenom}" for a in pupils]
        return unfinished(
            f"Multi-inscription signalée ({listing(names)}) : l'établissement où l'élève n'est "
            "pas présent le déscolarise ; il sort alors dans l'annuaire (AAF) de l'autre."
        )
    if signals.exists():
        return todo("Élève déscolarisé : le signalement se lève la nuit prochaine.")
    return done("Aucune multi-inscription.")


def check_aaf_multi(f: Facts) -> Verdict:
    if multi_inscribed(f):
        return unfinished(
            "Un élève multi-inscrit est écarté de l'annuaire (AAF) : absent de l'ENT tant que "
            "la multi-inscription dure."
        )
    runs = list(aaf_selectors.runs(world=f.world)[:1])
    if not runs:
        return todo("L'annuaire académique (AAF) est extrait chaque soir à 20 h.")
    left = [
        entry["nom"]
        for entry in runs[0].left_out
        if entry.get("uai") == f.uai and entry.get("motif", "").startswith("Multi-inscription")
    ]
    if left:
        return todo(
            f"{listing(left)} : sort(ent) dans l'annuaire à la prochaine extraction (20 h)."
        )
    return done("Aucun élève de l'établissement écarté de l'annuaire pour multi-inscription.")


# --- Groupes EDT vers ENT (4) --------------------------------------------------------------------
def check_export_liens(f: Facts) -> Verdict:
    exported = [e for e in edt_selectors.exports_recent(world=f.world) if e.kind == "elegroupe"]
    if not exported:
        return todo(
            "Dans le logiciel EDT, en mode superviseur (SPR) : exporter le fichier des liens "
            "élèves-groupes (4.4)."
        )
    return done(f"Fichier des liens exporté ({exported[0].filename}).")


def check_depot_liens(f: Facts) -> Verdict:
    deposits = elegroupe_imports(world=f.world, uai=f.uai)
    if not deposits:
        return todo(
            "SIECLE, année en cours : Importations > Liens élève-groupe depuis logiciel privé, "
            "déposer le fichier (4.5)."
        )
    return done(
        f"Déposé le {local(deposits[0].deposited_at):%d/%m/%Y à %H:%M} : pas de "
        "notification, c'est normal ; importé la nuit."
    )


# --- Arrivées en cours d'année (3) ---------------------------------------------------------------
def _event(f: Facts, kind: str) -> CalendarEvent | None:
    return (
        CalendarEvent.objects.filter(world=f.world, kind=kind)
        .select_related("pupil", "staff")
        .order_by("at")
        .first()
    )


def check_rentree(f: Facts) -> Verdict:
    if f.today < f.rentree:
        return todo(
            "Préparer la rentrée (scénario « Préparation de rentrée »), jusqu'au 1er septembre."
        )
    for check in (check_exports, check_liens_siecle):
        verdict = check(f)
        if verdict.state != "fait":
            return unfinished(f"Rentrée à finir : {verdict.message}")
    return done("Rentrée préparée : structure, services et liens dans SIECLE.")


def _replacement(f: Facts, kind: str, replacement: str, guide: str) -> Verdict:
    event = _event(f, kind)
    if event is None:
        return done("Aucune arrivée de ce type dans ce monde.")
    if event.happened_at is None:
        return todo(f"{event.label} : le {local(event.at):%d/%m/%Y}.")
    year = sts_selectors.year_get(world=f.world, year=f.world.school_year(f.now))
    staff: Staff = event.staff
    teachers = {t.sts_id: t for t in sts_selectors.teachers_of_year(year=year, include_sup=True)}
    new = teachers.get(staff.sts_id)
    absent = teachers.get(staff.replaces.sts_id) if staff.replaces_id else None
    if new is None or absent is None:
        return todo(f"{event.label} : pas encore dans STS-web.")
    has = {
        r.assignment.service_id for r in sts_selectors.teacher_assignments(year=year, teacher=new)
    }
    absent_services = {
        r.assignment.service_id
        for r in sts_selectors.teacher_assignments(year=year, teacher=absent)
    }
    if not has or (replacement == "REP" and absent_services):
        action = (
            "Services et ARE > Changement de support : rattacher les services de l'absent"
            if replacement == "REP"
            else "Services suppléants > Saisie rapide : cocher le suppléant et Valider"
        )
        return unfinished(f"{event.label} : {action} ({guide}).")
    rows = sts_selectors.export_history(world=f.world, year=year.year)
    since = [r for r in rows if r.at >= event.at]
    structure = next((r.at for r in since if r.kind == Export.Kind.STRUCTURE), None)
    services = [r for r in since if r.kind == Export.Kind.SERVICES]
    if not services or structure is None or all(r.at < structure for r in services):
        return unfinished(
            f"{new.full_name} a ses services : exporter la structure puis les services pour "
            "qu'il arrive dans l'AAF puis dans l'ENT."
        )
    return done(f"{new.full_name} : services rattachés et exportés.")


def check_rep(f: Facts) -> Verdict:
    return _replacement(f, CalendarEvent.Kind.TEACHER_REP, "REP", "3.1.1")


def check_sup(f: Facts) -> Verdict:
    return _replacement(f, CalendarEvent.Kind.TEACHER_SUP, "SUP", "3.1.2")


def _arrival(f: Facts, kind: str, how: str) -> Verdict:
    event = _event(f, kind)
    if event is None:
        return done("Aucune arrivée de ce type dans ce monde.")
    if event.happened_at is None:
        return todo(f"{event.label} : le {local(event.at):%d/%m/%Y}.")
    duplicates = siecle_selectors.duplicates_created_by_hand(f.world)
    pupil = event.pupil
    if any(
        truth.identity(d.eleve.nom, d.eleve.prenom, d.eleve.date_naissance)
        == truth.identity(pupil.last_name, pupil.first_name, pupil.birth_date)
        for d in duplicates
    ):
        return wrong(
            f"Fiche de {pupil.last_name} {pupil.first_name} créée à la main alors qu'il vient "
            "d'un établissement de l'académie : doublon. L'importer (3.2.1)."
        )
    annee = f.world.school_year(f.now)
    actifs = {
        truth.identity(a.eleve.nom, a.eleve.prenom, a.eleve.date_naissance): a
        for a in siecle_selectors.eleves_actifs(world=f.world, uai=f.uai, annee=annee)
    }
    actif = actifs.get(truth.identity(pupil.last_name, pupil.first_name, pupil.birth_date))
    division = event.data.get("division", "")
    if actif is None or actif.scolarite.division != division:
        return unfinished(f"{event.label} : {how}, puis l'affecter (MEF, division {division}).")
    return done(f"{pupil.last_name} {pupil.first_name} : dans la base, en {division}.")


def check_eleve_arrive_voisin(f: Facts) -> Verdict:
    return _arrival(
        f,
        CalendarEvent.Kind.PUPIL_FROM_NEIGHBOUR,
        "importer son dossier (Importations > Dossiers depuis autre EPLE)",
    )


def check_eleve_autre_academie(f: Facts) -> Verdict:
    return _arrival(
        f,
        CalendarEvent.Kind.PUPIL_FROM_OTHER_ACADEMIE,
        "après une recherche « Aucun élève trouvé », créer intégralement sa fiche",
    )


def check_depart(f: Facts) -> Verdict:
    event = _event(f, CalendarEvent.Kind.PUPIL_LEAVES)
    if event is None:
        return done("Aucun départ dans ce monde.")
    if f.now < event.at:
        return todo(f"{event.label} : le {local(event.at):%d/%m/%Y}.")
    pupil = event.pupil
    annee = f.world.school_year(f.now)
    still = [
        a
        for a in siecle_selectors.eleves_actifs(world=f.world, uai=f.uai, annee=annee)
        if a.eleve.ine == pupil.ine
    ]
    if still:
        return unfinished(
            f"{pupil.last_name} {pupil.first_name} est parti(e) : saisir sa date de sortie "
            "(déscolarisation), sinon il reste dans l'annuaire et l'ENT."
        )
    return done(f"{pupil.last_name} {pupil.first_name} déscolarisé(e).")
