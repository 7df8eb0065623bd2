"""Every write of SIECLE Base élèves: `<noun>_<verb>(*, world, ...)`, each in one transaction.

A refused write raises `SiecleError` with the message shown to the user (French) and changes
nothing. Every change of a pupil's fiche is written in its history (who, simulated time, what).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from entsim import nomenclatures as nom
from entsim.models import World
from entsim.timeline import local

from .models import (
    FIN_ANNEE_MOIS_JOUR,
    Adresse,
    Compteur,
    DossierEntrant,
    Eleve,
    Etablissement,
    Historique,
    LienResponsable,
    Mef,
    OptionEleve,
    Personne,
    Programme,
    Scolarite,
    Signalement,
    Structure,
)
from .normalise import ascii_upper, cle_nom, numero_ts, prefixe_ts

# First values of the per-world identifier counters (the counters continue after the seeding).
ELEVE_ID_BASE = 1_500_000
PERSONNE_ID_BASE = 200_000
ADRESSE_ID_BASE = 180_000

INE_FORMAT = re.compile(r"^[0-9]{9}[0-9A-Z][A-Z]$")
AUTOMATIQUE = "Traitement automatique"


class SiecleError(Exception):
    """A refused write; the message is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Small helpers ----------------------------------------------------------------------------


def today(world: World) -> dt.date:
    return local(world.now()).date()


def rentree(annee: int) -> dt.date:
    """First day of the school year `annee` (guess: 1 September)."""
    return dt.date(annee, 9, 1)


def fin_annee(annee: int) -> dt.date:
    month, day = FIN_ANNEE_MOIS_JOUR
    return dt.date(annee + 1, month, day)


def date_entree_defaut(world: World, annee: int) -> dt.date:
    """An entry now in the year in progress, at the rentrée for a year to come."""
    current = today(world)
    return max(current, rentree(annee)) if world.school_year() >= annee else rentree(annee)


def home_uai(world: World) -> str:
    if world.home is None:
        raise SiecleError("Ce monde n'a pas d'établissement d'accueil.")
    return world.home.uai


def _author(user) -> tuple[object | None, str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return None, AUTOMATIQUE
    return user, user.get_full_name() or user.get_username()


def history_add(
    *, world: World, eleve: Eleve, user, action: str, detail: str = "", le=None
) -> Historique:
    author, name = _author(user)
    return Historique.objects.create(
        world=world,
        uai=eleve.uai,
        eleve=eleve,
        le=le or world.now(),
        auteur=author,
        auteur_nom=name,
        action=action,
        detail=detail,
    )


def _history_rows(world: World, rows: Iterable[tuple[Eleve, str, str]], user, le=None) -> None:
    author, name = _author(user)
    moment = le or world.now()
    Historique.objects.bulk_create(
        [
            Historique(
                world=world,
                uai=eleve.uai,
                eleve=eleve,
                le=moment,
                auteur=author,
                auteur_nom=name,
                action=action,
                detail=detail,
            )
            for eleve, action, detail in rows
        ],
        batch_size=500,
    )


def compteur_reserver(*, world: World, nom_compteur: str, debut: int, nombre: int = 1) -> int:
    """Reserve `nombre` consecutive values of a per-world counter; returns the first one."""
    row, _ = Compteur.objects.select_for_update().get_or_create(
        world=world, nom=nom_compteur, defaults={"valeur": debut}
    )
    first = row.valeur + 1
    row.valeur += nombre
    row.save(update_fields=["valeur"])
    return first


def comptes_ts_emettre(*, world: World, personnes: Sequence[tuple[str, str]]) -> list[str]:
    """New téléservices identifiers for (prénom, nom) pairs: prefix + next number, never reused.

    The number follows the highest ever given for the prefix in the académie (a per-prefix
    counter, started from the identifiers present when first needed).
    """
    prefixes = [prefixe_ts(prenom, nom_) for prenom, nom_ in personnes]
    if not prefixes:
        return []
    names = {f"ts:{prefix}" for prefix in prefixes}
    counters = {
        row.nom: row
        for row in Compteur.objects.select_for_update().filter(world=world, nom__in=names)
    }
    missing = {name[3:] for name in names if name not in counters}
    if missing:
        highest: dict[str, int] = dict.fromkeys(missing, 0)
        identifiers = Personne.objects.filter(world=world).exclude(compte_ts="")
        for identifier in identifiers.values_list("compte_ts", flat=True).iterator():
            head = identifier.rstrip("0123456789")
            if head in highest:
                number = numero_ts(identifier, head) or 0
                highest[head] = max(highest[head], number)
        created = Compteur.objects.bulk_create(
            [Compteur(world=world, nom=f"ts:{p}", valeur=highest[p]) for p in sorted(missing)]
        )
        counters.update({row.nom: row for row in created})
    result = []
    for prefix in prefixes:
        row = counters[f"ts:{prefix}"]
        row.valeur += 1
        result.append(f"{prefix}{row.valeur}")
    Compteur.objects.bulk_update(list(counters.values()), ["valeur"])
    return result


def _mef(world: World, uai: str, code: str) -> Mef:
    mef = Mef.objects.filter(world=world, uai=uai, code=code).first()
    if mef is None:
        raise SiecleError(f"MEF inconnu dans les nomenclatures de l'établissement : {code}.")
    return mef


def _check_division(world: World, uai: str, annee: int, code: str, mef_code: str) -> None:
    division = Structure.objects.filter(
        world=world, uai=uai, annee=annee, type=Structure.Type.DIVISION, code=code
    ).first()
    if division is None:
        raise SiecleError(
            f"La division {code} n'existe pas en {annee}-{annee + 1} : la structure de "
            "l'établissement vient de STS-web (Exports > Structure)."
        )
    if division.mefs and mef_code not in division.mefs:
        raise SiecleError(
            f"La division {code} n'accueille pas le MEF {mef_code} : choisissez une division "
            "de ce MEF."
        )


def _mef_label(world: World, uai: str, code: str) -> str:
    if not code:
        return "—"
    mef = Mef.objects.filter(world=world, uai=uai, code=code).only("libelle_long").first()
    if mef:
        return mef.libelle_long
    national = nom.MEFS.get(code)
    return national.libelle_long if national else code


def _allowed_options(world: World, uai: str, mef_code: str) -> dict[str, Programme]:
    """The subjects a pupil of the MEF may be enrolled in (modalité O or F)."""
    rows = Programme.objects.filter(world=world, uai=uai, mef_code=mef_code, modalite__in="OF")
    return {row.matiere_code: row for row in rows}


def _slot_limits(mef_code: str) -> dict[str, tuple[str, int]]:
    """subject → (label of the choice, how many subjects the choice allows)."""
    programme = nom.PROGRAMMES.get(mef_code)
    if programme is None:
        return {}
    return {
        subject: (slot.label, slot.choose) for slot in programme.slots for subject in slot.subjects
    }


def _options_out_of_mef(world: World, scolarite: Scolarite, mef_code: str) -> list[OptionEleve]:
    allowed = _allowed_options(world, scolarite.uai, mef_code) if mef_code else {}
    return [o for o in scolarite.options.all() if o.matiere_code not in allowed]


def _renumber(scolarite: Scolarite) -> None:
    options = list(scolarite.options.order_by("num_option", "id"))
    for index, option in enumerate(options, start=1):
        option.num_option = index
    OptionEleve.objects.bulk_update(options, ["num_option"])


# --- Scolarité: MEF, division, dates ----------------------------------------------------------


@dataclass(frozen=True)
class ScolariteResult:
    scolarite: Scolarite
    changes: list[str]
    options_removed: list[str]


@transaction.atomic
def scolarite_update(
    *,
    world: World,
    eleve: Eleve,
    annee: int,
    mef_code: str,
    division: str,
    date_entree: dt.date | None = None,
    date_sortie: dt.date | None = None,
    user=None,
) -> ScolariteResult:
    """Affect a pupil to a MEF and a division for the year; set or clear the exit date."""
    uai = eleve.uai
    mef_code = (mef_code or "").strip()
    division = (division or "").strip()
    if division and not mef_code:
        raise SiecleError("Choisissez le MEF de l'élève avant sa division.")
    if mef_code:
        _mef(world, uai, mef_code)
    if division:
        _check_division(world, uai, annee, division, mef_code)
    scolarite, _ = Scolarite.objects.select_for_update().get_or_create(
        eleve=eleve, annee=annee, defaults={"world": world, "uai": uai}
    )
    if mef_code and date_entree is None:
        date_entree = scolarite.date_entree or date_entree_defaut(world, annee)
    if date_entree and date_sortie and date_sortie < date_entree:
        raise SiecleError(
            f"La date de sortie ({date_sortie:%d/%m/%Y}) ne peut précéder la date d'entrée "
            f"({date_entree:%d/%m/%Y})."
        )
    changes = []
    if scolarite.mef_code != mef_code:
        changes.append(
            f"MEF : {_mef_label(world, uai, scolarite.mef_code)} → "
            f"{_mef_label(world, uai, mef_code)}"
        )
    if scolarite.division != division:
        changes.append(f"Division : {scolarite.division or '—'} → {division or '—'}")
    if date_entree is not None and scolarite.date_entree != date_entree:
        before = f"{scolarite.date_entree:%d/%m/%Y}" if scolarite.date_entree else "—"
        changes.append(f"Date d'entrée : {before} → {date_entree:%d/%m/%Y}")
    if scolarite.date_sortie != date_sortie:
        before = f"{scolarite.date_sortie:%d/%m/%Y}" if scolarite.date_sortie else "—"
        after = f"{date_sortie:%d/%m/%Y}" if date_sortie else "—"
        changes.append(f"Date de sortie : {before} → {after}")
    removed = []
    if scolarite.mef_code != mef_code:
        for option in _options_out_of_mef(world, scolarite, mef_code):
            removed.append(option.matiere_code)
            option.delete()
        if removed:
            _renumber(scolarite)
            changes.append(
                "Options retirées (hors du programme du MEF) : " + ", ".join(sorted(removed))
            )
    scolarite.mef_code = mef_code
    scolarite.division = division
    if date_entree is not None:
        scolarite.date_entree = date_entree
    scolarite.date_sortie = date_sortie
    scolarite.save()
    if changes:
        history_add(
            world=world,
            eleve=eleve,
            user=user,
            action=f"Scolarité {annee}-{annee + 1}",
            detail=" ; ".join(changes),
        )
    return ScolariteResult(scolarite, changes, removed)


@transaction.atomic
def eleve_descolariser(
    *, world: World, eleve: Eleve, annee: int, date_sortie: dt.date, user=None
) -> Scolarite:
    """Enter the exit date: the pupil is no longer scolarisé(e) in the establishment."""
    scolarite = Scolarite.objects.select_for_update().filter(eleve=eleve, annee=annee).first()
    if scolarite is None:
        raise SiecleError(f"L'élève n'a pas de scolarité en {annee}-{annee + 1}.")
    if scolarite.date_sortie is not None:
        raise SiecleError(f"L'élève est déjà sorti(e) le {scolarite.date_sortie:%d/%m/%Y}.")
    if scolarite.date_entree and date_sortie < scolarite.date_entree:
        raise SiecleError(
            f"La date de sortie ({date_sortie:%d/%m/%Y}) ne peut précéder la date d'entrée "
            f"({scolarite.date_entree:%d/%m/%Y})."
        )
    scolarite.date_sortie = date_sortie
    scolarite.save(update_fields=["date_sortie"])
    history_add(
        world=world,
        eleve=eleve,
        user=user,
        action="Déscolarisation",
        detail=f"Date de sortie : {date_sortie:%d/%m/%Y} ({annee}-{annee + 1})",
    )
    return scolarite


@transaction.atomic
def scolarites_affecter(
    *,
    world: World,
    uai: str,
    annee: int,
    scolarite_ids: Sequence[int],
    mef_code: str = "",
    division: str = "",
    user=None,
) -> int:
    """Saisie en masse: put the ticked pupils in a MEF and/or a division."""
    mef_code = (mef_code or "").strip()
    division = (division or "").strip()
    if not scolarite_ids:
        raise SiecleError("Cochez au moins un élève.")
    if not mef_code and not division:
        raise SiecleError("Choisissez un MEF, une division, ou les deux.")
    if mef_code:
        _mef(world, uai, mef_code)
    scolarites = list(
        Scolarite.objects.select_for_update()
        .filter(world=world, uai=uai, annee=annee, pk__in=scolarite_ids)
        .select_related("eleve")
        .prefetch_related("options")
    )
    if len(scolarites) != len(set(scolarite_ids)):
        raise SiecleError("Certains élèves cochés n'appartiennent pas à cette base.")
    if division:
        target_mefs = {mef_code} if mef_code else {s.mef_code for s in scolarites}
        if "" in target_mefs:
            raise SiecleError("Certains élèves cochés n'ont pas de MEF : choisissez aussi le MEF.")
        for code in sorted(target_mefs):
            _check_division(world, uai, annee, division, code)
    allowed = _allowed_options(world, uai, mef_code) if mef_code else None
    removed_options: list[int] = []
    touched: set[int] = set()
    history = []
    default_entry = date_entree_defaut(world, annee)
    for scolarite in scolarites:
        changes = []
        if mef_code and scolarite.mef_code != mef_code:
            changes.append(f"MEF : {scolarite.mef_code or '—'} → {mef_code}")
            dropped = [o for o in scolarite.options.all() if o.matiere_code not in allowed]
            if dropped:
                removed_options.extend(o.pk for o in dropped)
                touched.add(scolarite.pk)
                changes.append(
                    "Options retirées (hors du programme du MEF) : "
                    + ", ".join(o.matiere_code for o in dropped)
                )
            scolarite.mef_code = mef_code
        if division and scolarite.division != division:
            changes.append(f"Division : {scolarite.division or '—'} → {division}")
            scolarite.division = division
        if scolarite.mef_code and scolarite.date_entree is None:
            scolarite.date_entree = default_entry
        if changes:
            history.append(
                (scolarite.eleve, f"Saisie en masse {annee}-{annee + 1}", " ; ".join(changes))
            )
    Scolarite.objects.bulk_update(scolarites, ["mef_code", "division", "date_entree"])
    if removed_options:
        OptionEleve.objects.filter(pk__in=removed_options).delete()
        for scolarite in scolarites:
            if scolarite.pk in touched:
                _renumber(scolarite)
    _history_rows(world, history, user)
    return len(history)


# --- Options ----------------------------------------------------------------------------------


def _option_check(world: World, scolarite: Scolarite, matiere_code: str) -> Programme:
    if not scolarite.mef_code:
        raise SiecleError("Affectez d'abord l'élève dans un MEF : les options dépendent du MEF.")
    allowed = _allowed_options(world, scolarite.uai, scolarite.mef_code)
    line = allowed.get(matiere_code)
    if line is None:
        raise SiecleError(
            f"La matière {matiere_code} n'est pas une option du MEF {scolarite.mef_code} "
            "(programme : modalités O ou F)."
        )
    current = [o.matiere_code for o in scolarite.options.all()]
    if matiere_code in current:
        raise SiecleError(f"L'élève est déjà inscrit(e) dans l'option {matiere_code}.")
    limits = _slot_limits(scolarite.mef_code)
    if matiere_code in limits:
        label, choose = limits[matiere_code]
        taken = [code for code in current if limits.get(code, ("", 0))[0] == label]
        if len(taken) >= choose:
            raise SiecleError(
                f"{label} : {choose} choix au plus pour ce MEF (déjà : {', '.join(taken)})."
            )
    return line


@transaction.atomic
def option_inscrire(
    *, world: World, scolarite: Scolarite, matiere_code: str, user=None
) -> OptionEleve:
    scolarite = Scolarite.objects.select_for_update().get(pk=scolarite.pk, world=world)
    line = _option_check(world, scolarite, matiere_code)
    number = (scolarite.options.aggregate(n=Max("num_option"))["n"] or 0) + 1
    option = OptionEleve.objects.create(
        world=world,
        uai=scolarite.uai,
        scolarite=scolarite,
        num_option=number,
        matiere_code=matiere_code,
        modalite=line.modalite,
    )
    history_add(
        world=world,
        eleve=scolarite.eleve,
        user=user,
        action=f"Options {scolarite.annee}-{scolarite.annee + 1}",
        detail=f"Inscription : {matiere_code} (modalité {line.modalite})",
    )
    return option


@transaction.atomic
def option_retirer(*, world: World, option: OptionEleve, user=None) -> None:
    scolarite = option.scolarite
    option.delete()
    _renumber(scolarite)
    history_add(
        world=world,
        eleve=scolarite.eleve,
        user=user,
        action=f"Options {scolarite.annee}-{scolarite.annee + 1}",
        detail=f"Désinscription : {option.matiere_code}",
    )


@transaction.atomic
def options_inscrire_en_masse(
    *,
    world: World,
    uai: str,
    annee: int,
    scolarite_ids: Sequence[int],
    matiere_code: str,
    user=None,
) -> tuple[int, list[str]]:
    """Enrol the ticked pupils in one option; returns (enrolled, refusals with names)."""
    if not scolarite_ids:
        raise SiecleError("Cochez au moins un élève.")
    scolarites = list(
        Scolarite.objects.select_for_update()
        .filter(world=world, uai=uai, annee=annee, pk__in=scolarite_ids)
        .select_related("eleve")
        .prefetch_related("options")
    )
    if len(scolarites) != len(set(scolarite_ids)):
        raise SiecleError("Certains élèves cochés n'appartiennent pas à cette base.")
    rows = []
    refused = []
    history = []
    for scolarite in scolarites:
        try:
            line = _option_check(world, scolarite, matiere_code)
        except SiecleError as error:
            refused.append(f"{scolarite.eleve} : {error.message}")
            continue
        number = max((o.num_option for o in scolarite.options.all()), default=0) + 1
        rows.append(
            OptionEleve(
                world=world,
                uai=uai,
                scolarite=scolarite,
                num_option=number,
                matiere_code=matiere_code,
                modalite=line.modalite,
            )
        )
        history.append(
            (
                scolarite.eleve,
                f"Options {annee}-{annee + 1}",
                f"Inscription (saisie en masse) : {matiere_code} (modalité {line.modalite})",
            )
        )
    OptionEleve.objects.bulk_create(rows)
    _history_rows(world, history, user)
    return len(rows), refused


# --- Identity, address ------------------------------------------------------------------------

IDENTITY_FIELDS = {
    "nom": "Nom",
    "nom_usage": "Nom d'usage",
    "prenom": "Prénom",
    "prenom2": "Prénom 2",
    "prenom3": "Prénom 3",
    "sexe": "Sexe",
    "date_naissance": "Date de naissance",
    "code_pays_naiss": "Pays de naissance",
    "code_commune_insee_naiss": "Commune de naissance",
    "ville_naiss": "Ville de naissance",
    "code_pays_nat": "Nationalité",
    "code_regime": "Régime",
}


def _birth_commune(code: str) -> nom.Commune | None:
    return nom.COMMUNES.get(code) or nom.OTHER_BIRTH_COMMUNES.get(code)


def _clean_identity(data: dict) -> dict:
    """Normalise and check identity fields; SIECLE holds family names in upper case."""
    clean = dict(data)
    for key in ("nom", "nom_usage"):
        if key in clean:
            clean[key] = ascii_upper(clean[key] or "")[:50]
    for key in ("prenom", "prenom2", "prenom3"):
        if key in clean:
            clean[key] = (clean[key] or "").strip()[:50]
    if "nom" in clean and not clean["nom"]:
        raise SiecleError("Le nom de famille est obligatoire.")
    if "prenom" in clean and not clean["prenom"]:
        raise SiecleError("Le prénom est obligatoire.")
    if clean.get("sexe") not in (None, "", "1", "2"):
        raise SiecleError("Sexe inconnu : 1 (masculin) ou 2 (féminin).")
    born = clean.get("date_naissance")
    if born is not None and not (dt.date(1950, 1, 1) <= born <= dt.date(2030, 1, 1)):
        raise SiecleError(f"Date de naissance invraisemblable : {born:%d/%m/%Y}.")
    for key in ("code_pays_naiss", "code_pays_nat"):
        if key in clean and clean[key] not in nom.PAYS:
            raise SiecleError(f"Code pays inconnu : {clean[key]}.")
    if "code_regime" in clean and clean["code_regime"] not in nom.REGIMES:
        raise SiecleError(f"Régime inconnu : {clean['code_regime']}.")
    if "code_pays_naiss" in clean:
        if clean["code_pays_naiss"] == nom.PAYS_FRANCE:
            code = clean.get("code_commune_insee_naiss") or ""
            if code:
                commune = _birth_commune(code)
                if commune is None:
                    raise SiecleError(f"Commune de naissance inconnue : code INSEE {code}.")
                clean["code_departement_naiss"] = commune.departement
                clean["ville_naiss"] = commune.name
        else:
            clean["code_commune_insee_naiss"] = ""
            clean["code_departement_naiss"] = ""
            clean["ville_naiss"] = ascii_upper(clean.get("ville_naiss") or "")[:60]
    return clean


def _describe(key: str, value) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value)


@transaction.atomic
def eleve_identite_update(*, world: World, eleve: Eleve, data: dict, user=None) -> list[str]:
    clean = _clean_identity({k: v for k, v in data.items() if k in IDENTITY_FIELDS})
    if "ine" in data:
        raise SiecleError("L'INE ne se modifie pas.")
    changes = []
    for key, value in clean.items():
        before = getattr(eleve, key)
        if before != value:
            label = IDENTITY_FIELDS.get(key)
            if label:
                changes.append(f"{label} : {_describe(key, before)} → {_describe(key, value)}")
            setattr(eleve, key, value)
    if changes:
        eleve.save()
        history_add(
            world=world, eleve=eleve, user=user, action="Identité", detail=" ; ".join(changes)
        )
    return changes


def _clean_address(lignes: Sequence[str], code_postal: str, commune: str, code_pays: str) -> dict:
    lines = [ascii_upper(line or "")[:50] for line in lignes][:4]
    lines += [""] * (4 - len(lines))
    code_postal = (code_postal or "").strip()
    commune = ascii_upper(commune or "")[:60]
    code_pays = code_pays or nom.PAYS_FRANCE
    if code_pays not in nom.PAYS:
        raise SiecleError(f"Code pays inconnu : {code_pays}.")
    if not lines[0]:
        raise SiecleError("La première ligne de l'adresse est obligatoire.")
    if code_pays == nom.PAYS_FRANCE and not re.fullmatch(r"[0-9]{5}", code_postal):
        raise SiecleError("Le code postal doit compter 5 chiffres.")
    if not commune:
        raise SiecleError("La commune est obligatoire.")
    insee = next((c.insee for c in nom.COMMUNES.values() if c.code_postal == code_postal), "")
    return {
        "ligne1": lines[0],
        "ligne2": lines[1],
        "ligne3": lines[2],
        "ligne4": lines[3],
        "code_postal": code_postal,
        "commune": commune,
        "code_commune_insee": insee,
        "code_pays": code_pays,
    }


def _new_address(world: World, uai: str, values: dict) -> Adresse:
    number = compteur_reserver(world=world, nom_compteur="adresse_id", debut=ADRESSE_ID_BASE)
    return Adresse.objects.create(world=world, uai=uai, adresse_id=number, **values)


@transaction.atomic
def eleve_adresse_update(
    *,
    world: World,
    eleve: Eleve,
    lignes: Sequence[str],
    code_postal: str,
    commune: str,
    code_pays: str = nom.PAYS_FRANCE,
    user=None,
) -> Adresse:
    """The pupil's address; the household's responsables who share it move with it."""
    values = _clean_address(lignes, code_postal, commune, code_pays)
    before = eleve.adresse.une_ligne if eleve.adresse else "—"
    if eleve.adresse is None:
        eleve.adresse = _new_address(world, eleve.uai, values)
        eleve.save(update_fields=["adresse"])
    else:
        for key, value in values.items():
            setattr(eleve.adresse, key, value)
        eleve.adresse.save()
    if before != eleve.adresse.une_ligne:
        history_add(
            world=world,
            eleve=eleve,
            user=user,
            action="Adresse",
            detail=f"{before} → {eleve.adresse.une_ligne}",
        )
    return eleve.adresse


# --- Full creation (after a search that found nobody) -----------------------------------------


@transaction.atomic
def eleve_create(
    *,
    world: World,
    annee: int,
    data: dict,
    ine: str = "",
    mef_code: str = "",
    division: str = "",
    date_entree: dt.date | None = None,
    user=None,
) -> Eleve:
    """Création intégrale: for a pupil from another académie, abroad or a private school
    hors contrat. A pupil coming from the académie must be imported, or he becomes a
    duplicate (guide 2.13)."""
    uai = home_uai(world)
    clean = _clean_identity(data)
    for key in ("sexe", "date_naissance"):
        if not clean.get(key):
            raise SiecleError("Le sexe et la date de naissance sont obligatoires.")
    ine = (ine or "").strip().upper()
    if ine:
        if not INE_FORMAT.match(ine):
            raise SiecleError(
                f"INE mal formé : « {ine} » (11 caractères : 9 chiffres, puis un chiffre ou "
                "une lettre, puis une lettre)."
            )
        if Eleve.objects.filter(world=world, uai=uai, ine=ine).exists():
            raise SiecleError(f"Un élève de la base porte déjà l'INE {ine}.")
    number = compteur_reserver(world=world, nom_compteur="eleve_id", debut=ELEVE_ID_BASE)
    eleve = Eleve.objects.create(
        world=world,
        uai=uai,
        eleve_id=number,
        ine=ine,
        origine=Eleve.Origine.SAISIE,
        cree_le=world.now(),
        **clean,
    )
    Scolarite.objects.create(world=world, uai=uai, eleve=eleve, annee=annee)
    history_add(
        world=world,
        eleve=eleve,
        user=user,
        action="Création intégrale du dossier",
        detail=f"ELEVE_ID {number}" + (f", INE {ine}" if ine else ", sans INE"),
    )
    if mef_code or division:
        scolarite_update(
            world=world,
            eleve=eleve,
            annee=annee,
            mef_code=mef_code,
            division=division,
            date_entree=date_entree,
            user=user,
        )
    return eleve


# --- Responsables -----------------------------------------------------------------------------


def _check_link(eleve: Eleve, code_parente: str, niveau: int, exclude: int | None = None) -> None:
    if code_parente not in nom.CODES_PARENTE:
        raise SiecleError(f"Lien de parenté inconnu : {code_parente}.")
    if niveau not in LienResponsable.Niveau.values:
        raise SiecleError("Niveau de responsabilité inconnu.")
    if niveau == LienResponsable.Niveau.LEGAL:
        legal = eleve.liens.filter(niveau=LienResponsable.Niveau.LEGAL)
        if exclude:
            legal = legal.exclude(pk=exclude)
        if legal.count() >= 2:
            raise SiecleError("Un élève a au plus deux représentants légaux.")


@transaction.atomic
def responsable_rattacher(
    *, world: World, eleve: Eleve, personne: Personne, code_parente: str, niveau: int, user=None
) -> LienResponsable:
    """Attach an existing person (found by the search) to the pupil: siblings share parents."""
    if personne.world_id != world.pk or personne.uai != eleve.uai:
        raise SiecleError("Ce responsable n'appartient pas à la base de l'établissement.")
    if eleve.liens.filter(personne=personne).exists():
        raise SiecleError(f"{personne} est déjà rattaché(e) à l'élève.")
    _check_link(eleve, code_parente, niveau)
    lien = LienResponsable.objects.create(
        world=world,
        uai=eleve.uai,
        eleve=eleve,
        personne=personne,
        code_parente=code_parente,
        niveau=niveau,
        pers_contact=True,
    )
    if niveau == LienResponsable.Niveau.LEGAL and not personne.compte_ts:
        personne.compte_ts = comptes_ts_emettre(
            world=world, personnes=[(personne.prenom, personne.nom)]
        )[0]
        personne.save(update_fields=["compte_ts"])
    history_add(
        world=world,
        eleve=eleve,
        user=user,
        action="Responsables",
        detail=f"Rattachement de {personne} ({nom.CODES_PARENTE[code_parente].libelle}, "
        f"{LienResponsable.Niveau(niveau).label.lower()})",
    )
    return lien


@transaction.atomic
def responsable_creer(
    *,
    world: World,
    eleve: Eleve,
    civilite: str,
    nom_famille: str,
    prenom: str,
    code_parente: str,
    niveau: int,
    adresse: dict | None = None,
    nom_usage: str = "",
    tel_portable: str = "",
    mel: str = "",
    user=None,
) -> LienResponsable:
    """A new person, when the search found none: shares the pupil's address unless another
    one is given."""
    if civilite not in nom.CIVILITE_BY_LC:
        raise SiecleError("Civilité inconnue : M. ou MME.")
    nom_famille = ascii_upper(nom_famille or "")[:50]
    prenom = (prenom or "").strip()[:50]
    if not nom_famille or not prenom:
        raise SiecleError("Le nom et le prénom du responsable sont obligatoires.")
    _check_link(eleve, code_parente, niveau)
    if adresse:
        address = _new_address(
            world,
            eleve.uai,
            _clean_address(
                adresse.get("lignes", []),
                adresse.get("code_postal", ""),
                adresse.get("commune", ""),
                adresse.get("code_pays", nom.PAYS_FRANCE),
            ),
        )
    else:
        address = eleve.adresse
    number = compteur_reserver(world=world, nom_compteur="personne_id", debut=PERSONNE_ID_BASE)
    compte = ""
    if niveau == LienResponsable.Niveau.LEGAL:
        compte = comptes_ts_emettre(world=world, personnes=[(prenom, nom_famille)])[0]
    personne = Personne.objects.create(
        world=world,
        uai=eleve.uai,
        personne_id=number,
        civilite=civilite,
        nom=nom_famille,
        nom_usage=ascii_upper(nom_usage or "")[:50],
        prenom=prenom,
        adresse=address,
        tel_portable=(tel_portable or "").strip()[:20],
        mel=(mel or "").strip()[:100],
        compte_ts=compte,
    )
    lien = LienResponsable.objects.create(
        world=world,
        uai=eleve.uai,
        eleve=eleve,
        personne=personne,
        code_parente=code_parente,
        niveau=niveau,
        pers_contact=True,
    )
    history_add(
        world=world,
        eleve=eleve,
        user=user,
        action="Responsables",
        detail=f"Création de {personne} (PERSONNE_ID {number}, "
        f"{nom.CODES_PARENTE[code_parente].libelle})",
    )
    return lien


@transaction.atomic
def lien_modifier(
    *, world: World, lien: LienResponsable, code_parente: str, niveau: int, user=None
) -> LienResponsable:
    _check_link(lien.eleve, code_parente, niveau, exclude=lien.pk)
    before = f"{lien.code_parente}/{lien.get_niveau_display().lower()}"
    lien.code_parente = code_parente
    lien.niveau = niveau
    lien.save(update_fields=["code_parente", "niveau"])
    personne = lien.personne
    if niveau == LienResponsable.Niveau.LEGAL and not personne.compte_ts:
        personne.compte_ts = comptes_ts_emettre(
            world=world, personnes=[(personne.prenom, personne.nom)]
        )[0]
        personne.save(update_fields=["compte_ts"])
    history_add(
        world=world,
        eleve=lien.eleve,
        user=user,
        action="Responsables",
        detail=f"{personne} : {before} → {code_parente}/{lien.get_niveau_display().lower()}",
    )
    return lien


@transaction.atomic
def lien_supprimer(*, world: World, lien: LienResponsable, user=None) -> None:
    eleve, personne = lien.eleve, lien.personne
    lien.delete()
    history_add(
        world=world,
        eleve=eleve,
        user=user,
        action="Responsables",
        detail=f"{personne} n'est plus rattaché(e) à l'élève",
    )


@dataclass(frozen=True)
class Fusion:
    garde: Personne
    supprime_libelle: str
    ancien_compte: str
    nouveau_compte: str
    eleves_deplaces: int


@transaction.atomic
def responsables_fusionner(
    *, world: World, supprime: Personne, remplace: Personne, user=None
) -> Fusion:
    """Doublons responsables > MODIFIER: the deleted one's pupils go to the one who replaces
    it; the deleted one's téléservices account is deleted and the kept one gets a new
    account, its number incremented (guide 2.13, point de vigilance)."""
    if supprime.pk == remplace.pk:
        raise SiecleError(
            "Choisissez deux responsables différents : un à supprimer, un qui le remplace."
        )
    for person in (supprime, remplace):
        if person.world_id != world.pk:
            raise SiecleError("Responsable introuvable.")
    if supprime.uai != remplace.uai:
        raise SiecleError("Les deux responsables doivent appartenir à la même base.")
    if (cle_nom(supprime.nom), cle_nom(supprime.prenom)) != (
        cle_nom(remplace.nom),
        cle_nom(remplace.prenom),
    ):
        raise SiecleError(
            "Seuls des doublons se fusionnent : les deux responsables doivent porter le même "
            "nom et le même prénom."
        )
    supprime = Personne.objects.select_for_update().get(pk=supprime.pk)
    remplace = Personne.objects.select_for_update().get(pk=remplace.pk)
    kept_pupils = set(remplace.liens.values_list("eleve_id", flat=True))
    moved = 0
    history = []
    for lien in supprime.liens.select_related("eleve"):
        if lien.eleve_id in kept_pupils:
            lien.delete()
        else:
            lien.personne = remplace
            lien.save(update_fields=["personne"])
            moved += 1
        history.append(
            (
                lien.eleve,
                "Doublons responsables",
                f"{supprime} (PERSONNE_ID {supprime.personne_id}) remplacé(e) par "
                f"{remplace} (PERSONNE_ID {remplace.personne_id})",
            )
        )
    old_account = remplace.compte_ts
    new_account = comptes_ts_emettre(world=world, personnes=[(remplace.prenom, remplace.nom)])[0]
    remplace.compte_ts = new_account
    remplace.compte_ts_utilise = False
    remplace.save(update_fields=["compte_ts", "compte_ts_utilise"])
    label = f"{supprime} (PERSONNE_ID {supprime.personne_id})"
    address = supprime.adresse
    supprime.delete()  # its téléservices account goes with it
    if address is not None and not address.personnes.exists() and not address.eleves.exists():
        address.delete()
    _history_rows(world, history, user)
    return Fusion(remplace, label, old_account, new_account, moved)


# --- Importations -----------------------------------------------------------------------------


def _address_values(data: dict) -> dict:
    return {
        "ligne1": data.get("ligne1", ""),
        "ligne2": data.get("ligne2", ""),
        "ligne3": data.get("ligne3", ""),
        "ligne4": data.get("ligne4", ""),
        "code_postal": data.get("code_postal", ""),
        "code_commune_insee": data.get("code_commune_insee", ""),
        "commune": data.get("commune", ""),
        "code_pays": data.get("code_pays", nom.PAYS_FRANCE),
    }


def address_snapshot(adresse: Adresse | None) -> dict:
    if adresse is None:
        return {}
    return {
        "adresse_id": adresse.adresse_id,
        **{key: getattr(adresse, key) for key in _address_values({})},
    }


def _dossiers_importer(world: World, uai: str, dossiers: list[DossierEntrant], user) -> list[Eleve]:
    """Create the dossiers in the base, in bulk: pupils, schoolings, addresses, persons, ties.

    A person already in the base (same PERSONNE_ID: a sibling's parent) is linked, not copied.
    """
    if not dossiers:
        return []
    moment = world.now()
    existing_ine = set(
        Eleve.objects.filter(
            world=world, uai=uai, ine__in=[d.ine for d in dossiers if d.ine]
        ).values_list("ine", flat=True)
    )
    clash = [d for d in dossiers if d.ine and d.ine in existing_ine]
    if clash:
        names = ", ".join(f"{d.nom} {d.prenom} (INE {d.ine})" for d in clash[:5])
        raise SiecleError(f"Déjà présent(s) dans la base : {names}. Aucun dossier importé.")
    # Addresses: reuse the base's rows by ADRESSE_ID, create the others.
    wanted_addresses: dict[int, dict] = {}
    for dossier in dossiers:
        if dossier.adresse.get("adresse_id"):
            wanted_addresses[dossier.adresse["adresse_id"]] = dossier.adresse
        for resp in dossier.responsables:
            if resp.get("adresse", {}).get("adresse_id"):
                wanted_addresses[resp["adresse"]["adresse_id"]] = resp["adresse"]
    addresses = {
        row.adresse_id: row
        for row in Adresse.objects.filter(
            world=world, uai=uai, adresse_id__in=list(wanted_addresses)
        )
    }
    new_addresses = [
        Adresse(world=world, uai=uai, adresse_id=number, **_address_values(data))
        for number, data in wanted_addresses.items()
        if number not in addresses
    ]
    for row in Adresse.objects.bulk_create(new_addresses, batch_size=500):
        addresses[row.adresse_id] = row
    # Persons: reuse by PERSONNE_ID.
    wanted_people: dict[int, dict] = {}
    for dossier in dossiers:
        for resp in dossier.responsables:
            wanted_people[resp["personne_id"]] = resp
    people = {
        row.personne_id: row
        for row in Personne.objects.filter(
            world=world, uai=uai, personne_id__in=list(wanted_people)
        )
    }
    to_create = [data for number, data in wanted_people.items() if number not in people]
    needing_account = [
        data for data in to_create if data.get("niveau") == 1 and not data.get("compte_ts")
    ]
    accounts = comptes_ts_emettre(
        world=world, personnes=[(d["prenom"], d["nom"]) for d in needing_account]
    )
    for data, account in zip(needing_account, accounts, strict=True):
        data["compte_ts"] = account
    created_people = Personne.objects.bulk_create(
        [
            Personne(
                world=world,
                uai=uai,
                personne_id=data["personne_id"],
                civilite=data.get("civilite", ""),
                nom=data["nom"],
                nom_usage=data.get("nom_usage", ""),
                prenom=data["prenom"],
                adresse=addresses.get(data.get("adresse", {}).get("adresse_id")),
                tel_personnel=data.get("tel_personnel", ""),
                tel_portable=data.get("tel_portable", ""),
                tel_professionnel=data.get("tel_professionnel", ""),
                mel=data.get("mel", ""),
                code_profession=data.get("code_profession", ""),
                compte_ts=data.get("compte_ts", ""),
                compte_ts_utilise=bool(data.get("compte_ts_utilise")),
            )
            for data in to_create
        ],
        batch_size=500,
    )
    people.update({row.personne_id: row for row in created_people})
    # Pupils: ELEVE_ID kept from another EPLE, new from the affectation.
    fresh = [d for d in dossiers if not d.eleve_id]
    first = (
        compteur_reserver(
            world=world, nom_compteur="eleve_id", debut=ELEVE_ID_BASE, nombre=len(fresh)
        )
        if fresh
        else 0
    )
    numbers = {d.pk: first + index for index, d in enumerate(fresh)}
    origins = {
        DossierEntrant.Source.AFFECTATION: Eleve.Origine.AFFECTATION,
        DossierEntrant.Source.AUTRE_EPLE: Eleve.Origine.AUTRE_EPLE,
    }
    eleves = Eleve.objects.bulk_create(
        [
            Eleve(
                world=world,
                uai=uai,
                eleve_id=d.eleve_id or numbers[d.pk],
                ine=d.ine,
                nom=d.nom,
                nom_usage=d.nom_usage,
                prenom=d.prenom,
                prenom2=d.prenom2,
                prenom3=d.prenom3,
                sexe=d.sexe,
                date_naissance=d.date_naissance,
                code_pays_naiss=d.code_pays_naiss,
                code_departement_naiss=d.code_departement_naiss,
                code_commune_insee_naiss=d.code_commune_insee_naiss,
                ville_naiss=d.ville_naiss,
                code_pays_nat=d.code_pays_nat,
                code_regime=d.code_regime,
                adresse=addresses.get(d.adresse.get("adresse_id")),
                origine=origins[d.source],
                cree_le=moment,
            )
            for d in dossiers
        ],
        batch_size=500,
    )
    scolarites = Scolarite.objects.bulk_create(
        [
            Scolarite(
                world=world,
                uai=uai,
                eleve=eleve,
                annee=d.annee,
                mef_code=d.mef_code,
                date_entree=date_entree_defaut(world, d.annee),
                an_dernier_mef=d.origine_mef,
                an_dernier_division=d.origine_division,
                an_dernier_uai=d.origine_uai,
            )
            for d, eleve in zip(dossiers, eleves, strict=True)
        ],
        batch_size=500,
    )
    allowed_by_mef: dict[str, dict[str, Programme]] = {}
    options = []
    for d, scolarite in zip(dossiers, scolarites, strict=True):
        if not d.mef_code or not d.options:
            continue
        allowed = allowed_by_mef.setdefault(d.mef_code, _allowed_options(world, uai, d.mef_code))
        number = 0
        for option in d.options:
            if option["matiere"] in allowed:
                number += 1
                options.append(
                    OptionEleve(
                        world=world,
                        uai=uai,
                        scolarite=scolarite,
                        num_option=number,
                        matiere_code=option["matiere"],
                        modalite=allowed[option["matiere"]].modalite,
                    )
                )
    OptionEleve.objects.bulk_create(options, batch_size=500)
    links = []
    for d, eleve in zip(dossiers, eleves, strict=True):
        seen = set()
        for resp in d.responsables:
            person = people[resp["personne_id"]]
            if person.pk in seen:
                continue
            seen.add(person.pk)
            links.append(
                LienResponsable(
                    world=world,
                    uai=uai,
                    eleve=eleve,
                    personne=person,
                    code_parente=resp.get("code_parente", "90"),
                    niveau=resp.get("niveau", 1),
                    resp_financier=bool(resp.get("resp_financier")),
                    pers_paiement=bool(resp.get("pers_paiement")),
                    pers_contact=bool(resp.get("pers_contact")),
                )
            )
    LienResponsable.objects.bulk_create(links, batch_size=500)
    for d, eleve in zip(dossiers, eleves, strict=True):
        d.etat = DossierEntrant.Etat.IMPORTE
        d.traite_le = moment
        d.traite_par = _author(user)[0]
        d.eleve_cree = eleve
    DossierEntrant.objects.bulk_update(
        dossiers, ["etat", "traite_le", "traite_par", "eleve_cree"], batch_size=500
    )
    _history_rows(
        world,
        [
            (
                eleve,
                DossierEntrant.Source(d.source).label.replace("Dossiers", "Dossier"),
                f"ELEVE_ID {eleve.eleve_id}, INE {eleve.ine or '—'}"
                + (f", venant de {d.origine_libelle}" if d.origine_uai else ""),
            )
            for d, eleve in zip(dossiers, eleves, strict=True)
        ],
        user,
    )
    return eleves


def _waiting(world: World, uai: str, annee: int, source: str, ids: Sequence[int] | None):
    dossiers = DossierEntrant.objects.select_for_update().filter(
        world=world, uai=uai, annee=annee, source=source, etat=DossierEntrant.Etat.EN_ATTENTE
    )
    if ids is not None:
        if not ids:
            raise SiecleError("Cochez au moins un dossier.")
        dossiers = dossiers.filter(pk__in=ids)
        found = list(dossiers)
        if len(found) != len(set(ids)):
            raise SiecleError(
                "Certains dossiers cochés ne sont plus en attente : actualisez la liste."
            )
        return found
    return list(dossiers)


@transaction.atomic
def dossiers_affectation_receptionner(
    *, world: World, annee: int, ids: Sequence[int] | None = None, user=None
) -> list[Eleve]:
    """Importations > Dossiers depuis affectation: receive the ticked dossiers (all if None)."""
    uai = home_uai(world)
    dossiers = _waiting(world, uai, annee, DossierEntrant.Source.AFFECTATION, ids)
    if not dossiers:
        raise SiecleError("Aucun dossier d'affectation en attente.")
    return _dossiers_importer(world, uai, dossiers, user)


@transaction.atomic
def dossiers_eple_importer(
    *, world: World, annee: int, ids: Sequence[int], user=None
) -> list[Eleve]:
    """Importations > Dossiers depuis autre EPLE > IMPORTER: ELEVE_ID and INE are kept."""
    uai = home_uai(world)
    dossiers = _waiting(world, uai, annee, DossierEntrant.Source.AUTRE_EPLE, ids)
    return _dossiers_importer(world, uai, dossiers, user)


@transaction.atomic
def dossiers_eple_supprimer(*, world: World, annee: int, ids: Sequence[int], user=None) -> int:
    """SUPPRIMER: the dossier leaves the list (the pupil will not come)."""
    uai = home_uai(world)
    dossiers = _waiting(world, uai, annee, DossierEntrant.Source.AUTRE_EPLE, ids)
    for dossier in dossiers:
        dossier.etat = DossierEntrant.Etat.SUPPRIME
        dossier.traite_le = world.now()
        dossier.traite_par = _author(user)[0]
    DossierEntrant.objects.bulk_update(dossiers, ["etat", "traite_le", "traite_par"])
    return len(dossiers)


def responsables_snapshot(eleve: Eleve) -> list[dict]:
    return [
        {
            "personne_id": lien.personne.personne_id,
            "civilite": lien.personne.civilite,
            "nom": lien.personne.nom,
            "nom_usage": lien.personne.nom_usage,
            "prenom": lien.personne.prenom,
            "tel_personnel": lien.personne.tel_personnel,
            "tel_portable": lien.personne.tel_portable,
            "tel_professionnel": lien.personne.tel_professionnel,
            "mel": lien.personne.mel,
            "code_profession": lien.personne.code_profession,
            "compte_ts": lien.personne.compte_ts,
            "compte_ts_utilise": lien.personne.compte_ts_utilise,
            "adresse": address_snapshot(lien.personne.adresse),
            "code_parente": lien.code_parente,
            "niveau": lien.niveau,
            "resp_financier": lien.resp_financier,
            "pers_paiement": lien.pers_paiement,
            "pers_contact": lien.pers_contact,
        }
        for lien in eleve.liens.select_related("personne__adresse")
    ]


@transaction.atomic
def dossier_eple_exporter(
    *,
    world: World,
    eleve: Eleve,
    destination_uai: str,
    annee: int,
    date_sortie: dt.date,
    user=None,
) -> DossierEntrant:
    """The origin school exports a pupil's dossier to another EPLE of the académie.

    The origin enters the exit date on its active schoolings (the end of the year for a move
    at the rentrée); the destination finds the dossier in Importations > Dossiers depuis
    autre EPLE, with its ELEVE_ID and INE.
    """
    if eleve.uai == destination_uai:
        raise SiecleError("Un dossier ne s'exporte pas vers son propre établissement.")
    existing = DossierEntrant.objects.filter(
        world=world,
        uai=destination_uai,
        annee=annee,
        source=DossierEntrant.Source.AUTRE_EPLE,
        eleve_id=eleve.eleve_id,
        etat=DossierEntrant.Etat.EN_ATTENTE,
    ).first()
    if existing is not None:
        return existing
    origin = Etablissement.objects.get(world=world, uai=eleve.uai)
    scolarites = list(Scolarite.objects.select_for_update().filter(eleve=eleve).order_by("annee"))
    last = next(
        (s for s in reversed(scolarites) if s.mef_code), scolarites[-1] if scolarites else None
    )
    for scolarite in scolarites:
        if scolarite.date_sortie is not None:
            continue
        if scolarite.annee < annee:
            exit_date = min(date_sortie, fin_annee(scolarite.annee))
        else:
            exit_date = date_sortie
        if scolarite.date_entree and exit_date < scolarite.date_entree:
            exit_date = scolarite.date_entree
        scolarite.date_sortie = exit_date
        scolarite.save(update_fields=["date_sortie"])
    destination = Etablissement.objects.filter(world=world, uai=destination_uai).first()
    history_add(
        world=world,
        eleve=eleve,
        user=user,
        action="Exportation vers un autre EPLE",
        detail=f"Vers {destination or destination_uai}, sortie le {date_sortie:%d/%m/%Y}",
    )
    return DossierEntrant.objects.create(
        world=world,
        uai=destination_uai,
        annee=annee,
        source=DossierEntrant.Source.AUTRE_EPLE,
        ine=eleve.ine,
        eleve_id=eleve.eleve_id,
        nom=eleve.nom,
        nom_usage=eleve.nom_usage,
        prenom=eleve.prenom,
        prenom2=eleve.prenom2,
        prenom3=eleve.prenom3,
        sexe=eleve.sexe,
        date_naissance=eleve.date_naissance,
        code_pays_naiss=eleve.code_pays_naiss,
        code_departement_naiss=eleve.code_departement_naiss,
        code_commune_insee_naiss=eleve.code_commune_insee_naiss,
        ville_naiss=eleve.ville_naiss,
        code_pays_nat=eleve.code_pays_nat,
        code_regime=eleve.code_regime,
        adresse=address_snapshot(eleve.adresse),
        responsables=responsables_snapshot(eleve),
        origine_uai=origin.uai,
        origine_denomination=origin.denomination,
        origine_commune=origin.commune,
        origine_mef=last.mef_code if last else "",
        origine_division=last.division if last else "",
        date_sortie=date_sortie,
        offert_le=world.now(),
    )


@transaction.atomic
def dossier_faire_exporter(*, world: World, eleve: Eleve, annee: int, user=None) -> DossierEntrant:
    """Formateur: have the school of origin export the dossier to the trainee's school now."""
    uai = home_uai(world)
    if eleve.world_id != world.pk or eleve.uai == uai:
        raise SiecleError("Choisissez un élève d'un autre établissement de l'académie.")
    current = world.school_year()
    # A move at the rentrée leaves at the end of the year; during the year, today.
    exit_date = fin_annee(current) if annee > current else today(world)
    return dossier_eple_exporter(
        world=world, eleve=eleve, destination_uai=uai, annee=annee, date_sortie=exit_date, user=user
    )


# --- Structures (received from STS-web) -------------------------------------------------------


@transaction.atomic
def structures_recevoir(
    *,
    world: World,
    uai: str,
    annee: int,
    divisions: Sequence[dict],
    groupes: Sequence[dict] = (),
    le: dt.datetime | None = None,
) -> dict[str, int]:
    """The structure of a school year from STS-web, annule et remplace.

    `divisions`: [{"code", "libelle", "mefs": [...]}]; `groupes`: [{"code", "libelle",
    "divisions": [...], "mefs": [...]}]. Pupils keep their division codes.
    """
    moment = le or world.now()
    Structure.objects.filter(world=world, uai=uai, annee=annee).delete()
    rows = [
        Structure(
            world=world,
            uai=uai,
            annee=annee,
            type=Structure.Type.DIVISION,
            code=d["code"],
            libelle_long=d.get("libelle", "")[:20],
            mefs=list(d.get("mefs", [])),
            recue_le=moment,
        )
        for d in divisions
    ] + [
        Structure(
            world=world,
            uai=uai,
            annee=annee,
            type=Structure.Type.GROUPE,
            code=g["code"],
            libelle_long=g.get("libelle", "")[:20],
            mefs=list(g.get("mefs", [])),
            divisions=list(g.get("divisions", [])),
            recue_le=moment,
        )
        for g in groupes
    ]
    Structure.objects.bulk_create(rows)
    return {"divisions": len(divisions), "groupes": len(groupes)}


# --- Multi-inscriptions (académie base, night batch) ------------------------------------------


def _mef_labels(world: World) -> dict[tuple[str, str], str]:
    labels = {
        (uai, code): label
        for uai, code, label in Mef.objects.filter(world=world).values_list(
            "uai", "code", "libelle_long"
        )
    }
    return labels


def multi_inscriptions_detecter(*, world: World, now: dt.datetime) -> dict[str, int]:
    """Pupils (by INE) with an active schooling (a MEF, no exit date) in two establishments of
    the académie the same school year: each school gets a signal on its dashboard. Signals
    are recomputed every night: a déscolarisation clears them the next night."""
    first_year = world.school_year(now)
    rows = list(
        Scolarite.objects.filter(world=world, annee__gte=first_year, date_sortie__isnull=True)
        .exclude(mef_code="")
        .exclude(eleve__ine="")
        .values(
            "uai",
            "annee",
            "mef_code",
            "division",
            "eleve_id",
            "eleve__ine",
            "eleve__nom",
            "eleve__prenom",
        )
    )
    by_ine: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for row in rows:
        by_ine[(row["annee"], row["eleve__ine"])].append(row)
    establishments = {e.uai: e for e in Etablissement.objects.filter(world=world)}
    labels = _mef_labels(world)

    def mef_label(uai: str, code: str) -> str:
        national = nom.MEFS.get(code)
        return labels.get((uai, code)) or (national.libelle_long if national else code)

    signals = []
    pupils = 0
    for (annee, ine), group in sorted(by_ine.items()):
        if len(group) < 2:
            continue
        pupils += 1
        for row in group:
            others = [other for other in group if other is not row]
            described = " ; ".join(
                f"en {mef_label(o['uai'], o['mef_code'])}, division {o['division'] or '—'}, "
                f"établissement {o['uai']} "
                + (
                    f"{establishments[o['uai']].denomination} à {establishments[o['uai']].commune}"
                    if o["uai"] in establishments
                    else ""
                )
                for o in others
            )
            texte = (
                f"L'élève {row['eleve__prenom']} {row['eleve__nom']} scolarisé en "
                f"{mef_label(row['uai'], row['mef_code'])}, division {row['division'] or '—'}, "
                f"a une autre scolarité active : {described}. Vérifiez sa présence effective."
            )
            signals.append(
                Signalement(
                    world=world,
                    uai=row["uai"],
                    annee=annee,
                    nature=Signalement.Nature.MULTI_INSCRIPTION,
                    eleve_id=row["eleve_id"],
                    ine=ine,
                    texte=texte,
                    releve_le=now,
                )
            )
    Signalement.objects.filter(world=world, nature=Signalement.Nature.MULTI_INSCRIPTION).delete()
    Signalement.objects.bulk_create(signals)
    return {"eleves": pupils, "signalements": len(signals)}


@transaction.atomic
def multi_inscription_planter(*, world: World, user=None) -> Eleve:
    """Scenario service (doublons et multi-inscriptions): a pupil still scolarisé in a
    neighbouring school of the same kind also appears scolarisé in the trainee's school (his
    dossier was taken in, the origin has not déscolarisé him). The night batch then raises the
    signal in both schools; the trainee's school, where the pupil is not present, must
    déscolariser him."""
    uai = home_uai(world)
    annee = world.school_year()
    home_divisions = {
        (code, mef)
        for code, mefs in Structure.objects.filter(
            world=world, uai=uai, annee=annee, type=Structure.Type.DIVISION
        ).values_list("code", "mefs")
        for mef in (mefs or [""])
    }
    home_mefs = {mef for _, mef in home_divisions}
    candidate = (
        Scolarite.objects.filter(
            world=world, annee=annee, date_sortie__isnull=True, mef_code__in=home_mefs
        )
        .exclude(uai=uai)
        .exclude(eleve__ine="")
        .exclude(eleve__ine__in=Eleve.objects.filter(world=world, uai=uai).values("ine"))
        .select_related("eleve")
        .order_by("uai", "eleve__eleve_id")
        .first()
    )
    if candidate is None:
        raise SiecleError("Aucun élève d'un établissement voisin ne convient.")
    origin = candidate.eleve
    origin_base = Etablissement.objects.get(world=world, uai=origin.uai)
    division = sorted(code for code, mef in home_divisions if mef == candidate.mef_code)[0]
    snapshot = DossierEntrant.objects.create(
        world=world,
        uai=uai,
        annee=annee,
        source=DossierEntrant.Source.AUTRE_EPLE,
        etat=DossierEntrant.Etat.EN_ATTENTE,
        ine=origin.ine,
        eleve_id=origin.eleve_id,
        nom=origin.nom,
        nom_usage=origin.nom_usage,
        prenom=origin.prenom,
        prenom2=origin.prenom2,
        prenom3=origin.prenom3,
        sexe=origin.sexe,
        date_naissance=origin.date_naissance,
        code_pays_naiss=origin.code_pays_naiss,
        code_departement_naiss=origin.code_departement_naiss,
        code_commune_insee_naiss=origin.code_commune_insee_naiss,
        ville_naiss=origin.ville_naiss,
        code_pays_nat=origin.code_pays_nat,
        code_regime=origin.code_regime,
        adresse=address_snapshot(origin.adresse),
        responsables=responsables_snapshot(origin),
        origine_uai=origin.uai,
        origine_denomination=origin_base.denomination,
        origine_commune=origin_base.commune,
        origine_mef=candidate.mef_code,
        origine_division=candidate.division,
        offert_le=world.now(),
    )
    eleve = _dossiers_importer(world, uai, [snapshot], user)[0]
    scolarite_update(
        world=world,
        eleve=eleve,
        annee=annee,
        mef_code=candidate.mef_code,
        division=division,
        user=user,
    )
    return eleve
