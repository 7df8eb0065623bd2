"""STS-web's rules on structure codes (guide 2.7, FORMATS.md).

Division and group codes travel from STS-web to SIECLE and the timetable software and back:
every system that reads or checks one applies these rules (forms, imports, hints).
"""

from __future__ import annotations

import re

CODE_MAX = 8
LIBELLE_MAX = 20
_ALLOWED = re.compile(r"[A-Za-z0-9 _-]")
ALLOWED_TEXT = "les lettres (sans accent), les chiffres, les espaces, « - » et « _ »"


def forbidden_chars(code: str) -> list[str]:
    """The characters of `code` STS-web does not accept, each once, in order of appearance."""
    bad: list[str] = []
    for char in code:
        if not _ALLOWED.fullmatch(char) and char not in bad:
            bad.append(char)
    return bad


def code_problem(code: str) -> str | None:
    """Why STS-web refuses this division or group code, in French; None when it is accepted."""
    if not code.strip():
        return "le code est obligatoire"
    if len(code) > CODE_MAX:
        return f"le code « {code} » dépasse {CODE_MAX} caractères ({len(code)})"
    bad = forbidden_chars(code)
    if bad:
        shown = " ".join(f"« {char} »" for char in bad)
        return (
            f"le code « {code} » contient des caractères non autorisés ({shown}) : "
            f"seuls {ALLOWED_TEXT} sont acceptés"
        )
    return None


def libelle_problem(libelle: str) -> str | None:
    if not libelle.strip():
        return "le libellé long est obligatoire"
    if len(libelle) > LIBELLE_MAX:
        return f"le libellé long « {libelle} » dépasse {LIBELLE_MAX} caractères ({len(libelle)})"
    return None
