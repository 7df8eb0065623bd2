"""What the autopilot does at each step: the guide's correct gestures, through the same
services as the pages, as the world's trainee would make them (knowing what is really so:
the truth is the school's own knowledge of its pupils, teachers and timetable).

`Pilot.leave` names plants the autopilot leaves in (to show, and to test, that the matching
step of the checklist goes wrong): it then makes the mistake the plant invites.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import edt.selectors as edt_selectors
import siecle.selectors as siecle_selectors
import sts.selectors as sts_selectors
from edt import services as edt_services
from edt.models import Eleve as EdtEleve
from edt.models import Groupe as EdtGroupe
from entsim import nomenclatures as nom
from entsim import timeline
from entsim.models import CalendarEvent, World
from entsim.services.exchanges import exchange_content
from siecle import exports as siecle_exports
from siecle import services as siecle_services
from siecle.elegroupe import elegroupe_deposit
from siecle.models import DossierEntrant, LienResponsable
from sts import services as sts_services
from sts.models import NomenclatureEntry

from ..checks import truth
from ..checks.truth import identity

# Plant keys (shared by the scenario modules, the plants and the plays).
ELEVE_VOISIN = "eleve-voisin"
RESPONSABLE_DOUBLON = "responsable-doublon"
FICHE_BLOQUANTE = "fiche-bloquante"
GROUPE_EDT = "groupe-edt"
MULTI_INSCRIPTION = "multi-inscription"


class PilotError(Exception):
    """The autopilot cannot go on (a refused service, a failed job); message in French."""


@dataclass
class Pilot:
    world: World
    user: object | None
    advance: Callable[[World, dt.datetime], None]  # moves the clock and runs the due jobs
    leave: frozenset[str] = frozenset()
    log: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.log.append(f"{timeline.local(self.world.now()):%d/%m/%Y %H:%M} {text}")

    @property
    def now(self) -> dt.datetime:
        return self.world.now()

    @property
    def annee(self) -> int:
        return truth.prepared_year(self.world)

    @property
    def uai(self) -> str:
        return self.world.home.uai

    def go(self, to: dt.datetime) -> None:
        if to > self.now:
            self.advance(self.world, to)
            self.world.refresh_from_db()

    def quarter_hour(self) -> None:
        """STS-web → BEE exports are processed at the next quarter hour."""
        self.go(timeline.next_quarter_hour(self.now))

    def night(self) -> None:
        self.go(timeline.next_morning(self.now))

    def event(self, kind: str) -> CalendarEvent | None:
        return CalendarEvent.objects.filter(world=self.world, kind=kind).order_by("at").first()

    def sts_year(self):
        year = sts_selectors.year_get(world=self.world, year=self.annee)
        if year is None:
            raise PilotError(f"STS-web n'a pas d'année {self.annee} : faire d'abord la bascule.")
        return year


# --- STS-web -------------------------------------------------------------------------------------
def play_bascule(p: Pilot) -> None:
    if sts_selectors.year_get(world=p.world, year=p.annee) is not None:
        return
    context = sts_selectors.context_for(world=p.world)
    sts_services.year_bascule(
        world=p.world, establishment=context.establishment, carry_over=False, user=p.user
    )
    p.say("STS-web : bascule, divisions seules.")


def play_nomenclatures(p: Pilot) -> None:
    year = p.sts_year()
    sts_services.nomenclatures_receive(world=p.world, year=year)
    divisions = truth.divisions(p.world, p.annee)
    services = truth.services(p.world, p.annee)
    mefs = sorted({mef for _, mef in divisions.values()})
    subjects = {s.subject_code for s in services}
    for mef in mefs:
        programme = nom.PROGRAMMES.get(mef)
        if programme is not None:
            subjects.update(subject for subject, _, _ in programme.lines())
    mods = sorted({s.mod_cours for s in services} or {"CG"})
    entries = set(
        NomenclatureEntry.objects.filter(year=year).values_list("kind", "code")
    )  # only codes STS-web received can be selected
    kind = NomenclatureEntry.Kind
    sts_services.nomenclatures_select(
        world=p.world,
        year=year,
        mefs=[c for c in mefs if (kind.MEF, c) in entries],
        matieres=sorted(c for c in subjects if (kind.MATIERE, c) in entries),
        mods_cours=[c for c in mods if (kind.MOD_COURS, c) in entries],
    )
    sts_services.nomenclatures_profile(world=p.world, year=year)
    p.say("STS-web : nomenclatures réceptionnées, sélectionnées, profilées.")


def play_structure(p: Pilot) -> None:
    year = p.sts_year()
    wanted = truth.divisions(p.world, p.annee)
    have = {d.code: d for d in sts_selectors.divisions(year=year)}
    for code, division in have.items():
        if code not in wanted:
            sts_services.division_delete(world=p.world, division=division)
    for code, (label, mef) in sorted(wanted.items()):
        division = have.get(code)
        if division is None:
            sts_services.division_create(
                world=p.world, year=year, code=code, libelle_long=label, mef_code=mef
            )
        elif division.mef_code != mef:
            sts_services.division_update(
                world=p.world,
                division=division,
                code=code,
                libelle_long=division.libelle_long,
                mef_code=mef,
                effectif_prevu=division.effectif_prevu,
            )
    p.say("STS-web : structure de la rentrée à jour.")


def play_export_structure(p: Pilot) -> None:
    sts_services.structure_export(world=p.world, year=p.sts_year(), user=p.user)
    p.quarter_hour()
    p.say("STS-web : Exports > Structure, reçu par SIECLE.")


def play_exports(p: Pilot) -> None:
    year = p.sts_year()
    sts_services.structure_export(world=p.world, year=year, user=p.user)
    sts_services.services_export(world=p.world, year=year, user=p.user)
    p.quarter_hour()
    p.say("STS-web : Exports > Structure puis Exports > Services, reçus par SIECLE.")


# --- SIECLE --------------------------------------------------------------------------------------
def _scolarites(p: Pilot) -> dict:
    found = {}
    for scolarite in siecle_selectors.saisie_en_masse_liste(
        world=p.world, uai=p.uai, annee=p.annee
    ):
        eleve = scolarite.eleve
        if eleve.ine:
            found[("ine", eleve.ine)] = scolarite
        found.setdefault(identity(eleve.nom, eleve.prenom, eleve.date_naissance), scolarite)
    return found


def _affect(p: Pilot, pupils: list[truth.TruthPupil]) -> None:
    """Saisie en masse by MEF and division, then the options of each pupil."""
    found = _scolarites(p)
    batches: dict[tuple[str, str], list[int]] = defaultdict(list)
    placed = []
    for pupil in pupils:
        scolarite = found.get(("ine", pupil.ine)) or found.get(pupil.key)
        if scolarite is None:
            continue
        placed.append((pupil, scolarite))
        if (scolarite.mef_code, scolarite.division) != (pupil.mef, pupil.division):
            batches[(pupil.mef, pupil.division)].append(scolarite.pk)
    for (mef, division), ids in sorted(batches.items()):
        siecle_services.scolarites_affecter(
            world=p.world,
            uai=p.uai,
            annee=p.annee,
            scolarite_ids=ids,
            mef_code=mef,
            division=division,
            user=p.user,
        )
    by_subject: dict[str, list[int]] = defaultdict(list)
    for pupil, scolarite in placed:
        have = {o.matiere_code for o in scolarite.options.all()}
        for option in pupil.options:
            if option["subject"] not in have:
                by_subject[option["subject"]].append(scolarite.pk)
    for subject, ids in sorted(by_subject.items()):
        siecle_services.options_inscrire_en_masse(
            world=p.world,
            uai=p.uai,
            annee=p.annee,
            scolarite_ids=ids,
            matiere_code=subject,
            user=p.user,
        )


def play_deja_presents(p: Pilot) -> None:
    pupils = truth.pupils(p.world, p.annee, truth.rentree_day(p.world, p.annee))
    _affect(p, [x for x in pupils.values() if x.arrival == "continuing"])
    p.say("SIECLE : élèves déjà présents affectés (saisie en masse), options inscrites.")


def create_by_hand(p: Pilot, pupil: truth.TruthPupil, *, with_ine: bool) -> None:
    """Création intégrale after a search that found nobody, with the legal responsables."""
    from entsim.models import Pupil

    row = Pupil.objects.get(pk=pupil.pk)
    if siecle_selectors.eleve_homonymes_existent(
        world=p.world, uai=p.uai, nom_=row.last_name, prenom=row.first_name
    ):
        return
    eleve = siecle_services.eleve_create(
        world=p.world,
        annee=p.annee,
        ine=row.ine if with_ine else "",
        data={
            "nom": row.last_name,
            "prenom": row.first_name,
            "prenom2": row.first_name2,
            "sexe": row.sex,
            "date_naissance": row.birth_date,
            "code_pays_naiss": row.birth_country,
            "code_commune_insee_naiss": row.birth_commune_insee,
            "ville_naiss": row.birth_commune,
            "code_pays_nat": row.nationality,
            "code_regime": row.regime,
        },
        user=p.user,
    )
    siecle_services.eleve_adresse_update(
        world=p.world,
        eleve=eleve,
        lignes=[row.address.line1, row.address.line2, row.address.line3, row.address.line4],
        code_postal=row.address.code_postal,
        commune=row.address.commune,
        user=p.user,
    )
    for tie in truth.legal_ties(p.world, [pupil.pk])[pupil.pk]:
        resp = tie.responsable
        same_address = resp.address_id == row.address_id
        siecle_services.responsable_creer(
            world=p.world,
            eleve=eleve,
            civilite=resp.civilite,
            nom_famille=resp.last_name,
            prenom=resp.first_name,
            code_parente=tie.parente,
            niveau=tie.level,
            adresse=None
            if same_address
            else {
                "lignes": [resp.address.line1, resp.address.line2],
                "code_postal": resp.address.code_postal,
                "commune": resp.address.commune,
            },
            tel_portable=resp.tel_portable,
            user=p.user,
        )


def play_nouveaux(p: Pilot) -> None:
    affectation = p.event(CalendarEvent.Kind.AFFECTATION_RESULTS)
    if affectation is not None and affectation.happened_at is None:
        p.go(affectation.at)
    annee = p.annee
    waiting = siecle_selectors.dossiers_en_attente(
        world=p.world, uai=p.uai, annee=annee, source=DossierEntrant.Source.AFFECTATION
    )
    if waiting.exists():
        siecle_services.dossiers_affectation_receptionner(world=p.world, annee=annee, user=p.user)
    pupils = truth.pupils(p.world, annee, truth.rentree_day(p.world, annee))
    neighbours = {x.ine: x for x in pupils.values() if x.arrival == "neighbour"}
    offered = list(
        siecle_selectors.dossiers_en_attente(
            world=p.world, uai=p.uai, annee=annee, source=DossierEntrant.Source.AUTRE_EPLE
        ).filter(ine__in=list(neighbours))
    )
    mistake = None
    if ELEVE_VOISIN in p.leave and offered:
        mistake, offered = offered[0], offered[1:]
    if offered:
        siecle_services.dossiers_eple_importer(
            world=p.world, annee=annee, ids=[d.pk for d in offered], user=p.user
        )
    if mistake is not None:
        create_by_hand(p, neighbours[mistake.ine], with_ine=False)
    for pupil in pupils.values():
        if pupil.arrival == "other_academie":
            create_by_hand(p, pupil, with_ine=True)
    _affect(p, [x for x in pupils.values() if x.arrival != "continuing"])
    p.say(
        "SIECLE : dossiers de l'affectation reçus, dossiers des EPLE importés, élèves "
        "d'autres académies créés ; tous affectés."
    )


def play_fiches_bloquantes(p: Pilot) -> None:
    if FICHE_BLOQUANTE in p.leave:
        return
    from entsim.models import Pupil

    for annee in (p.annee - 1, p.annee):
        rows = siecle_selectors.with_motifs(
            siecle_selectors.fiches_bloquantes(world=p.world, uai=p.uai, annee=annee)
        )
        for scolarite, reasons in rows:
            eleve = scolarite.eleve
            row = Pupil.objects.filter(world=p.world, ine=eleve.ine).first() if eleve.ine else None
            if row is None:
                continue
            if any(r.startswith("Commune de naissance") for r in reasons):
                siecle_services.eleve_identite_update(
                    world=p.world,
                    eleve=eleve,
                    data={
                        "code_pays_naiss": row.birth_country,
                        "code_commune_insee_naiss": row.birth_commune_insee,
                    },
                    user=p.user,
                )
            if any(r.startswith("Aucun représentant légal") for r in reasons):
                _legal_with_address(p, eleve, row)
    p.say("SIECLE : fiches bloquantes complétées.")


def _legal_with_address(p: Pilot, eleve, row) -> None:
    """The truth's legal responsables: a link recorded as a mere contact becomes legal; a
    legal responsable recorded without an address is entered again, with it (the fiche has no
    other way to give a responsable an address)."""
    ties = {
        identity(t.responsable.last_name, t.responsable.first_name, None): t
        for t in truth.legal_ties(p.world, [row.pk])[row.pk]
        if t.level == LienResponsable.Niveau.LEGAL
    }
    for lien in list(eleve.liens.select_related("personne__adresse")):
        person = lien.personne
        tie = ties.get(identity(person.nom, person.prenom, None))
        if tie is None:
            continue
        if lien.niveau != LienResponsable.Niveau.LEGAL:
            siecle_services.lien_modifier(
                world=p.world,
                lien=lien,
                code_parente=lien.code_parente,
                niveau=LienResponsable.Niveau.LEGAL,
                user=p.user,
            )
        if person.adresse is None or not person.adresse.est_complete:
            address = tie.responsable.address
            siecle_services.lien_supprimer(world=p.world, lien=lien, user=p.user)
            siecle_services.responsable_creer(
                world=p.world,
                eleve=eleve,
                civilite=person.civilite,
                nom_famille=person.nom,
                prenom=person.prenom,
                code_parente=lien.code_parente,
                niveau=LienResponsable.Niveau.LEGAL,
                adresse={
                    "lignes": [address.line1, address.line2, address.line3, address.line4],
                    "code_postal": address.code_postal,
                    "commune": address.commune,
                },
                tel_portable=person.tel_portable,
                user=p.user,
            )


def play_doublons_responsables(p: Pilot) -> None:
    if RESPONSABLE_DOUBLON in p.leave:
        return
    for group in siecle_selectors.doublons_responsables(world=p.world, uai=p.uai):
        # keep the one most pupils are attached to (the oldest when equal)
        ranked = sorted(group.personnes, key=lambda x: (-len(group.eleves[x.pk]), x.personne_id))
        keep = ranked[0]
        for other in ranked[1:]:
            siecle_services.responsables_fusionner(
                world=p.world, supprime=other, remplace=keep, user=p.user
            )
    p.say("SIECLE : doublons de responsables fusionnés.")


def play_export_eleves(p: Pilot) -> None:
    exchange = siecle_exports.xml_export(
        world=p.world, kind=siecle_exports.SANS_ADRESSES, annee=p.annee, user=p.user
    )
    edt_services.eleves_import_exchange(world=p.world, exchange=exchange, user=p.user)
    p.say("SIECLE : Exportations > En XML ; élèves récupérés dans le logiciel EDT.")


def play_liens(p: Pilot) -> None:
    edt_services.spr_mode_set(world=p.world, spr=True)
    exchange = edt_services.elegroupe_export(world=p.world, user=p.user)
    elegroupe_deposit(
        world=p.world,
        filename=exchange.filename,
        content=exchange_content(exchange=exchange),
        user=p.user,
        annee=p.annee,
    )
    p.night()
    p.say("EDT (SPR) : liens exportés ; SIECLE : déposés, importés la nuit (+24 h).")


# --- EDT -----------------------------------------------------------------------------------------
def play_export_edt(p: Pilot) -> None:
    export = sts_services.emploi_du_temps_export(world=p.world, year=p.sts_year(), user=p.user)
    edt_services.sts_import_exchange(world=p.world, exchange=export.exchange, user=p.user)
    p.say("STS-web : Exports > Emploi du temps ; récupéré dans le logiciel EDT.")


def planted_group_code(code: str) -> str:
    """The name a hurried timetabler gives a group: a '/' STS-web refuses (guide 2.7)."""
    return f"{code[:-1]}/{code[-1]}"[: edt_services.STRUCTURE_CODE_MAX]


def play_edt_groupes(p: Pilot) -> None:
    """Groups of the rentrée with their divisions, then every teaching service."""
    world = p.world
    divisions = {d.sts_code: d for d in edt_selectors.divisions(world=world)}
    existing = {g.code: g for g in edt_selectors.groupes(world=world)}
    groupes: dict[str, EdtGroupe] = {}
    for code, group in truth.groups(world, p.annee).items():
        members = [divisions[c] for c in group.divisions if c in divisions]
        planted = existing.get(planted_group_code(code))
        groupe = existing.get(code)
        if planted is not None and GROUPE_EDT in p.leave:
            groupe = planted
        elif planted is not None:  # the guide's fix: rename it before the export
            groupe = edt_services.groupe_update(
                world=world, groupe=planted, code=code, libelle=group.label, divisions=members
            )
        elif groupe is None:
            groupe = edt_services.groupe_create(
                world=world, code=code, libelle=group.label, divisions=members
            )
        groupes[code] = groupe
    matieres = {m.sts_code: m for m in edt_selectors.matieres(world=world)}
    teachers = {e.sts_id: e for e in edt_selectors.enseignants(world=world)}
    have = {
        (s.division_id, s.groupe_id, s.matiere_id, s.mod_cours)
        for s in edt_selectors.services_of(world=world)
    }
    for service in truth.services(world, p.annee):
        matiere = matieres.get(service.subject_code)
        if matiere is None:
            raise PilotError(f"Matière {service.subject_code} inconnue du logiciel EDT.")
        division = divisions.get(service.division.code) if service.division_id else None
        groupe = groupes.get(service.group.code) if service.group_id else None
        teacher = teachers.get(str(service.teacher.sts_id))
        key = (division.pk if division else None, groupe.pk if groupe else None, matiere.pk)
        if (*key, service.mod_cours) in have:
            found = (
                edt_selectors.services_of(world=world, division=division, groupe=groupe)
                .filter(matiere=matiere, mod_cours=service.mod_cours)
                .first()
            )
            if teacher is not None:
                edt_services.service_enseignant_add(world=world, service=found, enseignant=teacher)
            continue
        edt_services.service_create(
            world=world,
            matiere=matiere,
            mod_cours=service.mod_cours,
            division=division,
            groupe=groupe,
            enseignant=teacher,
            heures=service.hours,
        )
        have.add((*key, service.mod_cours))
    p.say("EDT : groupes et services de la rentrée créés.")


def play_import_edt(p: Pilot) -> None:
    exchange = edt_services.emp_sts_export(world=p.world, user=p.user)
    sts_services.edt_file_import(world=p.world, exchange=exchange, user=p.user)
    p.say("EDT : export vers STS-web ; STS-web : Import > Emploi du temps.")


def edt_pupils_in_groups(world: World, annee: int, day: dt.date, leave=frozenset()) -> None:
    """In the EDT software, every pupil in the groups he really is in."""
    by_ine, by_identity = {}, {}
    for eleve in EdtEleve.objects.filter(world=world, actif=True):
        if eleve.ine:
            by_ine[eleve.ine] = eleve
        by_identity[identity(eleve.nom, eleve.prenom, eleve.date_naissance)] = eleve
    pupils = truth.pupils(world, annee, day)
    groupes = {g.code: g for g in edt_selectors.groupes(world=world)}
    for code, group in truth.groups(world, annee).items():
        groupe = groupes.get(code) or groupes.get(planted_group_code(code))
        members = []
        for pk in group.pupils:
            pupil = pupils.get(pk)
            if pupil is None:
                continue
            eleve = by_ine.get(pupil.ine) or by_identity.get(pupil.key)
            if eleve is not None:
                members.append(eleve)
        if groupe is not None and members:
            edt_services.groupe_eleves_add(world=world, groupe=groupe, eleves=members)


def play_eleves_groupes(p: Pilot) -> None:
    edt_pupils_in_groups(p.world, p.annee, truth.rentree_day(p.world, p.annee))
    p.say("EDT : élèves inscrits dans leurs groupes.")


# --- ENT -----------------------------------------------------------------------------------------
def play_rentree_ent(p: Pilot) -> None:
    """The real chain waits: the rentrée, then the AAF extraction (20:00) read by the ENT
    (03:00) — the groups are in the ENT the morning after."""
    rentree = p.event(CalendarEvent.Kind.RENTREE)
    if rentree is not None:
        p.go(rentree.at)
    p.night()
    p.say("Rentrée ; l'annuaire extrait l'année, l'ENT la lit la nuit (+48 h).")


# --- Doublons et multi-inscriptions (2.13) --------------------------------------------------------
def play_import_voisins(p: Pilot) -> None:
    """The dossiers other schools sent: imported (one created by hand when the plant is left)."""
    waiting = list(
        siecle_selectors.dossiers_en_attente(
            world=p.world, uai=p.uai, annee=p.annee, source=DossierEntrant.Source.AUTRE_EPLE
        )
    )
    if ELEVE_VOISIN in p.leave and waiting:
        mistake, waiting = waiting[0], waiting[1:]
        pupils = truth.pupils(p.world, p.annee, truth.rentree_day(p.world, p.annee))
        pupil = next((x for x in pupils.values() if x.ine == mistake.ine), None)
        if pupil is not None:
            create_by_hand(p, pupil, with_ine=False)
    if waiting:
        siecle_services.dossiers_eple_importer(
            world=p.world, annee=p.annee, ids=[d.pk for d in waiting], user=p.user
        )
    p.say("SIECLE : dossiers des autres EPLE importés.")


def play_multi_inscription(p: Pilot) -> None:
    """The night raises the signal; the school where the pupil is not present déscolarise him;
    the next night lifts it (and the AAF extracts him under his school)."""
    from entsim.models import Schooling

    p.night()
    if MULTI_INSCRIPTION in p.leave:
        return
    annee = p.world.school_year(p.now)
    day = timeline.local(p.now).date()
    for actif in siecle_selectors.eleves_actifs(world=p.world, uai=p.uai, annee=annee):
        signalled = siecle_selectors.signalements(world=p.world, uai=p.uai).filter(
            ine=actif.eleve.ine
        )
        really_here = Schooling.objects.filter(
            world=p.world,
            pupil__ine=actif.eleve.ine,
            establishment_id=p.world.home_id,
            school_year=annee,
        ).exists()
        if signalled.exists() and not really_here:
            siecle_services.eleve_descolariser(
                world=p.world, eleve=actif.eleve, annee=annee, date_sortie=day, user=p.user
            )
    p.night()
    p.say("SIECLE : multi-inscription levée (déscolarisation), vérifiée la nuit suivante.")


# --- Groupes EDT vers ENT (4) --------------------------------------------------------------------
def play_export_liens(p: Pilot) -> None:
    edt_services.spr_mode_set(world=p.world, spr=True)
    edt_services.elegroupe_export(world=p.world, user=p.user)
    p.say("EDT : mode superviseur, fichier des liens exporté.")


def play_depot_liens(p: Pilot) -> None:
    exchange = next(e for e in edt_selectors.exports_recent(world=p.world) if e.kind == "elegroupe")
    elegroupe_deposit(
        world=p.world,
        filename=exchange.filename,
        content=exchange_content(exchange=exchange),
        user=p.user,
        annee=p.world.school_year(p.now),
    )
    p.say("SIECLE : fichier des liens déposé (pas de notification).")


def play_night(p: Pilot) -> None:
    p.night()
    p.say("Nuit : traitements de SIECLE, de l'annuaire et de l'ENT.")


# --- Arrivées en cours d'année (3) ---------------------------------------------------------------
def play_rentree(p: Pilot) -> None:
    """The rentrée as the guide has it (the 'Préparation de rentrée' chronology)."""
    from . import preparation_rentree

    for step in preparation_rentree.SCENARIO.steps:
        if step.play is not None:
            step.play(p)


def _replacement(p: Pilot, kind: str) -> None:
    event = p.event(kind)
    if event is None:
        return
    p.go(event.at)
    event.refresh_from_db()
    year = sts_selectors.year_get(world=p.world, year=p.world.school_year(p.now))
    teachers = {t.sts_id: t for t in sts_selectors.teachers_of_year(year=year, include_sup=True)}
    new = teachers[event.staff.sts_id]
    if kind == CalendarEvent.Kind.TEACHER_REP:
        absent = teachers[event.staff.replaces.sts_id]
        rows = sts_selectors.teacher_assignments(year=year, teacher=absent)
        sts_services.support_change(
            world=p.world,
            year=year,
            absent=absent,
            replacing=new,
            assignment_ids=[r.assignment.pk for r in rows],
            user=p.user,
        )
    else:
        sts_services.suppleants_attach(
            world=p.world, year=year, suppleant_ids=[new.pk], user=p.user
        )
    sts_services.structure_export(world=p.world, year=year, user=p.user)
    sts_services.services_export(world=p.world, year=year, user=p.user)
    p.quarter_hour()
    p.say(f"STS-web : {event.label} ; services rattachés, structure puis services exportés.")


def play_rep(p: Pilot) -> None:
    _replacement(p, CalendarEvent.Kind.TEACHER_REP)


def play_sup(p: Pilot) -> None:
    _replacement(p, CalendarEvent.Kind.TEACHER_SUP)


def _arrived(p: Pilot, event: CalendarEvent) -> None:
    """Affect the pupil who just arrived, and enrol him in his groups directly in SIECLE."""
    from siecle.groupes import groupe_inscrire

    day = timeline.local(event.at).date()
    pupils = truth.pupils(p.world, p.world.school_year(p.now), day)
    pupil = pupils.get(event.pupil_id)
    if pupil is None:
        return
    _affect(p, [pupil])
    scolarite = _scolarites(p).get(("ine", pupil.ine)) or _scolarites(p).get(pupil.key)
    have = {g.groupe for g in scolarite.groupes.all()}
    for code in sorted(pupil.groups - have):
        groupe_inscrire(world=p.world, scolarite=scolarite, code=code, user=p.user)


def play_eleve_arrive_voisin(p: Pilot) -> None:
    event = p.event(CalendarEvent.Kind.PUPIL_FROM_NEIGHBOUR)
    if event is None:
        return
    p.go(event.at)
    waiting = list(
        siecle_selectors.dossiers_en_attente(
            world=p.world,
            uai=p.uai,
            annee=p.world.school_year(p.now),
            source=DossierEntrant.Source.AUTRE_EPLE,
        ).filter(ine=event.pupil.ine)
    )
    if ELEVE_VOISIN in p.leave or not waiting:
        pupils = truth.pupils(p.world, p.world.school_year(p.now), timeline.local(event.at).date())
        create_by_hand(p, pupils[event.pupil_id], with_ine=False)
    else:
        siecle_services.dossiers_eple_importer(
            world=p.world,
            annee=p.world.school_year(p.now),
            ids=[d.pk for d in waiting],
            user=p.user,
        )
    _arrived(p, event)
    p.say(f"SIECLE : {event.label} ; dossier importé, affecté, inscrit dans ses groupes.")


def play_eleve_autre_academie(p: Pilot) -> None:
    event = p.event(CalendarEvent.Kind.PUPIL_FROM_OTHER_ACADEMIE)
    if event is None:
        return
    p.go(event.at)
    pupils = truth.pupils(p.world, p.world.school_year(p.now), timeline.local(event.at).date())
    create_by_hand(p, pupils[event.pupil_id], with_ine=True)
    _arrived(p, event)
    p.say(f"SIECLE : {event.label} ; fiche créée intégralement, affectée, groupes.")


def play_depart(p: Pilot) -> None:
    from siecle.models import Eleve

    event = p.event(CalendarEvent.Kind.PUPIL_LEAVES)
    if event is None:
        return
    p.go(event.at)
    eleve = Eleve.objects.get(world=p.world, uai=p.uai, ine=event.pupil.ine)
    siecle_services.eleve_descolariser(
        world=p.world,
        eleve=eleve,
        annee=p.world.school_year(p.now),
        date_sortie=dt.date.fromisoformat(event.data["date_sortie"]),
        user=p.user,
    )
    p.say(f"SIECLE : {event.label} ; déscolarisé(e).")
