"""Pure text helpers: names and addresses as SIECLE compares them (no Django)."""

from __future__ import annotations

import difflib
import re
import unicodedata

# Abbreviations of French postal addresses, mapped to one spelling before comparing.
ABREVIATIONS = {
    "BT": "BATIMENT",
    "BAT": "BATIMENT",
    "BATIMENT": "BATIMENT",
    "BD": "BOULEVARD",
    "BLD": "BOULEVARD",
    "BOUL": "BOULEVARD",
    "AV": "AVENUE",
    "AVE": "AVENUE",
    "CH": "CHEMIN",
    "CHE": "CHEMIN",
    "R": "RUE",
    "IMP": "IMPASSE",
    "ALL": "ALLEE",
    "PL": "PLACE",
    "RTE": "ROUTE",
    "APT": "APPARTEMENT",
    "APPT": "APPARTEMENT",
    "APPART": "APPARTEMENT",
    "RES": "RESIDENCE",
    "RESID": "RESIDENCE",
    "ST": "SAINT",
    "STE": "SAINTE",
    "LOT": "LOTISSEMENT",
    "QUA": "QUARTIER",
    "QU": "QUARTIER",
}

# Spelling variants a secretary may type for the same address (used to plant duplicates).
VARIANTES = (
    ("BAT ", "BATIMENT "),
    ("BATIMENT ", "BT "),
    ("BOULEVARD ", "BD "),
    ("AVENUE ", "AV "),
    ("CHEMIN ", "CHE "),
    ("IMPASSE ", "IMP "),
    ("ALLEE ", "ALL "),
    ("PLACE ", "PL "),
    ("ROUTE ", "RTE "),
    ("RESIDENCE ", "RES "),
    ("APPT ", "APT "),
    ("RUE ", "R. "),
)

SIMILARITE_MIN = 0.85


def sans_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def ascii_upper(text: str) -> str:
    """'Lefèvre' -> 'LEFEVRE' (how SIECLE holds family names)."""
    return sans_accents(text).upper().strip()


def cle_nom(text: str) -> str:
    """A name reduced for comparison: upper case, no accents, no punctuation, one space."""
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", ascii_upper(text)).split())


def cle_adresse(*parts: str) -> str:
    """An address reduced for comparison, abbreviations expanded."""
    words = re.sub(r"[^A-Z0-9]+", " ", ascii_upper(" ".join(parts))).split()
    return " ".join(ABREVIATIONS.get(word, word) for word in words)


def adresses_similaires(a: str, b: str) -> bool:
    """Two reduced addresses (cle_adresse) close enough to be the same place."""
    if a == b:
        return True
    if not a or not b:
        return False
    return difflib.SequenceMatcher(None, a, b).ratio() >= SIMILARITE_MIN


def variante_adresse(lines: list[str]) -> list[str]:
    """The same address spelt differently ("BAT D" / "BATIMENT D", "BOULEVARD" / "BD")."""
    for index in (1, 2, 0, 3):
        if index >= len(lines):
            continue
        line = lines[index]
        for old, new in VARIANTES:
            if old in f"{line} " and line:
                changed = f"{line} ".replace(old, new, 1).strip()
                return [*lines[:index], changed[:50], *lines[index + 1 :]]
    if lines and lines[0]:
        return [lines[0].title()[:50], *lines[1:]]
    return list(lines)


def prefixe_ts(prenom: str, nom: str) -> str:
    """Téléservices identifier prefix: first letter of the first name, a dot, the name."""
    initial = re.sub(r"[^a-z]", "", sans_accents(prenom).lower())[:1] or "x"
    name = re.sub(r"[^a-z-]", "", sans_accents(nom).lower().replace(" ", "-")).strip("-")
    return f"{initial}.{name or 'responsable'}"[:70]


def numero_ts(identifiant: str, prefixe: str) -> int | None:
    """The number after the prefix ("m.dupont3" -> 3), or None when it is not this prefix."""
    if not identifiant.startswith(prefixe):
        return None
    rest = identifiant[len(prefixe) :]
    return int(rest) if rest.isdigit() else None
