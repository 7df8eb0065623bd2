"""Who the help desk is asked about: a pupil, a responsable or a teacher of the trainee's
establishment, found by what the systems hold (INE, name, STS id, ENT login, AAF jointure id).

Only the systems' selectors are read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import aaf.selectors as aaf_selectors
import ent.selectors as ent_selectors
import siecle.selectors as siecle_selectors
import sts.selectors as sts_selectors
from entsim.models import World

ELEVE = "eleve"
RESPONSABLE = "responsable"
ENSEIGNANT = "enseignant"
KIND_LABELS = {ELEVE: "élève", RESPONSABLE: "responsable", ENSEIGNANT: "enseignant"}

HOW_TO = (
    "Saisissez l'INE, « NOM Prénom », l'identifiant STS d'un enseignant, l'identifiant ENT "
    "(prenom.nom) ou l'identifiant de jointure AAF."
)
_INE = re.compile(r"[0-9]{9}[0-9A-Z][A-Z]")
_LOGIN = re.compile(r"[a-z0-9-]+\.[a-z0-9.-]+")
_PREFIXED = re.compile(r"(ine|eleve_id|personne_id|sts|aaf|ent)\s*:\s*(\S+)", re.IGNORECASE)


class PersonNotFound(Exception):
    """No such person (or a request that names nobody); the message is French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PersonAmbiguous(Exception):
    """Several persons answer the request: the help desk must be more precise."""

    def __init__(self, message: str, candidates: list[Person]) -> None:
        super().__init__(message)
        self.message = message
        self.candidates = candidates


@dataclass(frozen=True)
class Person:
    kind: str
    nom: str
    prenom: str
    uai: str  # the base (SIECLE) or the establishment (STS-web) that holds them
    ref: str  # what to type to find exactly this person again
    detail: str = ""  # French, to tell homonyms apart
    eleve_id: int | None = None
    personne_id: int | None = None
    sts_id: int | None = None
    ine: str = ""

    @property
    def label(self) -> str:
        return f"{self.nom} {self.prenom}".strip()

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def aaf_key(self) -> str:
        """The source key the AAF gives a jointure id to (aaf.models.AafId)."""
        if self.kind == ELEVE:
            return f"E:{self.uai}:{self.eleve_id}"
        if self.kind == RESPONSABLE:
            return f"R:{self.uai}:{self.personne_id}"
        return f"P:{self.sts_id}"

    def as_dict(self) -> dict:
        return {
            "type": self.kind_label,
            "nom": self.nom,
            "prenom": self.prenom,
            "uai": self.uai,
            "reference": self.ref,
            "detail": self.detail,
        }


def name_key(text: str) -> str:
    """Upper case, no accents, no punctuation: 'Lefèvre-Durand  Zoé' -> 'LEFEVRE DURAND ZOE'."""
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text or "") if not unicodedata.combining(c)
    )
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", plain.upper()).split())


# --- Persons from each system's rows -------------------------------------------------------------


def _pupil_now(world: World, eleve) -> Person:
    """A pupil with the division of the year in progress (if any)."""
    scolarite = siecle_selectors.scolarite_of(eleve=eleve, annee=world.school_year())
    return _pupil(eleve, scolarite.division if scolarite else "")


def _pupil(eleve, division: str = "") -> Person:
    born = f", né(e) le {eleve.date_naissance:%d/%m/%Y}" if eleve.date_naissance else ""
    where = f", division {division}" if division else ""
    return Person(
        kind=ELEVE,
        nom=eleve.nom,
        prenom=eleve.prenom,
        uai=eleve.uai,
        ref=eleve.ine or f"eleve_id:{eleve.eleve_id}",
        detail=f"élève{where}{born} — base élèves {eleve.uai}",
        eleve_id=eleve.eleve_id,
        ine=eleve.ine,
    )


def _responsable(personne) -> Person:
    children = ", ".join(
        sorted(f"{lien.eleve.nom} {lien.eleve.prenom}" for lien in personne.liens.all())
    )
    return Person(
        kind=RESPONSABLE,
        nom=personne.nom_usage or personne.nom,
        prenom=personne.prenom,
        uai=personne.uai,
        ref=f"personne_id:{personne.personne_id}",
        detail=f"responsable de {children or 'aucun élève'} — PERSONNE_ID {personne.personne_id}",
        personne_id=personne.personne_id,
    )


def _teacher(teacher) -> Person:
    replacement = f" ({teacher.replacement})" if teacher.replacement else ""
    return Person(
        kind=ENSEIGNANT,
        nom=teacher.nom_usage,
        prenom=teacher.prenom,
        uai=teacher.establishment.uai,
        ref=f"sts:{teacher.sts_id}",
        detail=(
            f"{teacher.fonction or 'ENS'} {teacher.discipline_code}{replacement} — "
            f"identifiant STS {teacher.sts_id}"
        ),
        sts_id=teacher.sts_id,
    )


def home_uai(world: World) -> str:
    return world.home.uai if world.home_id else ""


def _teachers(world: World, uai: str | None = None) -> list:
    """The staff of the year in progress of every establishment STS-web holds (or of one)."""
    found = []
    for establishment, year in sts_selectors.establishments_with_year(world=world):
        if uai is None or establishment.uai == uai:
            found += sts_selectors.teachers_of_year(year=year, include_sup=True).select_related(
                "establishment", "replaces"
            )
    return found


def _prefer_home(world: World, eleves: list) -> list:
    home = [e for e in eleves if e.uai == home_uai(world)]
    return home or eleves


def _pupils_by(world: World, *, ine: str = "", eleve_id: int | None = None) -> list[Person]:
    eleves = _prefer_home(
        world, siecle_selectors.eleves_trouver(world=world, ine=ine, eleve_id=eleve_id)
    )
    return [_pupil_now(world, e) for e in eleves]


def _responsables_by(world: World, personne_id: int) -> list[Person]:
    found = siecle_selectors.personnes_trouver(world=world, personne_id=personne_id)
    home = [p for p in found if p.uai == home_uai(world)]
    return [_responsable(p) for p in home or found]


def _teachers_by(world: World, sts_id: int) -> list[Person]:
    return [_teacher(t) for t in _teachers(world) if t.sts_id == sts_id]


def _by_aaf_key(world: World, key: str) -> list[Person]:
    parts = key.split(":")
    if parts[0] == "E" and len(parts) == 3:
        eleves = siecle_selectors.eleves_trouver(world=world, eleve_id=int(parts[2]))
        return [_pupil_now(world, e) for e in eleves if e.uai == parts[1]]
    if parts[0] == "R" and len(parts) == 3:
        found = siecle_selectors.personnes_trouver(world=world, personne_id=int(parts[2]))
        return [_responsable(p) for p in found if p.uai == parts[1]]
    if parts[0] == "P" and len(parts) == 2:
        return _teachers_by(world, int(parts[1]))
    return []


def _by_jointure(world: World, jointure: str) -> list[Person]:
    key = aaf_selectors.key_of(world=world, jointure=jointure)
    return _by_aaf_key(world, key) if key else []


def _by_login(world: World, login: str) -> list[Person]:
    account = ent_selectors.account_by_login(world=world, login=login)
    return _by_jointure(world, account.jointure) if account is not None else []


def _matches(words: list[str], names: Iterable[str], *, prefix: bool) -> bool:
    tokens = name_key(" ".join(n for n in names if n)).split()
    if prefix:
        return all(any(token.startswith(word) for token in tokens) for word in words)
    return all(word in tokens for word in words)


def _candidates(world: World, uai: str, words: list[str]) -> tuple[list, list, list]:
    """Pupils (with their division), responsables and staff of one establishment whose
    family name begins with one of the words."""
    eleves: dict[int, tuple] = {}
    base = siecle_selectors.etablissements(world=world).get(uai)
    years = siecle_selectors.annees(world=world, etablissement=base).toutes if base else []
    for annee in years:
        for word in words:
            criteres = siecle_selectors.Criteres(nom=word)
            for scolarite in siecle_selectors.eleves_rechercher(
                world=world, uai=uai, annee=annee, criteres=criteres
            ):
                current = scolarite.annee == world.school_year()
                if current or scolarite.eleve_id not in eleves:
                    division = scolarite.division if current else ""
                    eleves[scolarite.eleve_id] = (scolarite.eleve, division)
    personnes = {}
    for word in words:
        for found in siecle_selectors.personnes_rechercher(
            world=world, uai=uai, nom_=word, limit=200
        ):
            personnes[found.personne.pk] = found.personne
    return list(eleves.values()), list(personnes.values()), _teachers(world, uai)


def _named(words: list[str], candidates: tuple[list, list, list]) -> list[Person]:
    eleves, personnes, teachers = candidates
    for prefix in (False, True):
        people = [
            _pupil(eleve, division)
            for eleve, division in eleves
            if _matches(words, (eleve.nom, eleve.nom_usage, eleve.prenoms), prefix=prefix)
        ]
        people += [
            _responsable(p)
            for p in personnes
            if _matches(words, (p.nom, p.nom_usage, p.prenom), prefix=prefix)
        ]
        people += [
            _teacher(t)
            for t in teachers
            if _matches(words, (t.nom_usage, t.nom_patronymique, t.prenom), prefix=prefix)
        ]
        if people:
            return sorted(people, key=lambda p: (name_key(p.label), p.kind, p.ref))
    return []


def _by_name(world: World, text: str) -> list[Person]:
    """The trainee's establishment first; else the other establishments of the académie."""
    words = name_key(text).split()
    if not words:
        return []
    home = home_uai(world)
    found = _named(words, _candidates(world, home, words))
    if found:
        return found
    others = set(siecle_selectors.etablissements(world=world)) | {
        est.uai for est, _year in sts_selectors.establishments_with_year(world=world)
    }
    for uai in sorted(others - {home}):
        found += _named(words, _candidates(world, uai, words))
    return found


def _search(world: World, text: str) -> list[Person]:
    prefixed = _PREFIXED.fullmatch(text)
    if prefixed:
        kind, value = prefixed[1].lower(), prefixed[2]
        if kind == "ine":
            return _pupils_by(world, ine=value.upper())
        if kind == "ent":
            return _by_login(world, value)
        if not value.isdigit():
            return []
        number = int(value)
        return {
            "eleve_id": lambda: _pupils_by(world, eleve_id=number),
            "personne_id": lambda: _responsables_by(world, number),
            "sts": lambda: _teachers_by(world, number),
            "aaf": lambda: _by_jointure(world, value),
        }[kind]()
    if _INE.fullmatch(text.upper()):
        return _pupils_by(world, ine=text.upper())
    if text.isdigit():
        found = _teachers_by(world, int(text)) + _by_jointure(world, text)
        return list({p.ref: p for p in found}.values())
    if _LOGIN.fullmatch(text):
        return _by_login(world, text)
    return _by_name(world, text)


def person_find(*, world: World, query: str) -> Person:
    """The one person the request names; PersonNotFound or PersonAmbiguous (French) else."""
    text = " ".join((query or "").split())
    if not text:
        raise PersonNotFound(f"Aucune personne indiquée. {HOW_TO}")
    found = _search(world, text)
    if not found:
        raise PersonNotFound(f"Personne introuvable dans ce monde : « {text} ». {HOW_TO}")
    if len(found) > 1:
        raise PersonAmbiguous(
            f"{len(found)} personnes correspondent à « {text} » : précisez votre recherche "
            "avec la référence indiquée pour chacune.",
            found,
        )
    return found[0]
