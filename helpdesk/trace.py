"""T6 The help desk trace: one person followed hop by hop STS-web → SIECLE → AAF → ENT.

Each hop says what that system holds for the person, when it last changed (simulated time),
and its state. The first hop that stops the person (rompu, en attente, anomalie) is where the
chain breaks: the trace gives the reason, in French, and the guide section that fixes it.
Hops after a break are "non atteint" when they hold nothing because of it.

Only the systems' selectors are read; nothing is written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import aaf.selectors as aaf_selectors
import ent.selectors as ent_selectors
import siecle.selectors as siecle_selectors
import sts.selectors as sts_selectors
from entsim import registry, timeline
from entsim import selectors as entsim_selectors
from entsim.formats import aaf, sts_emp
from entsim.formats.safe import FormatError
from entsim.models import Exchange, World
from entsim.services.exchanges import exchange_content

from . import guide
from .people import ELEVE, ENSEIGNANT, RESPONSABLE, Person, home_uai, name_key

OK = "ok"
REMARQUE = "remarque"
EN_ATTENTE = "en_attente"
ROMPU = "rompu"
ANOMALIE = "anomalie"
NON_ATTEINT = "non_atteint"
SANS_OBJET = "sans_objet"
STATE_LABELS = {
    OK: "Transmis",
    REMARQUE: "Transmis, avec une remarque",
    EN_ATTENTE: "En attente",
    ROMPU: "Chaîne rompue",
    ANOMALIE: "Anomalie",
    NON_ATTEINT: "Non atteint",
    SANS_OBJET: "Sans objet",
}
BREAKS = (ROMPU, EN_ATTENTE, ANOMALIE)
CATEGORY = {ELEVE: aaf.ELEVE, RESPONSABLE: aaf.PERS_REL_ELEVE, ENSEIGNANT: aaf.PERS_EDUC_NAT}
WAITING = (Exchange.State.DEPOSITED, Exchange.State.PENDING)


def when(moment: dt.datetime | None) -> str:
    return f"{timeline.local(moment):%d/%m/%Y à %H:%M}" if moment else "—"


@dataclass
class Hop:
    system: str
    state: str = OK
    holds: list[str] = field(default_factory=list)
    changed_at: dt.datetime | None = None
    changed_label: str = ""  # what the date is ("dernière extraction", ...)
    reason: str = ""
    guide: str = ""  # guide section number

    @property
    def title(self) -> str:
        return registry.SYSTEMS[self.system]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def guide_label(self) -> str:
        return guide.section(self.guide)

    @property
    def tone(self) -> str:
        """The DSFR badge of the state (success, warning, info, error; "" for neutral)."""
        return {OK: "success", REMARQUE: "warning", EN_ATTENTE: "info", ROMPU: "error"}.get(
            self.state, "error" if self.state == ANOMALIE else ""
        )

    @property
    def changed_when(self) -> str:
        return when(self.changed_at) if self.changed_at else ""

    @property
    def is_break(self) -> bool:
        return self.state in BREAKS

    def stop(self, state: str, reason: str, section: str = "") -> Hop:
        self.state, self.reason, self.guide = state, reason, section
        return self

    def as_dict(self) -> dict:
        return {
            "systeme": self.title,
            "etat": self.state_label,
            "contenu": self.holds,
            "modifie_le": timeline.local(self.changed_at).isoformat() if self.changed_at else None,
            "modification": self.changed_label,
            "motif": self.reason,
            "guide": self.guide_label,
        }


@dataclass
class Trace:
    person: Person
    now: dt.datetime
    hops: list[Hop]

    @property
    def now_when(self) -> str:
        return when(self.now)

    @property
    def break_index(self) -> int | None:
        return next((i for i, hop in enumerate(self.hops) if hop.is_break), None)

    @property
    def break_hop(self) -> Hop | None:
        index = self.break_index
        return self.hops[index] if index is not None else None

    @property
    def break_link(self) -> str:
        """Where the person stops: "SIECLE Base élèves → Annuaire académique (AAF)"."""
        index = self.break_index
        if index is None:
            return ""
        previous = next(
            (hop for hop in reversed(self.hops[:index]) if hop.state != SANS_OBJET), None
        )
        if previous is None:
            return self.hops[index].title
        return f"{previous.title} → {self.hops[index].title}"

    @property
    def remark_hop(self) -> Hop | None:
        return next((hop for hop in self.hops if hop.state == REMARQUE), None)

    @property
    def conclusion(self) -> str:
        hop = self.break_hop
        if hop is not None:
            return f"La chaîne s'arrête à : {self.break_link}. {hop.reason}"
        remark = self.remark_hop
        if remark is not None:
            return f"Présent jusqu'à l'ENT, avec une remarque ({remark.title}) : {remark.reason}"
        return "Présent dans chaque système jusqu'à l'ENT."

    def as_dict(self) -> dict:
        hop = self.break_hop
        return {
            "personne": self.person.as_dict(),
            "date_simulee": timeline.local(self.now).isoformat(),
            "etapes": [h.as_dict() for h in self.hops],
            "rupture": (
                {
                    "systeme": hop.title,
                    "lien": self.break_link,
                    "etat": hop.state_label,
                    "motif": hop.reason,
                    "guide": hop.guide_label,
                }
                if hop is not None
                else None
            ),
            "conclusion": self.conclusion,
        }


# --- What the whole chain needs --------------------------------------------------------------


@dataclass
class _Chain:
    world: World
    now: dt.datetime
    year: int
    home: str  # the trainee's establishment
    uai: str  # the person's establishment
    run: object | None  # the last AafRun

    def sts_year(self):
        """STS-web's year in progress of the person's establishment (None if it has none)."""
        return next(
            (
                year
                for est, year in sts_selectors.establishments_with_year(world=self.world)
                if est.uai == self.uai
            ),
            None,
        )

    def next_at(self, kind: str, after: dt.datetime | None = None) -> dt.datetime | None:
        found = timeline.upcoming(max(after or self.now, self.now), 1, {kind})
        return found[0][1] if found else None

    @property
    def next_extraction(self) -> str:
        return when(self.next_at("aaf.extraction"))


def _codes(values, name: str) -> list[str]:
    """Class or group codes of AAF values "structId$CODE[$...]"."""
    return sorted({aaf.split_fields(v, name=name)[1] for v in values if aaf.SEPARATOR in v})


# --- AAF and ENT: the same for every person --------------------------------------------------


@dataclass
class _Expect:
    """What the AAF should hold, read from the hop upstream (None: nothing to compare)."""

    classes: list[str] | None = None
    groups: list[str] | None = None
    changed_at: dt.datetime | None = None  # the last change upstream
    blocker: tuple[str, str] | None = None  # (reason, guide) the AAF will leave them out for


def _entry_cohorts(person: Person, entry: aaf.AddRequest) -> tuple[list[str], list[str]]:
    if person.kind == ENSEIGNANT:
        return (
            _codes(entry.values("ENTAuxEnsClasses"), "ENTAuxEnsClasses"),
            _codes(entry.values("ENTAuxEnsGroupes"), "ENTAuxEnsGroupes"),
        )
    return (
        _codes(entry.values("ENTEleveClasses"), "ENTEleveClasses"),
        _codes(entry.values("ENTEleveGroupes"), "ENTEleveGroupes"),
    )


def _left_out_guide(reason: str) -> str:
    if "Multi-inscription" in reason:
        return "2.13"
    return "2.5.2"


def _aaf_hop(
    chain: _Chain, person: Person, expect: _Expect, upstream_broken: bool
) -> tuple[Hop, str | None, aaf.AddRequest | None]:
    hop = Hop("aaf")
    jointure = aaf_selectors.jointure_of(world=chain.world, key=person.aaf_key)
    run = chain.run
    if run is None:
        hop.holds.append("Aucune extraction de l'annuaire pour l'instant.")
        if upstream_broken:
            return hop.stop(NON_ATTEINT, ""), jointure, None
        if expect.blocker:
            return hop.stop(ROMPU, *expect.blocker), jointure, None
        return (
            hop.stop(
                EN_ATTENTE,
                "L'annuaire n'a encore rien extrait : la prochaine extraction a lieu le "
                f"{chain.next_extraction} ; l'ENT l'importera la nuit suivante à 3 h.",
                "1",
            ),
            jointure,
            None,
        )
    hop.changed_at, hop.changed_label = run.at, f"extraction {run.kind}"
    hop.holds.append(f"Dernière extraction : {run.kind} du {when(run.at)}.")
    entry = (
        aaf_selectors.run_entry(run=run, category=CATEGORY[person.kind], jointure=jointure)
        if jointure
        else None
    )
    left = [
        row
        for row in run.left_out
        if row.get("uai") == person.uai and name_key(row.get("nom", "")) == name_key(person.label)
    ]
    if entry is not None:
        hop.holds.append(f"Identifiant de jointure {jointure} ({entry.category}).")
        classes, groups = _entry_cohorts(person, entry)
        if person.kind != RESPONSABLE:
            hop.holds.append(f"Classes : {', '.join(classes) or 'aucune'}.")
            hop.holds.append(f"Groupes : {', '.join(groups) or 'aucun'}.")
        else:
            pupils = entry.values("ENTAuxPersRelEleveEleve")
            hop.holds.append(f"Élèves rattachés (jointures) : {', '.join(pupils) or 'aucun'}.")
        differs = (expect.classes is not None and classes != sorted(expect.classes)) or (
            expect.groups is not None and groups != sorted(expect.groups)
        )
        if differs:
            if expect.changed_at and expect.changed_at > run.at:
                return (
                    hop.stop(
                        REMARQUE,
                        f"L'extraction du {when(run.at)} est antérieure au dernier changement "
                        f"({when(expect.changed_at)}) : la prochaine extraction, le "
                        f"{chain.next_extraction}, mettra ses classes et groupes à jour.",
                        "1",
                    ),
                    jointure,
                    entry,
                )
            return (
                hop.stop(
                    REMARQUE,
                    "Les classes et groupes de l'annuaire diffèrent de ceux du système amont.",
                ),
                jointure,
                entry,
            )
        return hop, jointure, entry
    for row in left:
        hop.holds.append(f"Écarté par l'extraction : {row['motif']}")
    if jointure:
        hop.holds.append(f"Identifiant de jointure {jointure} (absent de cette extraction).")
    if upstream_broken:
        return hop.stop(NON_ATTEINT, ""), jointure, None
    if left:
        reason = left[0]["motif"]
        advice = ""
        if "scolarisé aussi" in reason:
            advice = (
                " Un élève inscrit dans deux établissements ne sort plus dans l'AAF : "
                "l'établissement où il n'est pas présent doit le déscolariser."
            )
        return (
            hop.stop(
                ROMPU,
                f"Écarté par l'extraction du {when(run.at)} : {reason}{advice}",
                _left_out_guide(reason),
            ),
            jointure,
            None,
        )
    if expect.blocker:
        return hop.stop(ROMPU, *expect.blocker), jointure, None
    if expect.changed_at is None or expect.changed_at > run.at:
        since = f" ({when(expect.changed_at)})" if expect.changed_at else ""
        return (
            hop.stop(
                EN_ATTENTE,
                f"Pas encore extrait : le dernier changement{since} est postérieur à la "
                f"dernière extraction ({when(run.at)}). La prochaine extraction a lieu le "
                f"{chain.next_extraction}.",
                "1",
            ),
            jointure,
            None,
        )
    return (
        hop.stop(ROMPU, f"Absent de l'extraction du {when(run.at)}, sans motif enregistré."),
        jointure,
        None,
    )


def _ent_hop(
    chain: _Chain,
    person: Person,
    jointure: str | None,
    entry: aaf.AddRequest | None,
    upstream_broken: bool,
) -> Hop:
    hop = Hop("ent")
    account = (
        ent_selectors.account_by_jointure(world=chain.world, jointure=jointure)
        if jointure
        else None
    )
    run = chain.run
    exchange = run.exchange if run is not None else None
    waiting = exchange is not None and exchange.state in WAITING
    next_import = when(chain.next_at("ent.import", run.at if run else None))
    if account is None:
        hop.holds.append("Aucun compte.")
        if entry is None or upstream_broken:
            return hop.stop(NON_ATTEINT, "")
        if waiting:
            return hop.stop(
                EN_ATTENTE,
                f"Le fichier « {exchange.filename} » (extraction du {when(run.at)}) attend "
                f"l'import de la nuit dans l'ENT, le {next_import}.",
                "1",
            )
        if exchange is not None and exchange.state == Exchange.State.REJECTED:
            return hop.stop(
                ROMPU,
                f"L'ENT a rejeté le fichier « {exchange.filename} » : "
                f"{exchange.report.get('motif', 'motif non précisé')}",
            )
        return hop.stop(ROMPU, "Absent de l'ENT alors que le dernier fichier de l'AAF le contient.")
    cohorts = ent_selectors.person_cohorts(world=chain.world, jointure=account.jointure)
    hop.changed_at, hop.changed_label = account.updated_at, "mise à jour du compte"
    hop.holds.append(
        f"Compte {account.get_profile_display().lower()} « {account.login or 'sans identifiant'} »"
        f" — {account.get_state_display()}."
    )
    if account.profile != "parent":
        hop.holds.append(f"Classes : {', '.join(cohorts['classes']) or 'aucune'}.")
        hop.holds.append(f"Groupes : {', '.join(cohorts['groupes']) or 'aucun'}.")
    hop.holds.append(f"Créé le {when(account.created_at)}.")
    if account.closed_at:
        hop.holds.append(f"Fermé le {when(account.closed_at)}.")
    if account.state == "ferme":
        if entry is not None and waiting:
            return hop.stop(
                EN_ATTENTE,
                f"Compte fermé ; l'import de la nuit ({next_import}) le rouvrira.",
                "1",
            )
        if upstream_broken or entry is None:
            return hop.stop(NON_ATTEINT, "")
        return hop.stop(ROMPU, "Compte fermé alors que l'annuaire le contient.")
    if account.state == "non_retenu":
        return hop.stop(
            REMARQUE,
            "Pas de compte : aucun élève ne le désigne comme représentant légal.",
        )
    if entry is not None and account.profile != "parent":
        classes, groups = _entry_cohorts(person, entry)
        if (classes, groups) != (cohorts["classes"], cohorts["groupes"]) and waiting:
            return hop.stop(
                REMARQUE,
                f"Classes ou groupes pas encore à jour : l'import de la nuit ({next_import}) "
                "appliquera la dernière extraction de l'annuaire.",
                "1",
            )
    return hop


# --- Pupils ----------------------------------------------------------------------------------


def _pupil_hops(chain: _Chain, person: Person) -> list[Hop]:
    world = chain.world
    eleve = next(
        e
        for e in siecle_selectors.eleves_trouver(world=world, eleve_id=person.eleve_id)
        if e.uai == person.uai
    )
    fiche = siecle_selectors.fiche(
        world=world, uai=person.uai, pk=eleve.pk, annee=chain.year, historique=True
    )
    siecle_hop, expect = _pupil_siecle(chain, person, fiche)
    sts_hop = _pupil_sts(chain, person, fiche)
    upstream = siecle_hop.state == ROMPU
    aaf_hop, jointure, entry = _aaf_hop(chain, person, expect, upstream)
    ent_hop = _ent_hop(chain, person, jointure, entry, upstream or aaf_hop.state == NON_ATTEINT)
    return [sts_hop, siecle_hop, aaf_hop, ent_hop]


def _pupil_sts(chain: _Chain, person: Person, fiche) -> Hop:
    hop = Hop("sts")
    scolarite = fiche.scolarite
    year = chain.sts_year()
    if year is None or scolarite is None or not scolarite.division:
        hop.holds.append(
            "STS-web ne connaît pas les élèves : seulement leurs divisions et groupes."
        )
        if scolarite is None or not scolarite.division:
            hop.holds.append("La fiche SIECLE n'a pas de division cette année.")
        return hop.stop(SANS_OBJET, "")
    code = scolarite.division
    division = sts_selectors.divisions(year=year).filter(code=code).first()
    structure = (
        sts_selectors.exports(world=chain.world, year=year).filter(kind="sts_structure").first()
    )
    if structure is not None:
        hop.changed_at, hop.changed_label = structure.at, "dernier export Structure"
    if division is None:
        hop.holds.append(f"La division {code} n'existe pas dans STS-web ({year.label}).")
        return hop.stop(
            REMARQUE,
            f"La division {code} de la fiche n'existe plus dans STS-web : vérifier la structure.",
            "2.3",
        )
    groups = sorted(
        sts_selectors.groups(year=year).filter(divisions=division).values_list("code", flat=True)
    )
    hop.holds.append(f"Division {code} ({division.libelle_long}) — année {year.label}.")
    hop.holds.append(f"Groupes rattachés à la division : {', '.join(groups) or 'aucun'}.")
    hop.holds.append(
        f"Dernier export Structure vers SIECLE : {when(structure.at)}."
        if structure
        else "Structure jamais exportée vers SIECLE BEE."
    )
    in_siecle = {
        s.code
        for s in siecle_selectors.groupes(world=chain.world, uai=person.uai, annee=chain.year)
    }
    missing = [g for g in groups if g not in in_siecle]
    if missing:
        if structure is not None and structure.exchange and structure.exchange.state in WAITING:
            return hop.stop(
                REMARQUE,
                f"L'export de la structure du {when(structure.at)} n'est pas encore reçu par "
                "SIECLE (il l'est au quart d'heure suivant).",
                "2.4",
            )
        return hop.stop(
            REMARQUE,
            f"Groupes {', '.join(missing)} créés dans STS-web mais absents de SIECLE : exporter "
            "la structure (Exports > Structure) puis les services (Exports > Services).",
            "2.9",
        )
    return hop


def _elegroupe_state(chain: _Chain) -> tuple[str, str] | None:
    """(reason, guide) when the pupils' groups cannot be in SIECLE yet (links file)."""
    files = entsim_selectors.exchanges_for(world=chain.world).filter(
        kind="elegroupe", target="siecle"
    )
    last = files.first()
    if last is None:
        return (
            "Aucun fichier de liens élèves-groupes déposé dans SIECLE : l'exporter du logiciel "
            "EDT (mode SPR) puis l'importer (Importations > Liens élève-groupe depuis logiciel "
            "privé). Les groupes arrivent dans SIECLE le lendemain et dans l'ENT 48 h après.",
            "4.5",
        )
    if last.state in WAITING:
        return (
            f"Le fichier de liens « {last.filename} » déposé le {when(last.deposited_at)} sera "
            "traité cette nuit (1 h) : groupes visibles sur les fiches le lendemain, dans l'ENT "
            "48 h après le dépôt.",
            "4.5",
        )
    if last.state == Exchange.State.REJECTED:
        return (
            f"Le dernier fichier de liens « {last.filename} » a été rejeté : "
            f"{last.report.get('motif', 'voir son compte rendu')}",
            "4.5",
        )
    return None


def _pupil_siecle(chain: _Chain, person: Person, fiche) -> tuple[Hop, _Expect]:
    world = chain.world
    eleve, scolarite = fiche.eleve, fiche.scolarite
    hop = Hop("siecle")
    expect = _Expect()
    moments = [m for m in (eleve.cree_le, *(h.le for h in fiche.historique[:1])) if m]
    hop.changed_at = max(moments) if moments else None
    hop.changed_label = "dernière modification de la fiche"
    hop.holds.append(
        f"Dossier ELEVE_ID {eleve.eleve_id}, INE {eleve.ine or 'non renseigné'} "
        f"({eleve.get_origine_display().lower()}), base {eleve.uai}."
    )
    groups = [g.groupe for g in fiche.groupes]
    if scolarite is not None:
        hop.holds.append(
            f"{chain.year}-{chain.year + 1} : MEF {scolarite.mef_code or 'aucun'}, division "
            f"{scolarite.division or 'aucune'}, groupes {', '.join(groups) or 'aucun'}."
        )
        sortie = f" (sorti le {scolarite.date_sortie:%d/%m/%Y})" if scolarite.date_sortie else ""
        hop.holds.append(f"Scolarisé(e) : {'oui' if scolarite.scolarise else 'non'}{sortie}.")
    else:
        hop.holds.append(f"Aucune scolarité pour {chain.year}-{chain.year + 1}.")
    hop.holds.append(
        f"Fiche bloquante : {', '.join(fiche.motifs)}." if fiche.motifs else "Fiche complète."
    )
    responsables = [
        f"{lien.personne.nom} {lien.personne.prenom} ({lien.get_niveau_display().lower()})"
        for lien in fiche.liens
    ]
    hop.holds.append(f"Responsables : {', '.join(responsables) or 'aucun'}.")
    for signal in siecle_selectors.signalements(world=world, uai=eleve.uai):
        if signal.eleve_id != eleve.pk:
            continue
        hop.holds.append(
            f"Signalement académique « {signal.get_nature_display()} » du "
            f"{when(signal.releve_le)} : {signal.texte}"
        )
    expect.changed_at = hop.changed_at
    others = (
        [e for e in siecle_selectors.eleves_trouver(world=world, ine=eleve.ine) if e.pk != eleve.pk]
        if eleve.ine
        else []
    )
    active_elsewhere = [
        (other, s)
        for other in others
        if (s := siecle_selectors.scolarite_of(eleve=other, annee=chain.year)) and s.scolarise
    ]
    waiting = []
    if person.uai != chain.home:
        hop.holds.append(f"Élève d'un autre établissement que celui du stagiaire ({chain.home}).")
        waiting = [
            dossier
            for dossier in siecle_selectors.dossiers_en_attente(
                world=world, uai=chain.home, annee=chain.year, source="autre_eple"
            )
            if dossier.eleve_id == eleve.eleve_id or (eleve.ine and dossier.ine == eleve.ine)
        ]
    if scolarite is None or not scolarite.scolarise:
        if scolarite is not None and scolarite.date_sortie:
            reason = (
                f"Déscolarisé le {scolarite.date_sortie:%d/%m/%Y} : l'AAF n'extrait que les "
                "élèves scolarisés."
            )
            if active_elsewhere:
                other, s = active_elsewhere[0]
                reason += (
                    f" Il est scolarisé à {other.uai} (division {s.division}) : il sort dans "
                    "l'AAF et l'ENT de cet établissement."
                )
                return hop.stop(ROMPU, reason, "2.13"), expect
            return hop.stop(ROMPU, reason, "3.3"), expect
        return (
            hop.stop(
                ROMPU,
                "Sans scolarité active : aucun MEF pour l'année en cours (non affecté). L'AAF "
                "n'extrait que les élèves scolarisés : l'affecter dans son MEF et sa division "
                "(Affectation), l'inscrire dans ses options.",
                "2.5.2",
            ),
            expect,
        )
    expect.classes = [scolarite.division] if scolarite.division else []
    expect.groups = groups
    if active_elsewhere:
        other, s = active_elsewhere[0]
        expect.blocker = (
            f"Multi-inscription : scolarisé aussi à {other.uai} (division {s.division}, INE "
            f"{eleve.ine}). Un élève inscrit dans deux établissements ne sort plus dans l'AAF : "
            "l'établissement où il n'est pas présent doit le déscolariser.",
            "2.13",
        )
    duplicate = next(
        (d for d in siecle_selectors.duplicates_created_by_hand(world) if d.eleve.pk == eleve.pk),
        None,
    )
    if duplicate is not None:
        return (
            hop.stop(
                ANOMALIE,
                "Fiche créée à la main (création intégrale) alors que l'élève était connu : "
                f"{', '.join(duplicate.connu_dans)}. C'est un doublon : nouvel identifiant, "
                "second compte ENT. Il fallait importer son dossier, jamais le créer.",
                "2.13",
            ),
            expect,
        )
    if waiting:
        return (
            hop.stop(
                REMARQUE,
                f"Son dossier attend dans les importations de {chain.home} (Dossiers depuis "
                f"autre EPLE, envoyé le {when(waiting[0].offert_le)}) : s'il y est arrivé, "
                "l'importer ; il sortira alors dans l'AAF sous cet établissement.",
                "3.2.1",
            ),
            expect,
        )
    if not scolarite.division:
        return (
            hop.stop(
                REMARQUE,
                "Pas de division : il arrivera dans l'ENT sans classe. L'affecter dans sa "
                "division.",
                "2.5.2",
            ),
            expect,
        )
    division_groups = [
        s.code
        for s in siecle_selectors.groupes(world=world, uai=person.uai, annee=chain.year)
        if scolarite.division in (s.divisions or [])
    ]
    if division_groups and not groups:
        links = _elegroupe_state(chain)
        if links is not None:
            return hop.stop(REMARQUE, *links), expect
    return hop, expect


# --- Responsables ------------------------------------------------------------------------------


def _responsable_hops(chain: _Chain, person: Person) -> list[Hop]:
    world = chain.world
    sts_hop = Hop("sts").stop(SANS_OBJET, "")
    sts_hop.holds.append("STS-web ne connaît pas les responsables d'élèves.")
    personne = next(
        p
        for p in siecle_selectors.personnes_trouver(world=world, personne_id=person.personne_id)
        if p.uai == person.uai
    )
    hop = Hop("siecle")
    account = f", compte téléservices {personne.compte_ts}" if personne.compte_ts else ""
    hop.holds.append(
        f"Responsable PERSONNE_ID {personne.personne_id} : {personne.civilite} {personne.nom} "
        f"{personne.prenom}{account}."
    )
    pupils, legal, active = [], False, False
    for lien in personne.liens.all():
        scolarite = siecle_selectors.scolarite_of(eleve=lien.eleve, annee=chain.year)
        scolarise = bool(scolarite and scolarite.scolarise)
        active = active or scolarise
        legal = legal or lien.niveau == 1
        pupils.append(
            f"{lien.eleve.nom} {lien.eleve.prenom} ({lien.get_niveau_display().lower()}, "
            f"{'scolarisé' if scolarise else 'non scolarisé'})"
        )
    hop.holds.append(f"Élèves rattachés : {', '.join(pupils) or 'aucun'}.")
    twins = next(
        (
            group.personnes
            for group in siecle_selectors.doublons_responsables(
                world=world, uai=person.uai, nom_=personne.nom, prenom=personne.prenom
            )
            if any(p.pk == personne.pk for p in group.personnes)
        ),
        [],
    )
    others = [p for p in twins if p.pk != personne.pk]
    if others:
        hop.stop(
            ANOMALIE,
            f"Responsable en doublon dans la base : {len(twins)} fiches (PERSONNE_ID "
            f"{', '.join(str(p.personne_id) for p in twins)}). L'AAF en fait autant de personnes "
            "et l'ENT autant de comptes parents. Fiches élèves > Doublons responsables > "
            "Chercher : cocher le responsable à supprimer et celui qui le remplace.",
            "2.13",
        )
    elif not active:
        hop.stop(
            ROMPU,
            "Aucun de ses enfants n'est scolarisé cette année : l'AAF ne l'extrait pas.",
            "2.5.2",
        )
    elif not legal:
        hop.stop(
            REMARQUE,
            "Il n'est représentant légal d'aucun élève : l'ENT ne lui ouvre pas de compte.",
        )
    upstream = hop.state == ROMPU
    aaf_hop, jointure, entry = _aaf_hop(chain, person, _Expect(), upstream)
    if aaf_hop.state == EN_ATTENTE and chain.run is not None and active:
        aaf_hop.reason = (
            "Absent de la dernière extraction : ses enfants n'y sont pas (tracer l'élève). "
            + aaf_hop.reason
        )
    ent_hop = _ent_hop(chain, person, jointure, entry, upstream or aaf_hop.state == NON_ATTEINT)
    for other in others:
        other_id = aaf_selectors.jointure_of(world=world, key=f"R:{person.uai}:{other.personne_id}")
        other_account = (
            ent_selectors.account_by_jointure(world=world, jointure=other_id) if other_id else None
        )
        if other_account is not None:
            ent_hop.holds.append(
                f"Autre compte pour le doublon PERSONNE_ID {other.personne_id} : "
                f"« {other_account.login or 'sans identifiant'} » "
                f"({other_account.get_state_display().lower()})."
            )
    return [sts_hop, hop, aaf_hop, ent_hop]


# --- Teachers ----------------------------------------------------------------------------------


def _exported_services(doc: sts_emp.StsEmp, sts_id: int) -> tuple[set[str], set[str]]:
    """(division codes, group codes) of a teacher's services in a Services export."""
    classes, groups = set(), set()
    structure = doc.donnees.structure
    for target, items in ((classes, structure.divisions), (groups, structure.groupes)):
        for item in items:
            for service in item.services:
                if any(str(t.id) == str(sts_id) for t in service.enseignants):
                    target.add(item.code)
    return classes, groups


def _last_services_export(chain: _Chain) -> tuple[Exchange | None, sts_emp.StsEmp | None]:
    """The last Services export of the establishment (what SIECLE and the AAF know)."""
    for exchange in entsim_selectors.exchanges_for(world=chain.world).filter(kind="sts_services"):
        try:
            doc = sts_emp.read(exchange_content(exchange=exchange))
        except (FormatError, OSError, ValueError):
            continue
        if doc.parametres.uaj.code == chain.uai:
            return exchange, doc
    return None, None


def _teacher_hops(chain: _Chain, person: Person) -> list[Hop]:
    world = chain.world
    year = chain.sts_year()
    teacher = (
        sts_selectors.teachers_of_year(year=year, include_sup=True)
        .select_related("replaces")
        .get(sts_id=person.sts_id)
    )
    today = sts_selectors.today(world)
    rows = [
        row
        for row in sts_selectors.teacher_assignments(year=year, teacher=teacher)
        if row.assignment.end_date is None or row.assignment.end_date >= today
    ]
    sts_hop = Hop("sts")
    fonction = teacher.fonction or "ENS"
    sts_hop.holds.append(
        f"Identifiant STS {teacher.sts_id}, {fonction} {teacher.discipline_code} — année "
        f"{year.label}."
    )
    if teacher.replacement:
        replaced = f" de {teacher.replaces}" if teacher.replaces else ""
        sts_hop.holds.append(f"{teacher.get_replacement_display()}{replaced}.")
    sts_hop.holds.append(f"Services : {', '.join(r.label for r in rows) or 'aucun'}.")
    last_import = sts_selectors.last_import(year=year)
    moments = [
        (m, label)
        for m, label in (
            (teacher.arrived_at, "arrivée dans STS-web"),
            (last_import.at if last_import else None, "dernier import emploi du temps"),
        )
        if m
    ]
    if moments:
        sts_hop.changed_at, sts_hop.changed_label = max(moments)
    sts_classes = {
        r.assignment.service.division.code for r in rows if r.assignment.service.division_id
    }
    sts_groups = {r.assignment.service.group.code for r in rows if r.assignment.service.group_id}
    if fonction == "ENS" and not rows:
        section = {"REP": "3.1.1", "SUP": "3.1.2"}.get(teacher.replacement, "3.1")
        how = {
            "REP": "Services et ARE > Changement de support : lui rattacher les services de "
            "l'enseignant remplacé.",
            "SUP": "Services suppléants > Saisie rapide : le cocher et Valider.",
        }.get(
            teacher.replacement,
            "lui attribuer ses services (Import > Emploi du temps depuis le logiciel EDT, ou "
            "saisie dans STS-web).",
        )
        sts_hop.stop(
            ROMPU,
            "Aucun service dans STS-web pour l'année en cours : l'AAF l'enverra sans classe ni "
            f"groupe et il ne verra aucune de ses classes dans l'ENT. {how} Puis exporter la "
            "structure puis les services.",
            section,
        )
    siecle_hop = Hop("siecle")
    exchange, doc = _last_services_export(chain)
    expect = _Expect(changed_at=sts_hop.changed_at)
    if exchange is None:
        siecle_hop.holds.append("Services jamais exportés vers SIECLE BEE.")
        if sts_hop.state == ROMPU:
            siecle_hop.stop(NON_ATTEINT, "")
        else:
            siecle_hop.stop(
                ROMPU,
                "Les services n'ont jamais été exportés vers SIECLE BEE : l'AAF ne lui donne "
                "aucune classe. Exports > Structure, puis Exports > Services.",
                "2.9",
            )
    else:
        classes, groups = _exported_services(doc, teacher.sts_id)
        siecle_hop.changed_at = exchange.deposited_at
        siecle_hop.changed_label = "dernier export Services"
        siecle_hop.holds.append(
            f"Dernier export des services : {when(exchange.deposited_at)} "
            f"({exchange.get_state_display().lower()})."
        )
        siecle_hop.holds.append(
            f"Pour lui : classes {', '.join(sorted(classes)) or 'aucune'}, groupes "
            f"{', '.join(sorted(groups)) or 'aucun'}."
        )
        expect.classes, expect.groups = sorted(classes), sorted(groups)
        expect.changed_at = max(m for m in (exchange.deposited_at, expect.changed_at) if m)
        missing = sorted((sts_classes - classes) | (sts_groups - groups))
        if sts_hop.state == ROMPU:
            siecle_hop.stop(NON_ATTEINT, "")
        elif missing:
            siecle_hop.stop(
                ROMPU,
                f"Le dernier export des services ({when(exchange.deposited_at)}) ne contient pas "
                f"ses services sur {', '.join(missing)} : exporter la structure puis les services "
                "(menu Exports de STS-web).",
                "3.1" if teacher.arrived_at else "2.9",
            )
    # The AAF extracts every teacher of STS-web, with or without services.
    aaf_hop, jointure, entry = _aaf_hop(chain, person, expect, upstream_broken=False)
    ent_hop = _ent_hop(chain, person, jointure, entry, aaf_hop.state == NON_ATTEINT)
    return [sts_hop, siecle_hop, aaf_hop, ent_hop]


# --- Entry point -------------------------------------------------------------------------------


def trace_compute(*, world: World, person: Person) -> Trace:
    """Follow one person through the chain (read only)."""
    run = aaf_selectors.runs(world=world).first()
    chain = _Chain(
        world=world,
        now=world.now(),
        year=world.school_year(),
        home=home_uai(world),
        uai=person.uai,
        run=run,
    )
    hops = {
        ELEVE: _pupil_hops,
        RESPONSABLE: _responsable_hops,
        ENSEIGNANT: _teacher_hops,
    }[person.kind](chain, person)
    return Trace(person=person, now=chain.now, hops=hops)
