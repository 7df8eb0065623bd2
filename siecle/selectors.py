"""Every read of SIECLE Base élèves: for its pages, for the training checks and the AAF.

Fiche bloquante (incomplete fiche, not sent up to SYSCA): for a pupil of the year not gone
out, any of: no MEF, no division, no sex, no birth date, no birth commune (INSEE) when born in
France (CODE_PAYS 100), no legal responsable with an address. The rule exists twice, kept
equal by the tests: as SQL (`with_etat`, to search and count) and in Python (`motifs`, to
say why).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from entsim import nomenclatures as nom
from entsim.models import World

from .models import (
    DossierEntrant,
    Eleve,
    EleveGroupe,
    Enseignant,
    Etablissement,
    Exportation,
    Historique,
    LienResponsable,
    Matiere,
    Mef,
    OptionEleve,
    Personne,
    Programme,
    Scolarite,
    Service,
    Signalement,
    Structure,
)
from .normalise import adresses_similaires, ascii_upper, cle_adresse, cle_nom

# --- The base and its years -------------------------------------------------------------------


@dataclass(frozen=True)
class Annees:
    en_cours: int
    en_preparation: int | None

    @property
    def toutes(self) -> list[int]:
        return [self.en_cours] + ([self.en_preparation] if self.en_preparation else [])

    def libelle(self, annee: int) -> str:
        state = "année en cours" if annee == self.en_cours else "année en préparation"
        return f"{annee}-{annee + 1} ({state})"

    def choices(self) -> list[tuple[int, str]]:
        return [(annee, self.libelle(annee)) for annee in self.toutes]


def bee(*, world: World, uai: str | None = None) -> Etablissement:
    """The establishment's base (the trainee's by default).

    A world created without its truth (tests, a bare sandbox) has an empty base: its
    establishment is then described from the world's home, unsaved.
    """
    home = world.home
    uai = uai or (home.uai if home else "")
    row = Etablissement.objects.filter(world=world, uai=uai).first()
    if row is None and home is not None and uai == home.uai:
        row = Etablissement(
            world=world,
            uai=home.uai,
            sigle=home.sigle,
            nature_code=home.nature_code,
            denomination=home.name,
            commune=home.commune,
            commune_insee=home.commune_insee,
            code_postal=home.code_postal,
            accueil=True,
            derniere_annee=world.school_year(),
        )
    if row is None:
        raise Etablissement.DoesNotExist(uai)
    return row


def annees(*, world: World, etablissement: Etablissement) -> Annees:
    current = world.school_year()
    preparation = etablissement.derniere_annee if etablissement.derniere_annee > current else None
    return Annees(current, preparation)


def etablissements(*, world: World) -> dict[str, Etablissement]:
    return {e.uai: e for e in Etablissement.objects.filter(world=world)}


# --- Nomenclatures ----------------------------------------------------------------------------


def mefs(*, world: World, uai: str) -> list[Mef]:
    return list(Mef.objects.filter(world=world, uai=uai))


def mef_labels(*, world: World, uai: str) -> dict[str, str]:
    return dict(Mef.objects.filter(world=world, uai=uai).values_list("code", "libelle_long"))


def divisions(*, world: World, uai: str, annee: int) -> list[Structure]:
    return list(
        Structure.objects.filter(
            world=world, uai=uai, annee=annee, type=Structure.Type.DIVISION
        ).order_by("code")
    )


def groupes(*, world: World, uai: str, annee: int) -> list[Structure]:
    return list(
        Structure.objects.filter(
            world=world, uai=uai, annee=annee, type=Structure.Type.GROUPE
        ).order_by("code")
    )


def structure(*, world: World, uai: str, annee: int, pk: int) -> Structure | None:
    return Structure.objects.filter(world=world, uai=uai, annee=annee, pk=pk).first()


# --- Services received from STS-web (équipes pédagogiques) ------------------------------------


@dataclass(frozen=True)
class LigneStructure:
    structure: Structure
    effectif: int
    enseignants: int


def structures_tableau(*, world: World, uai: str, annee: int) -> list[LigneStructure]:
    """Divisions then groups of the year, with their pupils and their teachers (services)."""
    pupils = dict(
        _year(world, uai, annee)
        .filter(date_sortie__isnull=True)
        .exclude(division="")
        .values_list("division")
        .annotate(n=Count("pk"))
    )
    members = dict(
        EleveGroupe.objects.filter(
            world=world, uai=uai, scolarite__annee=annee, scolarite__date_sortie__isnull=True
        )
        .values_list("groupe")
        .annotate(n=Count("pk"))
    )
    teachers = {
        (row["structure_type"], row["structure_code"]): row["n"]
        for row in Service.objects.filter(
            world=world, uai=uai, annee=annee, enseignant__isnull=False
        )
        .values("structure_type", "structure_code")
        .annotate(n=Count("enseignant", distinct=True))
    }
    return [
        LigneStructure(
            s,
            (pupils if s.type == Structure.Type.DIVISION else members).get(s.code, 0),
            teachers.get((s.type, s.code), 0),
        )
        for s in Structure.objects.filter(world=world, uai=uai, annee=annee).order_by(
            "type", "code"
        )
    ]


@dataclass(frozen=True)
class LigneEquipe:
    matiere_code: str
    matiere: str
    mod_cours: str
    enseignants: list[Enseignant]


def equipe_pedagogique(*, world: World, uai: str, structure: Structure) -> list[LigneEquipe]:
    """The services of a division or group: subject, teaching mode, teachers."""
    labels = matiere_labels(world=world, uai=uai)
    lines: dict[tuple[str, str], list[Enseignant]] = {}
    for service in Service.objects.filter(
        world=world,
        uai=uai,
        annee=structure.annee,
        structure_type=structure.type,
        structure_code=structure.code,
    ).select_related("enseignant"):
        teachers = lines.setdefault((service.matiere_code, service.mod_cours), [])
        if service.enseignant is not None:
            teachers.append(service.enseignant)
    return [
        LigneEquipe(code, labels.get(code, code), mod_cours, teachers)
        for (code, mod_cours), teachers in sorted(lines.items())
    ]


def structure_eleves(*, world: World, uai: str, structure: Structure) -> list[Scolarite]:
    """The pupils of a division, or the members of a group, not gone out."""
    scolarites = _year(world, uai, structure.annee).filter(date_sortie__isnull=True)
    if structure.type == Structure.Type.DIVISION:
        scolarites = scolarites.filter(division=structure.code)
    else:
        scolarites = scolarites.filter(groupes__groupe=structure.code)
    return list(
        scolarites.select_related("eleve").order_by("eleve__nom", "eleve__prenom", "eleve__pk")
    )


@dataclass(frozen=True)
class EnseignantStructures:
    enseignant: Enseignant
    divisions: list[str]
    groupes: list[str]


def enseignants_structures(*, world: World, uai: str, annee: int) -> list[EnseignantStructures]:
    """Each teacher of the year with the divisions and groups their services give them
    (structures the base holds for the year)."""
    known = set(
        Structure.objects.filter(world=world, uai=uai, annee=annee).values_list("type", "code")
    )
    codes: dict[int, dict[str, set[str]]] = defaultdict(lambda: {"D": set(), "G": set()})
    for teacher_pk, kind, code in Service.objects.filter(
        world=world, uai=uai, annee=annee, enseignant__isnull=False
    ).values_list("enseignant_id", "structure_type", "structure_code"):
        if (kind, code) in known:
            codes[teacher_pk][kind].add(code)
    return [
        EnseignantStructures(
            teacher, sorted(codes[teacher.pk]["D"]), sorted(codes[teacher.pk]["G"])
        )
        for teacher in Enseignant.objects.filter(world=world, uai=uai, annee=annee)
    ]


@dataclass(frozen=True)
class OptionPossible:
    matiere: str
    libelle: str
    modalite: str
    choix: str


def options_possibles_par_mef(
    *, world: World, uai: str, mef_codes: list[str]
) -> dict[str, list[OptionPossible]]:
    """The options of some MEFs (two queries): subjects of their programmes with modalité O
    or F, with the choice they belong to."""
    labels = dict(Matiere.objects.filter(world=world, uai=uai).values_list("code", "libelle_long"))
    result: dict[str, list[OptionPossible]] = {code: [] for code in mef_codes}
    rows = Programme.objects.filter(
        world=world, uai=uai, mef_code__in=mef_codes, modalite__in="OF"
    ).order_by("mef_code", "choix", "matiere_code")
    for row in rows:
        programme = nom.PROGRAMMES.get(row.mef_code)
        slots = (
            {s: slot.label for slot in programme.slots for s in slot.subjects} if programme else {}
        )
        result[row.mef_code].append(
            OptionPossible(
                row.matiere_code,
                labels.get(row.matiere_code, row.matiere_code),
                row.modalite,
                slots.get(row.matiere_code, ""),
            )
        )
    return result


def options_possibles(*, world: World, uai: str, mef_code: str) -> list[OptionPossible]:
    """The options of a MEF: subjects of its programme with modalité O or F."""
    if not mef_code:
        return []
    return options_possibles_par_mef(world=world, uai=uai, mef_codes=[mef_code])[mef_code]


def matiere_labels(*, world: World, uai: str) -> dict[str, str]:
    return dict(Matiere.objects.filter(world=world, uai=uai).values_list("code", "libelle_long"))


# --- Completeness (fiches bloquantes) ---------------------------------------------------------


def _legal_with_address() -> Exists:
    return Exists(
        LienResponsable.objects.filter(
            eleve=OuterRef("eleve"),
            niveau=LienResponsable.Niveau.LEGAL,
            personne__adresse__isnull=False,
        )
        .exclude(personne__adresse__ligne1="")
        .exclude(personne__adresse__code_postal="")
        .exclude(personne__adresse__commune="")
    )


INCOMPLETE = (
    Q(mef_code="")
    | Q(division="")
    | Q(eleve__sexe="")
    | Q(eleve__date_naissance__isnull=True)
    | Q(eleve__code_pays_naiss=nom.PAYS_FRANCE, eleve__code_commune_insee_naiss="")
    | Q(legal_ok=False)
)


def with_etat(scolarites: QuerySet[Scolarite]) -> QuerySet[Scolarite]:
    """Annotate `a_completer` (fiche bloquante) on schoolings."""
    return scolarites.annotate(legal_ok=_legal_with_address()).annotate(
        a_completer=Case(
            When(INCOMPLETE, then=Value(True)), default=Value(False), output_field=BooleanField()
        )
    )


def motifs(scolarite: Scolarite | None, eleve: Eleve, liens: list[LienResponsable]) -> list[str]:
    """Why a fiche is bloquante (empty: complete)."""
    reasons = []
    if scolarite is None or not scolarite.mef_code:
        reasons.append("MEF non renseigné")
    if scolarite is None or not scolarite.division:
        reasons.append("Division non renseignée")
    if not eleve.sexe:
        reasons.append("Sexe non renseigné")
    if eleve.date_naissance is None:
        reasons.append("Date de naissance non renseignée")
    if eleve.code_pays_naiss == nom.PAYS_FRANCE and not eleve.code_commune_insee_naiss:
        reasons.append("Commune de naissance non renseignée (élève né en France)")
    if not any(
        lien.niveau == LienResponsable.Niveau.LEGAL
        and lien.personne.adresse is not None
        and lien.personne.adresse.est_complete
        for lien in liens
    ):
        reasons.append("Aucun représentant légal avec une adresse")
    return reasons


def _year(world: World, uai: str, annee: int) -> QuerySet[Scolarite]:
    return Scolarite.objects.filter(world=world, uai=uai, annee=annee)


def fiches_bloquantes(*, world: World, uai: str, annee: int) -> QuerySet[Scolarite]:
    """Pupils of the year, not gone out, whose fiche is incomplete."""
    return (
        with_etat(_year(world, uai, annee).filter(date_sortie__isnull=True))
        .filter(a_completer=True)
        .select_related("eleve")
        .order_by("eleve__nom", "eleve__prenom", "eleve__eleve_id")
    )


def with_motifs(scolarites) -> list[tuple[Scolarite, list[str]]]:
    """(schooling, reasons) for a page of schoolings, in two queries."""
    scolarites = list(scolarites)
    liens: dict[int, list[LienResponsable]] = defaultdict(list)
    for lien in LienResponsable.objects.filter(
        eleve_id__in=[s.eleve_id for s in scolarites]
    ).select_related("personne__adresse"):
        liens[lien.eleve_id].append(lien)
    return [(s, motifs(s, s.eleve, liens[s.eleve_id])) for s in scolarites]


# --- Search (Fiches élèves > Recherche et MAJ) ------------------------------------------------


@dataclass(frozen=True)
class Criteres:
    nom: str = ""
    prenom: str = ""
    division: str = ""
    ne_en: int | None = None
    scolarise: str = ""  # "", "oui", "non"
    etat: str = ""  # "", "a_completer", "complet"
    resp_nom: str = ""
    resp_prenom: str = ""

    @property
    def vides(self) -> bool:
        return not any(
            (
                self.nom,
                self.prenom,
                self.division,
                self.ne_en,
                self.scolarise,
                self.etat,
                self.resp_nom,
                self.resp_prenom,
            )
        )


def eleves_rechercher(*, world: World, uai: str, annee: int, criteres: Criteres):
    """The pupils of the year matching the criteria (names: beginning of the name, no case)."""
    scolarites = _year(world, uai, annee)
    if criteres.nom:
        name = ascii_upper(criteres.nom)
        scolarites = scolarites.filter(
            Q(eleve__nom__istartswith=name) | Q(eleve__nom_usage__istartswith=name)
        )
    if criteres.prenom:
        scolarites = scolarites.filter(eleve__prenom__istartswith=criteres.prenom.strip())
    if criteres.division:
        scolarites = scolarites.filter(division=criteres.division)
    if criteres.ne_en:
        scolarites = scolarites.filter(
            eleve__date_naissance__gte=dt.date(criteres.ne_en, 1, 1),
            eleve__date_naissance__lte=dt.date(criteres.ne_en, 12, 31),
        )
    if criteres.scolarise == "oui":
        scolarites = scolarites.exclude(mef_code="").filter(date_sortie__isnull=True)
    elif criteres.scolarise == "non":
        scolarites = scolarites.filter(Q(mef_code="") | Q(date_sortie__isnull=False))
    if criteres.resp_nom or criteres.resp_prenom:
        links = LienResponsable.objects.filter(eleve=OuterRef("eleve"))
        if criteres.resp_nom:
            name = ascii_upper(criteres.resp_nom)
            links = links.filter(
                Q(personne__nom__istartswith=name) | Q(personne__nom_usage__istartswith=name)
            )
        if criteres.resp_prenom:
            links = links.filter(personne__prenom__istartswith=criteres.resp_prenom.strip())
        scolarites = scolarites.filter(Exists(links))
    scolarites = with_etat(scolarites)
    if criteres.etat == "a_completer":
        scolarites = scolarites.filter(a_completer=True)
    elif criteres.etat == "complet":
        scolarites = scolarites.filter(a_completer=False)
    return scolarites.select_related("eleve").order_by(
        "eleve__nom", "eleve__prenom", "eleve__eleve_id"
    )


def eleve_homonymes_existent(*, world: World, uai: str, nom_: str, prenom: str) -> bool:
    """Does any dossier of the base (any year) bear this name (and first name)?"""
    eleves = Eleve.objects.filter(world=world, uai=uai).filter(
        Q(nom__istartswith=ascii_upper(nom_)) | Q(nom_usage__istartswith=ascii_upper(nom_))
    )
    if prenom:
        eleves = eleves.filter(prenom__istartswith=prenom.strip())
    return eleves.exists()


# --- The fiche --------------------------------------------------------------------------------


@dataclass
class Fiche:
    eleve: Eleve
    annee: int
    scolarite: Scolarite | None
    scolarites: list[Scolarite]
    options: list[OptionEleve]
    liens: list[LienResponsable]
    groupes: list[EleveGroupe]
    motifs: list[str]
    historique: list[Historique] = field(default_factory=list)

    @property
    def bloquante(self) -> bool:
        return bool(self.motifs)

    @property
    def scolarise(self) -> bool:
        return bool(self.scolarite and self.scolarite.scolarise)


def eleve_get(*, world: World, uai: str, pk: int) -> Eleve:
    """The pupil's dossier in this base (Eleve.DoesNotExist otherwise: 404)."""
    return Eleve.objects.select_related("adresse").get(world=world, uai=uai, pk=pk)


def fiche(*, world: World, uai: str, pk: int, annee: int, historique: bool = False) -> Fiche:
    eleve = eleve_get(world=world, uai=uai, pk=pk)
    scolarites = list(eleve.scolarites.order_by("-annee"))
    scolarite = next((s for s in scolarites if s.annee == annee), None)
    options = list(scolarite.options.all()) if scolarite else []
    groups = list(scolarite.groupes.all()) if scolarite else []
    liens = list(
        eleve.liens.select_related("personne__adresse").order_by("niveau", "personne__nom")
    )
    result = Fiche(
        eleve=eleve,
        annee=annee,
        scolarite=scolarite,
        scolarites=scolarites,
        options=options,
        liens=liens,
        groupes=groups,
        motifs=motifs(scolarite, eleve, liens),
    )
    if historique:
        result.historique = list(eleve.historique.select_related(None)[:100])
    return result


def scolarite_of(*, eleve: Eleve, annee: int) -> Scolarite | None:
    """The pupil's schooling in the establishment for a year, if any."""
    return eleve.scolarites.filter(annee=annee).first()


def option_get(*, world: World, eleve: Eleve, pk: int) -> OptionEleve:
    """An option of this pupil (OptionEleve.DoesNotExist otherwise)."""
    return OptionEleve.objects.select_related("scolarite__eleve").get(
        pk=pk, world=world, uai=eleve.uai, scolarite__eleve=eleve
    )


def lien_get(*, world: World, eleve: Eleve, pk: int) -> LienResponsable:
    """A tie of this pupil (LienResponsable.DoesNotExist otherwise)."""
    return LienResponsable.objects.select_related("personne", "eleve").get(
        pk=pk, world=world, uai=eleve.uai, eleve=eleve
    )


def personnes_get(*, world: World, uai: str, pks: list[int]) -> dict[int, Personne]:
    """Responsables of this base by primary key (the others are left out)."""
    return {p.pk: p for p in Personne.objects.filter(world=world, uai=uai, pk__in=pks)}


def eleve_autre_etablissement_get(*, world: World, uai: str, pk: int) -> Eleve:
    """A pupil of another base of the académie (Eleve.DoesNotExist otherwise)."""
    return Eleve.objects.exclude(uai=uai).get(world=world, pk=pk)


def exportations(*, world: World, uai: str, limit: int = 50) -> list[Exportation]:
    return list(Exportation.objects.filter(world=world, uai=uai).select_related("exchange")[:limit])


def adresse_partagee(*, eleve: Eleve) -> int:
    """How many responsables share the pupil's address (they move with it)."""
    if eleve.adresse_id is None:
        return 0
    return Personne.objects.filter(adresse_id=eleve.adresse_id).count()


# --- Responsables: search before adding, doublons ---------------------------------------------


@dataclass(frozen=True)
class PersonneTrouvee:
    personne: Personne
    eleves: int


def personnes_rechercher(
    *, world: World, uai: str, nom_: str, prenom: str = "", limit: int = 15
) -> list[PersonneTrouvee]:
    """Responsables of the base whose name begins so, with their address (autocomplete)."""
    name = ascii_upper(nom_ or "")
    if len(name) < 2:
        return []
    people = Personne.objects.filter(world=world, uai=uai).filter(
        Q(nom__istartswith=name) | Q(nom_usage__istartswith=name)
    )
    if prenom:
        people = people.filter(prenom__istartswith=prenom.strip())
    people = (
        people.select_related("adresse")
        .annotate(n_eleves=Count("liens"))
        .order_by("nom", "prenom", "personne_id")[:limit]
    )
    return [PersonneTrouvee(p, p.n_eleves) for p in people]


@dataclass
class GroupeDoublons:
    personnes: list[Personne]
    eleves: dict[int, list[Eleve]]

    @property
    def libelle(self) -> str:
        first = self.personnes[0]
        return f"{first.nom} {first.prenom}"


def doublons_responsables(
    *, world: World, uai: str, nom_: str = "", prenom: str = ""
) -> list[GroupeDoublons]:
    """Candidate duplicates: the same name and first name, a similar address."""
    people = Personne.objects.filter(world=world, uai=uai)
    if nom_:
        people = people.filter(nom__istartswith=ascii_upper(nom_))
    if prenom:
        people = people.filter(prenom__istartswith=prenom.strip())
    by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pk, last, first in people.values_list("pk", "nom", "prenom"):
        by_name[(cle_nom(last), cle_nom(first))].append(pk)
    candidates = [pk for pks in by_name.values() if len(pks) > 1 for pk in pks]
    if not candidates:
        return []
    rows = {
        p.pk: p
        for p in Personne.objects.filter(pk__in=candidates)
        .select_related("adresse")
        .order_by("personne_id")
    }
    pupils: dict[int, list[Eleve]] = defaultdict(list)
    for lien in LienResponsable.objects.filter(personne_id__in=candidates).select_related("eleve"):
        pupils[lien.personne_id].append(lien.eleve)
    groups = []
    for key in sorted(by_name):
        pks = by_name[key]
        if len(pks) < 2:
            continue
        persons = sorted((rows[pk] for pk in pks), key=lambda p: p.personne_id)
        keys = {
            p.pk: (
                p.adresse.code_postal if p.adresse else "",
                cle_adresse(*p.adresse.lignes) if p.adresse else "",
            )
            for p in persons
        }
        clusters: list[list[Personne]] = []
        for person in persons:
            for cluster in clusters:
                if any(
                    keys[other.pk][0] == keys[person.pk][0]
                    and adresses_similaires(keys[other.pk][1], keys[person.pk][1])
                    for other in cluster
                ):
                    cluster.append(person)
                    break
            else:
                clusters.append([person])
        for cluster in clusters:
            if len(cluster) > 1:
                groups.append(
                    GroupeDoublons(cluster, {p.pk: pupils.get(p.pk, []) for p in cluster})
                )
    return groups


# --- Dashboard, lists, SYSCA ------------------------------------------------------------------


@dataclass(frozen=True)
class Effectifs:
    constates: int  # pupils who had a schooling in the establishment this year (a MEF)
    scolarises: int  # a MEF and no exit date
    non_scolarises: int  # the year's other dossiers (waiting to be affected, gone out)
    filles: int
    garcons: int
    sexe_inconnu: int


def effectifs(*, world: World, uai: str, annee: int) -> Effectifs:
    active = Q(date_sortie__isnull=True) & ~Q(mef_code="")
    counts = _year(world, uai, annee).aggregate(
        total=Count("pk"),
        constates=Count("pk", filter=~Q(mef_code="")),
        scolarises=Count("pk", filter=active),
        filles=Count("pk", filter=active & Q(eleve__sexe="2")),
        garcons=Count("pk", filter=active & Q(eleve__sexe="1")),
    )
    scolarises = counts["scolarises"]
    return Effectifs(
        constates=counts["constates"],
        scolarises=scolarises,
        non_scolarises=counts["total"] - scolarises,
        filles=counts["filles"],
        garcons=counts["garcons"],
        sexe_inconnu=scolarises - counts["filles"] - counts["garcons"],
    )


def fiches_bloquantes_count(*, world: World, uai: str, annee: int) -> int:
    return fiches_bloquantes(world=world, uai=uai, annee=annee).count()


def signalements(*, world: World, uai: str) -> QuerySet[Signalement]:
    return Signalement.objects.filter(world=world, uai=uai).order_by("annee", "texte")


@dataclass(frozen=True)
class Importations:
    affectation: int
    autre_eple: int

    @property
    def total(self) -> int:
        return self.affectation + self.autre_eple


def importations_en_attente(*, world: World, uai: str, annee: int) -> Importations:
    counts = dict(
        DossierEntrant.objects.filter(
            world=world, uai=uai, annee=annee, etat=DossierEntrant.Etat.EN_ATTENTE
        )
        .values_list("source")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Importations(
        counts.get(DossierEntrant.Source.AFFECTATION, 0),
        counts.get(DossierEntrant.Source.AUTRE_EPLE, 0),
    )


def dossiers_en_attente(
    *, world: World, uai: str, annee: int, source: str
) -> QuerySet[DossierEntrant]:
    return DossierEntrant.objects.filter(
        world=world, uai=uai, annee=annee, source=source, etat=DossierEntrant.Etat.EN_ATTENTE
    ).order_by("nom", "prenom", "pk")


def dossiers_traites(
    *, world: World, uai: str, annee: int, source: str, limit: int = 30
) -> list[DossierEntrant]:
    return list(
        DossierEntrant.objects.filter(world=world, uai=uai, annee=annee, source=source)
        .exclude(etat=DossierEntrant.Etat.EN_ATTENTE)
        .order_by("-traite_le", "-pk")[:limit]
    )


@dataclass(frozen=True)
class LigneSysca:
    mef_code: str
    libelle: str
    scolarises: int
    bloquantes: int

    @property
    def remontes(self) -> int:
        return self.scolarises - self.bloquantes


def remontee_sysca(*, world: World, uai: str, annee: int) -> list[LigneSysca]:
    """The pupils counted for SYSCA, by MEF: scolarisés whose fiche is complete; the fiches
    bloquantes are left out."""
    labels = mef_labels(world=world, uai=uai)
    rows = (
        with_etat(_year(world, uai, annee).filter(date_sortie__isnull=True).exclude(mef_code=""))
        .values("mef_code")
        .annotate(
            scolarises=Count("pk"),
            bloquantes=Count("pk", filter=Q(a_completer=True)),
        )
        .order_by("mef_code")
    )
    return [
        LigneSysca(
            r["mef_code"],
            labels.get(r["mef_code"], r["mef_code"]),
            r["scolarises"],
            r["bloquantes"],
        )
        for r in rows
    ]


def affectation_a_faire(*, world: World, uai: str, annee: int, mef_code: str = ""):
    """The year's pupils still without MEF or division (not gone out)."""
    scolarites = (
        _year(world, uai, annee)
        .filter(date_sortie__isnull=True)
        .filter(Q(mef_code="") | Q(division=""))
    )
    if mef_code == "-":
        scolarites = scolarites.filter(mef_code="")
    elif mef_code:
        scolarites = scolarites.filter(mef_code=mef_code)
    return scolarites.select_related("eleve").order_by("eleve__nom", "eleve__prenom", "pk")


def saisie_en_masse_liste(
    *,
    world: World,
    uai: str,
    annee: int,
    mef_code: str = "",
    division: str = "",
    an_dernier_mef: str = "",
) -> QuerySet[Scolarite]:
    """The year's pupils (not gone out) by MEF, division ("-": none) and last year's MEF."""
    scolarites = _year(world, uai, annee).filter(date_sortie__isnull=True)
    if an_dernier_mef:
        scolarites = scolarites.filter(an_dernier_mef=an_dernier_mef)
    if mef_code == "-":
        scolarites = scolarites.filter(mef_code="")
    elif mef_code:
        scolarites = scolarites.filter(mef_code=mef_code)
    if division == "-":
        scolarites = scolarites.filter(division="")
    elif division:
        scolarites = scolarites.filter(division=division)
    return (
        scolarites.select_related("eleve")
        .prefetch_related("options")
        .order_by("eleve__nom", "eleve__prenom", "pk")
    )


# --- For other systems and the training checks ------------------------------------------------


@dataclass(frozen=True)
class EleveActif:
    """A pupil scolarisé in the establishment, with what the AAF and the exports need."""

    eleve: Eleve
    scolarite: Scolarite
    options: list[OptionEleve]
    groupes: list[str]
    liens: list[LienResponsable]


def eleves_actifs(*, world: World, uai: str, annee: int) -> list[EleveActif]:
    """Pupils scolarisés (a MEF, no exit date) with MEF, division, groups, options and
    responsables (with their addresses)."""
    scolarites = (
        _year(world, uai, annee)
        .filter(date_sortie__isnull=True)
        .exclude(mef_code="")
        .select_related("eleve__adresse")
        .prefetch_related(
            "options",
            "groupes",
            Prefetch(
                "eleve__liens",
                queryset=LienResponsable.objects.select_related("personne__adresse").order_by(
                    "niveau", "pk"
                ),
            ),
        )
        .order_by("eleve__nom", "eleve__prenom", "eleve__eleve_id")
    )
    return [
        EleveActif(
            s.eleve,
            s,
            list(s.options.all()),
            [g.groupe for g in s.groupes.all()],
            list(s.eleve.liens.all()),
        )
        for s in scolarites
    ]


@dataclass(frozen=True)
class DoublonSaisi:
    """A pupil created by hand who was known elsewhere in the académie (guide 2.13)."""

    eleve: Eleve
    connu_dans: list[str]


def duplicates_created_by_hand(world: World) -> list[DoublonSaisi]:
    """Pupils created by hand in the trainee's school whose identity (name, first name,
    birth date) matches a pupil of another establishment's base, or a dossier offered by the
    affectation or by another EPLE."""
    if world.home is None:
        return []
    uai = world.home.uai
    created = list(
        Eleve.objects.filter(world=world, uai=uai, origine=Eleve.Origine.SAISIE).order_by(
            "eleve_id"
        )
    )
    if not created:
        return []

    def key(last: str, first: str, born) -> tuple[str, str, object]:
        return cle_nom(last), cle_nom(first), born

    names = {e.nom for e in created}
    known: dict[tuple, list[str]] = defaultdict(list)
    places = etablissements(world=world)
    for other_uai, last, first, born in (
        Eleve.objects.filter(world=world, nom__in=names)
        .exclude(uai=uai)
        .values_list("uai", "nom", "prenom", "date_naissance")
    ):
        place = places.get(other_uai)
        known[key(last, first, born)].append(
            f"base élèves {other_uai} {place.denomination if place else ''}".strip()
        )
    for source, last, first, born in DossierEntrant.objects.filter(
        world=world, uai=uai, nom__in=names
    ).values_list("source", "nom", "prenom", "date_naissance"):
        known[key(last, first, born)].append(DossierEntrant.Source(source).label)
    return [
        DoublonSaisi(e, sorted(set(known[key(e.nom, e.prenom, e.date_naissance)])))
        for e in created
        if key(e.nom, e.prenom, e.date_naissance) in known
    ]


def eleves_trouver(*, world: World, ine: str = "", eleve_id: int | None = None) -> list[Eleve]:
    """A pupil's dossiers in every base of the académie, by INE or by ELEVE_ID (help desk)."""
    if not ine and eleve_id is None:
        return []
    eleves = Eleve.objects.filter(world=world)
    eleves = eleves.filter(ine=ine.strip().upper()) if ine else eleves.filter(eleve_id=eleve_id)
    return list(eleves.select_related("adresse").order_by("uai", "eleve_id"))


def personnes_trouver(*, world: World, personne_id: int) -> list[Personne]:
    """A responsable by PERSONNE_ID in every base, with the pupils they are tied to."""
    return list(
        Personne.objects.filter(world=world, personne_id=personne_id)
        .select_related("adresse")
        .prefetch_related(
            Prefetch("liens", queryset=LienResponsable.objects.select_related("eleve"))
        )
        .order_by("uai")
    )


def eleves_autres_etablissements(*, world: World, uai: str, nom_: str, limit: int = 20):
    """Pupils of the other bases of the académie whose name begins so (formateur tools)."""
    name = ascii_upper(nom_ or "")
    if len(name) < 2:
        return []
    return list(
        Scolarite.objects.filter(world=world, annee__gte=world.school_year())
        .exclude(uai=uai)
        .filter(date_sortie__isnull=True, eleve__nom__istartswith=name)
        .select_related("eleve")
        .order_by("eleve__nom", "eleve__prenom", "annee")[:limit]
    )


def historique(*, world: World, eleve: Eleve, limit: int = 100) -> list[Historique]:
    return list(Historique.objects.filter(world=world, eleve=eleve)[:limit])


def world_counts(world: World) -> dict[str, int]:
    """`world_report`: what the trainee's base holds for the school year in progress."""
    if world.home is None:
        return {}
    uai = world.home.uai
    year = world.school_year()
    scolarises = (
        _year(world, uai, year).filter(date_sortie__isnull=True).exclude(mef_code="").count()
    )
    structures = dict(
        Structure.objects.filter(world=world, uai=uai, annee=year)
        .values_list("type")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "eleves": scolarises,
        "responsables": Personne.objects.filter(world=world, uai=uai).count(),
        "divisions": structures.get(Structure.Type.DIVISION, 0),
        "groupes": structures.get(Structure.Type.GROUPE, 0),
        "liens": EleveGroupe.objects.filter(world=world, uai=uai, scolarite__annee=year).count(),
        "signalements": Signalement.objects.filter(world=world, uai=uai).count(),
    }
