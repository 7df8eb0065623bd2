"""What the SIECLE Base élèves XML exports share (BEE_ELEVES, BEE_RESPONSABLES,
BEE_NOMENCLATURES, BEE_STRUCTURES).

Each file is a root element with a VERSION attribute, PARAMETRES {UAJ, ANNEE_SCOLAIRE,
DATE_EXPORT, HORODATAGE}, then DONNEES; written ISO-8859-15 as `<name>.xml` and handed out
inside `ExportXML_<name>.zip`. The ADRESSE element is the same in the pupils' and the
responsables' exports. A format module declares its DONNEES and a `Document` holding them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from entsim.formats.safe import ZipMember, write_zip
from entsim.formats.xmlutil import (
    DATE_FR,
    DATETIME_FR,
    UAI,
    YEAR,
    attr,
    child,
    read_document,
    text,
    write_document,
)

record = dataclass(frozen=True, kw_only=True)

# Each export as a refusal names it.
EXPORTS = {
    "BEE_ELEVES": "l'export des élèves",
    "BEE_RESPONSABLES": "l'export des responsables",
    "BEE_NOMENCLATURES": "l'export des nomenclatures",
    "BEE_STRUCTURES": "l'export des structures",
}


def other_exports(root: str, *others: str) -> dict[str, str]:
    """The refusals (French) of `root`'s reader when handed one of the other BEE exports."""
    return {
        other: f"Ce fichier est {EXPORTS[other]} ({other}), pas {EXPORTS[root]} ({root})."
        for other in others
    }


@record
class Parametres:
    uaj: str = text("UAJ", UAI)
    annee_scolaire: int = text("ANNEE_SCOLAIRE", YEAR)  # 2019 for 2019-2020
    date_export: dt.date = text("DATE_EXPORT", DATE_FR)
    horodatage: dt.datetime = text("HORODATAGE", DATETIME_FR)


@record
class Document:
    """The root element of an export; each format adds `donnees` (DONNEES)."""

    version: str = attr("VERSION")
    parametres: Parametres = child("PARAMETRES", Parametres)


# --- Files ------------------------------------------------------------------------------------

D = TypeVar("D", bound=Document)


def filename(name: str) -> str:
    return f"{name}.xml"


def zip_filename(name: str) -> str:
    return f"ExportXML_{name}.zip"


def zip_file(name: str, xml: bytes) -> tuple[str, bytes]:
    """(ExportXML_<name>.zip, its bytes) holding the single <name>.xml, as SIECLE delivers it."""
    return zip_filename(name), write_zip([ZipMember(filename(name), xml)])


def file_functions(
    document: type[D], root: str, name: str, wrong_roots: dict[str, str]
) -> tuple[Callable[[D], bytes], Callable[[D], tuple[str, bytes]], Callable[[bytes], D]]:
    """`write(doc)`, `write_zip_file(doc)` and `read(content)` of an export named `name`.

    `read` raises FormatError (French message) when the content is not a `root` file.
    """

    def write(doc: D) -> bytes:
        return write_document(doc, root)

    def write_zip_file(doc: D) -> tuple[str, bytes]:
        return zip_file(name, write(doc))

    def read(content: bytes) -> D:
        return read_document(content, document, root, wrong_roots)

    return write, write_zip_file, read


# --- Parts of DONNEES ------------------------------------------------------------------------


@record
class Adresse:
    """An ADRESSE of the pupils' or the responsables' export (keyed by ADRESSE_ID)."""

    adresse_id: str = attr("ADRESSE_ID")
    ligne1_adresse: str | None = text("LIGNE1_ADRESSE", optional=True)
    ligne2_adresse: str | None = text("LIGNE2_ADRESSE", optional=True)
    ligne3_adresse: str | None = text("LIGNE3_ADRESSE", optional=True)
    ligne4_adresse: str | None = text("LIGNE4_ADRESSE", optional=True)
    commune_etrangere: str | None = text("COMMUNE_ETRANGERE", optional=True)
    code_postal: str | None = text("CODE_POSTAL", optional=True)
    code_pays: str | None = text("CODE_PAYS", optional=True)
    code_commune_insee: str | None = text("CODE_COMMUNE_INSEE", optional=True)
    ll_pays: str | None = text("LL_PAYS", optional=True)
    code_departement: str | None = text("CODE_DEPARTEMENT", optional=True)
    libelle_postal: str | None = text("LIBELLE_POSTAL", optional=True)
