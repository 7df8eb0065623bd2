"""Checks of the préparation de rentrée (guide 2.1 to 2.13), each from the systems' data and
the truth of the year in preparation. A check says what is done, what is still to do, and,
when something is wrong, what the guide advises."""

from __future__ import annotations

from collections import Counter

import edt.selectors as edt_selectors
import siecle.selectors as siecle_selectors
import sts.selectors as sts_selectors
from edt.models import Importation as EdtImportation
from siecle.elegroupe import elegroupe_imports
from sts.models import Export, NomenclatureEntry, SchoolYear

from ..scenarios.base import Verdict, done, todo, unfinished, wrong
from .facts import Facts
from .truth import identity

SHOWN = 6  # names listed in a message before "…"


def listing(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN])
    return shown + (f"… (+{len(items) - SHOWN})" if len(items) > SHOWN else "")


def label(annee: int) -> str:
    return f"{annee}-{annee + 1}"


# --- STS-web -----------------------------------------------------------------------------------


def sts_year(f: Facts) -> SchoolYear | None:
    return f.memo("sts_year", lambda: sts_selectors.year_get(world=f.world, year=f.annee))


def edt_imports(f: Facts) -> list:
    """Import > Emploi du temps runs of the year in preparation, latest first."""
    return f.memo(
        "edt_imports",
        lambda: list(sts_selectors.imports(world=f.world).filter(year__year=f.annee)),
    )


def export_rows(f: Facts) -> list[sts_selectors.ExportRow]:
    return f.memo("exports", lambda: sts_selectors.export_history(world=f.world, year=f.annee))


def check_bascule(f: Facts) -> Verdict:
    year = sts_year(f)
    if year is None:
        return todo(
            f"Dans STS-web, année en cours : effectuer la bascule vers {label(f.annee)} "
            "(ne basculer que les divisions)."
        )
    if year.bascule == SchoolYear.Bascule.TOUT and not edt_imports(f):
        return wrong(
            "Services et groupes reconduits à la bascule : le guide conseille de ne basculer que "
            "les divisions (2.1). Ils seront remplacés par l'import de l'emploi du temps (2.8)."
        )
    return done(f"Année {year.label} ouverte en préparation.")


def check_nomenclatures(f: Facts) -> Verdict:
    year = sts_year(f)
    if year is None or year.profiled_at is None:
        return todo(
            "Module NOMENCLATURES : réceptionner les nomenclatures, sélectionner celles de "
            "l'établissement, lancer le profilage."
        )
    profiled = {
        code for code, _ in sts_selectors.profiled_codes(year=year, kind=NomenclatureEntry.Kind.MEF)
    }
    missing = sorted({mef for _, mef in f.truth_divisions.values()} - profiled)
    if missing:
        return unfinished(
            f"MEF de la rentrée absents du profilage : {listing(missing)}. Les sélectionner et "
            "relancer le profilage ; une nomenclature manquante se demande à l'académie."
        )
    return done(f"Profilage lancé, {len(profiled)} MEF de l'établissement.")


def check_structure(f: Facts) -> Verdict:
    year = sts_year(f)
    if year is None:
        return todo("Après la bascule : mettre à jour la structure de l'année en préparation.")
    have = {d.code: d.mef_code for d in sts_selectors.divisions(year=year)}
    wanted = {code: mef for code, (_, mef) in f.truth_divisions.items()}
    extra = sorted(set(have) - set(wanted))
    missing = sorted(set(wanted) - set(have))
    wrong_mef = sorted(code for code in set(have) & set(wanted) if have[code] != wanted[code])
    problems = []
    if extra:
        problems.append(f"divisions qui n'existeront plus à supprimer : {listing(extra)}")
    if missing:
        problems.append(f"divisions à créer : {listing(missing)}")
    if wrong_mef:
        problems.append(f"MEF à corriger : {listing(wrong_mef)}")
    if problems:
        return unfinished("Structure de la rentrée : " + " ; ".join(problems) + ".")
    return done(f"{len(have)} divisions, conformes à la rentrée.")


def _siecle_division_codes(f: Facts) -> set[str]:
    return f.memo(
        "siecle_divisions",
        lambda: {
            s.code for s in siecle_selectors.divisions(world=f.world, uai=f.uai, annee=f.annee)
        },
    )


def check_export_structure(f: Facts) -> Verdict:
    structure = [row for row in export_rows(f) if row.kind == Export.Kind.STRUCTURE]
    if not structure:
        return todo(
            "STS-web : Exports > Structure, pour que SIECLE BEE reçoive les divisions de la "
            "rentrée (affectation des élèves)."
        )
    received = _siecle_division_codes(f)
    if not received:
        return todo("Export fait : SIECLE le reçoit au quart d'heure suivant.")
    missing = sorted(set(f.truth_divisions) - received)
    if missing:
        return unfinished(
            f"SIECLE n'a pas les divisions {listing(missing)} : refaire l'export de la structure "
            "après avoir mis la structure à jour."
        )
    return done(f"SIECLE a reçu les {len(received)} divisions de la rentrée.")


# --- SIECLE dossiers ---------------------------------------------------------------------------


def _scolarites(f: Facts) -> dict[tuple, object]:
    """The year's schoolings in SIECLE (not gone out), by INE and by identity."""

    def read():
        found = {}
        for scolarite in siecle_selectors.saisie_en_masse_liste(
            world=f.world, uai=f.uai, annee=f.annee
        ):
            eleve = scolarite.eleve
            if eleve.ine:
                found[("ine", eleve.ine)] = scolarite
            found.setdefault(identity(eleve.nom, eleve.prenom, eleve.date_naissance), scolarite)
        return found

    return f.memo("scolarites", read)


def _placement(f: Facts, pupils: list) -> tuple[list[str], list[str]]:
    absent, misplaced = [], []
    for pupil in pupils:
        scolarite = _scolarites(f).get(("ine", pupil.ine)) or _scolarites(f).get(pupil.key)
        if scolarite is None:
            absent.append(pupil.name)
        elif (scolarite.mef_code, scolarite.division) != (pupil.mef, pupil.division):
            misplaced.append(pupil.name)
    return absent, misplaced


def check_deja_presents(f: Facts) -> Verdict:
    pupils = [p for p in f.truth_pupils_rentree.values() if p.arrival == "continuing"]
    absent, misplaced = _placement(f, pupils)
    if absent or misplaced:
        parts = []
        if misplaced:
            parts.append(f"{len(misplaced)} élève(s) à affecter dans leur MEF et division")
        if absent:
            parts.append(f"{len(absent)} absent(s) de l'année {label(f.annee)}")
        return unfinished(
            "Élèves déjà présents : " + ", ".join(parts) + f" ({listing(misplaced + absent)})."
        )
    return done(f"{len(pupils)} élèves affectés dans leur nouveau MEF et leur division.")


def check_nouveaux(f: Facts) -> Verdict:
    duplicates = siecle_selectors.duplicates_created_by_hand(f.world)
    if duplicates:
        names = [f"{d.eleve.nom} {d.eleve.prenom}" for d in duplicates]
        return wrong(
            f"Fiche créée à la main pour un élève venant de l'académie : doublon ({listing(names)}"
            "). Ne jamais créer la fiche d'un élève venant d'un établissement de l'académie : "
            "l'importer (Importations > Dossiers depuis autre EPLE, 2.13)."
        )
    pupils = [p for p in f.truth_pupils_rentree.values() if p.arrival != "continuing"]
    absent, misplaced = _placement(f, pupils)
    by_arrival = Counter(p.arrival for p in pupils if p.name in set(absent))
    if absent or misplaced:
        parts = []
        if by_arrival["affectation"]:
            parts.append(
                f"{by_arrival['affectation']} dossier(s) de l'affectation à réceptionner "
                "(Importations > Dossiers depuis affectation)"
            )
        if by_arrival["neighbour"]:
            parts.append(f"{by_arrival['neighbour']} dossier(s) à importer depuis un autre EPLE")
        if by_arrival["other_academie"]:
            parts.append(
                f"{by_arrival['other_academie']} élève(s) d'une autre académie à créer "
                "(après une recherche « Aucun élève trouvé »)"
            )
        if misplaced:
            parts.append(f"{len(misplaced)} nouvel(aux) élève(s) à affecter (MEF, division)")
        return unfinished("Nouveaux élèves : " + " ; ".join(parts) + ".")
    return done(f"{len(pupils)} nouveaux élèves reçus ou créés, et affectés.")


def check_fiches_bloquantes(f: Facts) -> Verdict:
    """Incomplete fiches for what is not the affectation's (steps 2.5.1 and 2.5.2 say that)."""
    blocking = []
    for annee in (f.annee - 1, f.annee):
        rows = siecle_selectors.with_motifs(
            siecle_selectors.fiches_bloquantes(world=f.world, uai=f.uai, annee=annee)
        )
        for scolarite, reasons in rows:
            other = [r for r in reasons if not r.startswith(("MEF", "Division"))]
            if other:
                blocking.append((scolarite.eleve, other))
    if blocking:
        named = sorted({f"{e.nom} {e.prenom} ({', '.join(r).lower()})" for e, r in blocking})
        return unfinished(
            f"{len(named)} fiche(s) bloquante(s) : {listing(named)}. Les compléter : une fiche "
            "bloquante ne remonte pas vers SYSCA (tableau de bord, pastille jaune)."
        )
    return done("Aucune fiche bloquante.")


def check_doublons_responsables(f: Facts) -> Verdict:
    groups = siecle_selectors.doublons_responsables(world=f.world, uai=f.uai)
    if groups:
        names = [g.libelle for g in groups]
        return unfinished(
            f"{len(groups)} responsable(s) en double ({listing(names)}) : Fiches élèves > "
            "Doublons responsables > Chercher, cocher celui à supprimer et celui qui le remplace "
            "(deux comptes ENT sinon)."
        )
    return done("Aucun doublon de responsable.")


# --- STS-web ↔ EDT ------------------------------------------------------------------------------


def edt_last(f: Facts, kind: str) -> EdtImportation | None:
    return f.memo(f"edt_{kind}", lambda: edt_selectors.last_import(world=f.world, kind=kind))


def check_export_edt(f: Facts) -> Verdict:
    exports = [row for row in export_rows(f) if row.kind == Export.Kind.EMPLOI_DU_TEMPS]
    if not exports:
        return todo("STS-web : Exports > Emploi du temps, pour le logiciel EDT.")
    last = edt_last(f, EdtImportation.Kind.STS)
    if last is None or last.annee != f.annee:
        return todo("Fichier exporté : le récupérer dans le logiciel EDT (import STS-web).")
    return done(f"Logiciel EDT à jour de STS-web ({label(f.annee)}).")


def check_edt_groupes(f: Facts) -> Verdict:
    counts = edt_selectors.counts(world=f.world)
    base = edt_selectors.base_for(world=f.world)
    if base.annee != f.annee or not counts["groupes"]:
        return todo("Dans le logiciel EDT : créer les groupes et les services de la rentrée.")
    return done(f"{counts['groupes']} groupes dans le logiciel EDT.")


def check_import_edt(f: Facts) -> Verdict:
    imports = edt_imports(f)
    if not imports:
        return todo("STS-web : Import > Emploi du temps, avec le fichier exporté du logiciel EDT.")
    report = imports[0].report
    rejected = report.get("groupes rejetés", [])
    services = report.get("services rejetés", [])
    if rejected:
        return wrong(
            f"{len(rejected)} groupe(s) rejeté(s) à l'import STS ({listing(rejected)}). Dans le "
            "logiciel EDT, renommer ces groupes (lettres, chiffres, espaces, « - » et « _ » "
            "seulement), exporter de nouveau et refaire l'import (2.7)."
        )
    if services:
        return wrong(f"{len(services)} service(s) rejeté(s) à l'import STS ({listing(services)}).")
    return done(
        f"{report.get('groupes importés', 0)} groupes et {report.get('services importés', 0)} "
        "services importés."
    )


def check_exports(f: Facts) -> Verdict:
    imports = edt_imports(f)
    if not imports:
        return todo("Après l'import de l'emploi du temps : Exports > Structure puis Services.")
    since = [row for row in export_rows(f) if row.at >= imports[0].at]
    structure_at = None
    services_before = False
    for row in since:
        if row.kind == Export.Kind.STRUCTURE and structure_at is None:
            structure_at = row.at
        if row.kind == Export.Kind.SERVICES and structure_at is None:
            services_before = True
    has_services = any(
        row.kind == Export.Kind.SERVICES and structure_at and row.at >= structure_at
        for row in since
    )
    if services_before and not has_services:
        return wrong(
            "Services exportés avant la structure : les groupes n'étaient pas encore dans "
            "SIECLE. Relancer Exports > Structure, puis Exports > Services (2.9)."
        )
    if structure_at is None or not has_services:
        return todo("Exports > Structure puis Exports > Services, depuis l'import de l'EDT.")
    in_sts = {g.code for g in sts_selectors.groups(year=imports[0].year)}
    in_siecle = {s.code for s in siecle_selectors.groupes(world=f.world, uai=f.uai, annee=f.annee)}
    if in_sts - in_siecle:
        return todo("Exports faits : SIECLE les reçoit au quart d'heure suivant.")
    return done(f"Structure puis services exportés ; SIECLE a les {len(in_siecle)} groupes.")


def check_export_eleves(f: Facts) -> Verdict:
    exported = [
        e
        for e in siecle_selectors.exportations(world=f.world, uai=f.uai)
        if e.annee == f.annee and e.nature.startswith("eleves_")
    ]
    if not exported:
        return todo(f"SIECLE : Exportations > En XML, élèves de {label(f.annee)}, pour l'EDT.")
    last = edt_last(f, EdtImportation.Kind.ELEVES)
    if last is None or last.annee != f.annee:
        return todo("Export fait : récupérer les élèves de SIECLE dans le logiciel EDT.")
    scolarises = siecle_selectors.effectifs(world=f.world, uai=f.uai, annee=f.annee).scolarises
    in_edt = last.report.get("eleves", 0)
    if in_edt < scolarises:
        return unfinished(
            f"Le logiciel EDT a {in_edt} élèves, SIECLE {scolarises} : refaire l'export des "
            "élèves une fois tous les dossiers reçus et affectés, puis le réimporter."
        )
    return done(f"{in_edt} élèves importés dans le logiciel EDT.")


def check_eleves_groupes(f: Facts) -> Verdict:
    linked = edt_selectors.eleves_en_groupe(world=f.world).count()
    if not linked:
        return todo("Dans le logiciel EDT : inscrire les élèves dans les groupes.")
    return done(f"{linked} élèves inscrits dans des groupes du logiciel EDT.")


def check_liens_siecle(f: Facts) -> Verdict:
    deposits = elegroupe_imports(world=f.world, uai=f.uai)
    if not deposits:
        return todo(
            "EDT en mode superviseur : exporter les liens élèves-groupes, puis dans SIECLE "
            "Importations > Liens élève-groupe depuis logiciel privé."
        )
    last = deposits[0]
    if last.state == last.State.DEPOSITED:
        return todo("Fichier déposé : il est importé cette nuit (visible sur les fiches à +24 h).")
    if last.state == last.State.REJECTED:
        return unfinished(f"Dépôt non importé : {last.report.get('motif', 'rejeté')}.")
    rejets = last.report.get("rejets", [])
    if rejets:
        names = [r.get("eleve", "") for r in rejets]
        return unfinished(f"{len(rejets)} élève(s) rejeté(s) par l'import : {listing(names)}.")
    return done(f"Liens importés : {last.report.get('liens créés', 0)} inscriptions en groupe.")
