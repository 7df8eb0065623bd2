"""ficAlimMENESR: the files the académie directory (AAF) sends every night to the ENT.

One file holds requests for one category (persons: Eleve, PersRelEleve, PersEducNat;
structures: EtabEducNat; nomenclatures: MefEducNat, MatEducNat). Each request names its category
(`operationalAttributes`), its identifier (`<id>`, equal to the jointure attribute: numeric,
stable from night to night, the key of an ENT account) and either all its attributes (add), the
attributes that changed (modify, operation "replace") or nothing (delete):

    <ficAlimMENESR>
      <addRequest>
        <operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr>
        </operationalAttributes>
        <identifier><id>2867201</id></identifier>
        <attributes><attr name="sn"><value>MARTIN</value></attr> ...</attributes>
      </addRequest>
    </ficAlimMENESR>

A night's run is a set of files `<prefix>_Complet|Delta_<AAAAMMJJ>_<Category>_<NNNN>.xml`
(prefix `ENT_<UAI>` by default), chunked at 10,000 requests, in UTF-8, with the DOCTYPE
`ficAlimMENESR SYSTEM "ficAlimMENESR.dtd"` and the DTD beside them (our own:
`schemas/ficAlimMENESR.dtd`). A Complet holds every entry (add requests only) and is a full
resync; a Delta holds what changed since the night before (`delta()` computes it).

Attribute names: an importer may stop the whole import on a name it does not know, so the writer
refuses any name outside `ATTRIBUTES` (the 2D names documented in FORMATS.md). Readers accept
those names plus `ALSO_READ` (names real 2024 files carry, seen in the reference samples and in
Open ENT NG's AAF mapping); `unknown_attributes()` lists the others.

Values with fields separated by `$` have helpers (`StructRef`, `CourseRef`, `RelativeLink`,
`Function`, `StructureName`, `CodeLabel`); dates are JJ/MM/AAAA and booleans O/N.

Large files are written and read as streams: `write_run` uses lxml's incremental writer, one
chunk at a time per category, and `iter_requests` / `open_run` parse with `iterparse`, freeing
each request once read, so memory does not grow with the académie.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from entsim.formats.safe import MAX_XML_BYTES, MAX_ZIP_RATIO, FormatError, parse_xml
from entsim.formats.xmlutil import element_text, xml_safe

ROOT = "ficAlimMENESR"
DTD_NAME = "ficAlimMENESR.dtd"
DTD_PATH = Path(__file__).resolve().parent / "schemas" / DTD_NAME
DOCTYPE = f'<!DOCTYPE {ROOT} SYSTEM "{DTD_NAME}">'
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
ENCODING = "UTF-8"
CHUNK_SIZE = 10_000

COMPLET = "Complet"
DELTA = "Delta"
KINDS = (COMPLET, DELTA)

# --- Categories and attribute names ----------------------------------------------------------

ETAB = "EtabEducNat"
MEF = "MefEducNat"
MAT = "MatEducNat"
ELEVE = "Eleve"
PERS_REL_ELEVE = "PersRelEleve"
PERS_EDUC_NAT = "PersEducNat"

# Import order: structures and nomenclatures before the persons who refer to them, pupils before
# the responsables they name.
CATEGORIES = (ETAB, MEF, MAT, ELEVE, PERS_REL_ELEVE, PERS_EDUC_NAT)
PERSONS = (ELEVE, PERS_REL_ELEVE, PERS_EDUC_NAT)

CATEGORY_ATTRIBUTE = {
    ELEVE: "categoriePersonne",
    PERS_REL_ELEVE: "categoriePersonne",
    PERS_EDUC_NAT: "categoriePersonne",
    ETAB: "categorieStructure",
    MEF: "categorieMef",
    MAT: "categorieMatiere",
}

JOINTURE = {
    ELEVE: "ENTPersonJointure",
    PERS_REL_ELEVE: "ENTPersonJointure",
    PERS_EDUC_NAT: "ENTPersonJointure",
    ETAB: "ENTStructureJointure",
    MEF: "ENTMefJointure",
    MAT: "ENTMatJointure",
}

# The names we write (FORMATS.md, "Attributes (2D)"), in the order we write them.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    ELEVE: (
        "ENTPersonJointure",
        "ENTEleveINE",
        "ENTPersonDateNaissance",
        "sn",
        "givenName",
        "ENTPersonAutresPrenoms",
        "ENTPersonNomPatro",
        "personalTitle",
        "ENTElevePersRelEleve",
        "ENTPersonStructRattach",
        "ENTEleveRegime",
        "ENTEleveMEF",
        "ENTEleveLibelleMEF",
        "ENTEleveClasses",
        "ENTEleveGroupes",
        "ENTEleveNivFormation",
        "ENTEleveFiliere",
        "ENTEleveBoursier",
        "ENTEleveTransport",
        "ENTEleveStatutEleve",
        "ENTEleveStructRattachId",
        "ENTEleveCodeEnseignements",
        "ENTEleveEnseignements",
        "ENTPersonAdresse",
        "ENTPersonCodePostal",
        "ENTPersonVille",
        "ENTPersonPays",
        "mail",
        "homePhone",
    ),
    PERS_REL_ELEVE: (
        "ENTPersonJointure",
        "sn",
        "givenName",
        "personalTitle",
        "homePhone",
        "telephoneNumber",
        "mobile",
        "mail",
        "ENTPersonAdresse",
        "ENTPersonCodePostal",
        "ENTPersonVille",
        "ENTPersonPays",
        "ENTAuxPersRelEleveEleve",
    ),
    PERS_EDUC_NAT: (
        "ENTPersonJointure",
        "sn",
        "givenName",
        "personalTitle",
        "ENTPersonDateNaissance",
        "mail",
        "ENTPersonStructRattach",
        "ENTPersonFonctions",
        "ENTAuxEnsCategoDiscipline",
        "ENTAuxEnsMEF",
        "ENTAuxEnsMatiereEnseignEtab",
        "ENTAuxEnsClasses",
        "ENTAuxEnsGroupes",
        "ENTAuxEnsClassesMatieres",
        "ENTAuxEnsGroupesMatieres",
        "ENTAuxEnsClassesPrincipal",
        "PersEducNatPresenceDevantEleves",
        "ENTPersonCategorieEnseignant",
    ),
    ETAB: (
        "ENTStructureJointure",
        "ENTStructureUAI",
        "ENTStructureNomCourant",
        "ENTStructureTypeStruct",
        "ENTStructureSIREN",
        "ENTServAcAcademie",
        "street",
        "postalCode",
        "l",
        "telephoneNumber",
        "ENTStructureClasses",
        "ENTStructureGroupes",
    ),
    MEF: (
        "ENTMefJointure",
        "ENTLibelleMef",
        "ENTMEFRattach",
        "ENTMEFSTAT11",
        "ENTNivFormation",
        "ENTFiliere",
    ),
    MAT: ("ENTMatJointure", "ENTLibelleMatiere", "ENTMatiereRattach"),
}

# Names that real files also carry and that real readers know (the 2024 reference samples, Open
# ENT NG's AAF mapping). Accepted on read, never written.
ALSO_READ: dict[str, frozenset[str]] = {
    ELEVE: frozenset(
        {
            "ENTEleveParents",
            "ENTElevePere",
            "ENTEleveMere",
            "ENTEleveAutoriteParentale",
            "ENTElevePersRelEleve1",
            "ENTEleveQualitePersRelEleve1",
            "ENTElevePersRelEleve2",
            "ENTEleveQualitePersRelEleve2",
        }
    ),
    PERS_REL_ELEVE: frozenset(
        {
            "ENTPersonDateNaissance",
            "ENTPersonNomPatro",
            "ENTPersonAdresseDiffusion",
            "ENTPersonMobileSMS",
        }
    ),
    PERS_EDUC_NAT: frozenset(
        {
            "ENTPersonNomPatro",
            "ENTPersonAutresPrenoms",
            "ENTAuxEnsDisciplinesPoste",
            "ENTEnsFonctionDir",
        }
    ),
    ETAB: frozenset(
        {
            "ENTEtablissementUAI",
            "ENTStructureCodeTypeStruct",
            "ENTEtablissementMinistereTutelle",
            "ENTEtablissementCodeMinistereTutelle",
            "ENTEtablissementContrat",
            "postOfficeBox",
            "facsimileTelephoneNumber",
            "ENTStructureMailSI",
            "ENTEtablissementStructRattachFctl",
            "ENTEtablissementBassin",
            "ENTServAcCodeAcademie",
            "ENTServCodeAcAcademie",
        }
    ),
    MEF: frozenset(),
    MAT: frozenset(),
}

# Values made of `$`-separated fields, and how many fields each has (FORMATS.md).
FIELDS: dict[str, int] = {
    "ENTEleveClasses": 2,
    "ENTEleveGroupes": 2,
    "ENTElevePersRelEleve": 6,
    "ENTPersonFonctions": 5,
    "ENTAuxEnsClasses": 2,
    "ENTAuxEnsGroupes": 2,
    "ENTAuxEnsClassesMatieres": 3,
    "ENTAuxEnsGroupesMatieres": 3,
    "ENTAuxEnsClassesPrincipal": 2,
    "ENTAuxEnsCategoDiscipline": 2,
    "ENTStructureNomCourant": 3,
    "ENTStructureClasses": 2,
    "ENTStructureGroupes": 2,
}

_ID = re.compile(r"[0-9]+")
_PREFIX = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_FILE_NAME = re.compile(
    r"(?P<prefix>[A-Za-z0-9][A-Za-z0-9_.-]*)_(?P<kind>Complet|Delta)_(?P<day>[0-9]{8})"
    r"_(?P<category>[A-Za-z]+)_(?P<index>[0-9]{4})\.xml"
)
_REQUEST_TAGS = ("addRequest", "modifyRequest", "deleteRequest")


def known_attributes(category: str) -> frozenset[str]:
    """The names an importer of `category` understands (written ones and real extra ones)."""
    return frozenset(ATTRIBUTES.get(category, ())) | ALSO_READ.get(category, frozenset())


# --- Requests ----------------------------------------------------------------------------------

Values = tuple[str, ...]


def clean_values(values: Iterable[str] | str) -> Values:
    """Stripped values, empty ones dropped: `<value/>` and no value at all mean the same."""
    if isinstance(values, str):
        values = (values,)
    return tuple(text for text in (str(value).strip() for value in values) if text)


@dataclass(frozen=True)
class AddRequest:
    """An entry with all its attributes (a Complet holds only these)."""

    category: str
    id: str
    attributes: Mapping[str, Values] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", str(self.id).strip())
        object.__setattr__(
            self,
            "attributes",
            {name: clean_values(values) for name, values in self.attributes.items()},
        )

    def values(self, name: str) -> Values:
        return self.attributes.get(name, ())

    def first(self, name: str, default: str = "") -> str:
        values = self.attributes.get(name, ())
        return values[0] if values else default


@dataclass(frozen=True)
class Modification:
    """One attribute replaced by new values (no value: the attribute is emptied)."""

    name: str
    values: Values = ()
    operation: str = "replace"

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", clean_values(self.values))


@dataclass(frozen=True)
class ModifyRequest:
    """The attributes of an entry that changed since the previous night."""

    category: str
    id: str
    modifications: tuple[Modification, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", str(self.id).strip())
        object.__setattr__(self, "modifications", tuple(self.modifications))


@dataclass(frozen=True)
class DeleteRequest:
    """An entry that left the directory."""

    category: str
    id: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", str(self.id).strip())


Request = AddRequest | ModifyRequest | DeleteRequest


def request_names(request: Request) -> list[str]:
    """The attribute names a request carries."""
    if isinstance(request, AddRequest):
        return list(request.attributes)
    if isinstance(request, ModifyRequest):
        return [modification.name for modification in request.modifications]
    return []


def unknown_attributes(request: Request) -> list[str]:
    """Names an importer does not know for the request's category (it then stops)."""
    known = known_attributes(request.category)
    return [name for name in request_names(request) if name not in known]


# --- Values with `$` fields, dates, booleans -----------------------------------------------

SEPARATOR = "$"


def join_fields(*fields: str) -> str:
    for value in fields:
        if SEPARATOR in value:
            raise ValueError(f"Le champ « {value} » contient le séparateur « $ ».")
    return SEPARATOR.join(fields)


def split_fields(value: str, count: int | None = None, *, name: str = "") -> tuple[str, ...]:
    """The `$` fields of a value; FormatError when their number is not `count`."""
    parts = tuple(value.split(SEPARATOR))
    if count is not None and len(parts) != count:
        where = f" de {name}" if name else ""
        raise FormatError(
            f"Valeur « {value} »{where} : {len(parts)} champ(s) séparé(s) par « $ », "
            f"{count} attendu(s)."
        )
    return parts


def check_fields(name: str, value: str) -> None:
    """FormatError when a documented `$` value does not have its number of fields."""
    count = FIELDS.get(name)
    if count is not None:
        split_fields(value, count, name=name)


@dataclass(frozen=True)
class StructRef:
    """`structId$CODE`: a class or group of a structure (ENTEleveClasses, ENTEleveGroupes,
    ENTAuxEnsClasses, ENTAuxEnsGroupes, ENTAuxEnsClassesPrincipal). The structure is its AAF id
    (ENTStructureJointure), not its UAI."""

    structure: str
    code: str

    def value(self) -> str:
        return join_fields(self.structure, self.code)

    @classmethod
    def parse(cls, value: str, name: str = "ENTEleveClasses") -> StructRef:
        return cls(*split_fields(value, 2, name=name))


@dataclass(frozen=True)
class CourseRef:
    """`structId$CODE$matiere`: a class or group a teacher teaches, with the subject
    (ENTAuxEnsClassesMatieres, ENTAuxEnsGroupesMatieres)."""

    structure: str
    code: str
    subject: str

    def value(self) -> str:
        return join_fields(self.structure, self.code, self.subject)

    @classmethod
    def parse(cls, value: str, name: str = "ENTAuxEnsClassesMatieres") -> CourseRef:
        return cls(*split_fields(value, 3, name=name))


@dataclass(frozen=True)
class RelativeLink:
    """`relId$lienParente$financier$legal$contact$paiement` (ENTElevePersRelEleve).

    legal: 1 = parental authority, 2 = person in charge; importers keep a PersRelEleve only when
    a pupil names it with legal = 1.
    """

    relative: str
    relationship: str
    financial: str
    legal: str
    contact: str
    payment: str

    def value(self) -> str:
        return join_fields(
            self.relative, self.relationship, self.financial, self.legal, self.contact, self.payment
        )

    @property
    def parental_authority(self) -> bool:
        return self.legal == "1"

    @classmethod
    def parse(cls, value: str) -> RelativeLink:
        return cls(*split_fields(value, 6, name="ENTElevePersRelEleve"))


@dataclass(frozen=True)
class Function:
    """`structId$FILIERE$LIBELLE$codeDiscipline$LIBELLE` (ENTPersonFonctions): staff are
    attached to a structure through the first field. Filières: ENS, DOC, DIR, EDU, ..."""

    structure: str
    filiere: str
    filiere_label: str
    discipline: str
    discipline_label: str

    def value(self) -> str:
        return join_fields(
            self.structure, self.filiere, self.filiere_label, self.discipline, self.discipline_label
        )

    @classmethod
    def parse(cls, value: str) -> Function:
        return cls(*split_fields(value, 5, name="ENTPersonFonctions"))


@dataclass(frozen=True)
class StructureName:
    """`SIGLE$NOM$VILLE` (ENTStructureNomCourant), e.g. `CLG$CLG INTEGRATION$PARIS`."""

    sigle: str
    name: str
    city: str

    def value(self) -> str:
        return join_fields(self.sigle, self.name, self.city)

    @classmethod
    def parse(cls, value: str) -> StructureName:
        return cls(*split_fields(value, 3, name="ENTStructureNomCourant"))


@dataclass(frozen=True)
class CodeLabel:
    """`CODE$LIBELLE` (ENTStructureClasses, ENTStructureGroupes, ENTAuxEnsCategoDiscipline)."""

    code: str
    label: str

    def value(self) -> str:
        return join_fields(self.code, self.label)

    @classmethod
    def parse(cls, value: str, name: str = "ENTStructureClasses") -> CodeLabel:
        return cls(*split_fields(value, 2, name=name))


def format_date(value: dt.date) -> str:
    """JJ/MM/AAAA."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def parse_date(value: str) -> dt.date:
    match = re.fullmatch(r"([0-9]{2})/([0-9]{2})/([0-9]{4})", value.strip())
    if not match:
        raise FormatError(f"Date illisible : « {value} » (attendu JJ/MM/AAAA).")
    day, month, year = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError as error:
        raise FormatError(f"Date impossible : « {value} ».") from error


def format_bool(value: bool) -> str:
    return "O" if value else "N"


def parse_bool(value: str) -> bool:
    cleaned = value.strip().upper()
    if cleaned not in ("O", "N"):
        raise FormatError(f"Booléen illisible : « {value} » (attendu O ou N).")
    return cleaned == "O"


# --- Checks before writing ----------------------------------------------------------------


class RequestRefused(ValueError):
    """A request the writer will not put in a file (French message): the importer would stop."""


def check_request(request: Request) -> None:
    """Refuse unknown categories, non-numeric ids, names outside ATTRIBUTES, `$` values with
    the wrong number of fields, and a jointure attribute that differs from the id."""
    if request.category not in ATTRIBUTES:
        raise RequestRefused(f"Catégorie inconnue : « {request.category} ».")
    if not _ID.fullmatch(request.id):
        raise RequestRefused(f"Identifiant non numérique : « {request.id} » ({request.category}).")
    allowed = ATTRIBUTES[request.category]
    jointure = JOINTURE[request.category]
    if isinstance(request, AddRequest):
        pairs = list(request.attributes.items())
    elif isinstance(request, ModifyRequest):
        if not request.modifications:
            raise RequestRefused(f"Modification sans attribut pour l'identifiant {request.id}.")
        pairs = []
        for modification in request.modifications:
            if modification.operation != "replace":
                raise RequestRefused(
                    f"Opération « {modification.operation} » non prévue (seule « replace » l'est)."
                )
            if modification.name == jointure:
                raise RequestRefused(f"{jointure} ne se modifie pas : c'est l'identifiant.")
            pairs.append((modification.name, modification.values))
    else:
        pairs = []
    for name, values in pairs:
        if name not in allowed:
            raise RequestRefused(
                f"Attribut « {name} » inconnu pour la catégorie {request.category} : "
                "un importateur arrêterait tout l'import."
            )
        for value in values:
            try:
                check_fields(name, value)
            except FormatError as error:
                raise RequestRefused(error.message) from error
    if isinstance(request, AddRequest):
        given = request.attributes.get(jointure)
        if given is not None and given != (request.id,):
            raise RequestRefused(
                f"{jointure} « {' '.join(given)} » diffère de l'identifiant « {request.id} »."
            )


# --- File names ------------------------------------------------------------------------------


def prefix_for(uai: str) -> str:
    """The default name prefix of an establishment's files: `ENT_<UAI>`."""
    return f"ENT_{uai}"


def file_name(prefix: str, kind: str, day: dt.date, category: str, index: int) -> str:
    return f"{prefix}_{kind}_{day:%Y%m%d}_{category}_{index:04d}.xml"


def run_name(prefix: str, kind: str, day: dt.date) -> str:
    """The zip of one run: `<prefix>_<Complet|Delta>_<AAAAMMJJ>.zip`."""
    return f"{prefix}_{kind}_{day:%Y%m%d}.zip"


@dataclass(frozen=True, order=True)
class FileName:
    prefix: str
    kind: str
    day: dt.date
    category: str
    index: int

    @property
    def name(self) -> str:
        return file_name(self.prefix, self.kind, self.day, self.category, self.index)

    @property
    def sort_key(self) -> tuple[int, int]:
        return (CATEGORIES.index(self.category), self.index)

    @classmethod
    def parse(cls, name: str) -> FileName:
        match = _FILE_NAME.fullmatch(name)
        if not match:
            raise FormatError(
                f"Nom de fichier inattendu : « {name} » (attendu "
                "<préfixe>_Complet|Delta_AAAAMMJJ_<Catégorie>_NNNN.xml)."
            )
        if match["category"] not in CATEGORIES:
            raise FormatError(
                f"Catégorie inconnue dans le nom « {name} » : « {match['category']} »."
            )
        try:
            day = dt.datetime.strptime(match["day"], "%Y%m%d").date()
        except ValueError as error:
            raise FormatError(f"Date impossible dans le nom « {name} ».") from error
        return cls(match["prefix"], match["kind"], day, match["category"], int(match["index"]))


# --- Writing ---------------------------------------------------------------------------------

VERSION_AF = "AAF-VE2407"
VERSION_SDET = "Annexe 4bis version 6.4"


@dataclass(frozen=True)
class Header:
    """The comments at the top of every file (as in the 2024 files)."""

    code_academie: str
    date_generation: dt.date
    version_af: str = VERSION_AF
    version_sdet: str = VERSION_SDET
    degre: str = "2D"

    def comments(self) -> list[str]:
        return [
            f'versionAF="{self.version_af}"',
            f'versionSDET="{self.version_sdet}"',
            f'codeAcademieExport="{self.code_academie}"',
            f'degre="{self.degre}"',
            f'dateGenerationExport="{format_date(self.date_generation)}"',
        ]


def _value_element(parent: etree._Element, text: str) -> None:
    node = etree.SubElement(parent, "value")
    node.text = xml_safe(text) or None


def _ordered(category: str, attributes: Mapping[str, Values]) -> list[tuple[str, Values]]:
    order = {name: index for index, name in enumerate(ATTRIBUTES[category])}
    return sorted(attributes.items(), key=lambda item: order.get(item[0], len(order)))


def request_element(request: Request) -> etree._Element:
    """The element of one request, laid out one attribute per line as the real files are."""
    tag = {AddRequest: "addRequest", ModifyRequest: "modifyRequest", DeleteRequest: "deleteRequest"}
    node = etree.Element(tag[type(request)])
    node.text = "\n"
    operational = etree.SubElement(node, "operationalAttributes")
    category = etree.SubElement(
        operational, "attr", name=CATEGORY_ATTRIBUTE.get(request.category, "categoriePersonne")
    )
    _value_element(category, request.category)
    operational.tail = "\n"
    identifier = etree.SubElement(node, "identifier")
    etree.SubElement(identifier, "id").text = request.id
    identifier.tail = "\n"
    if isinstance(request, AddRequest):
        attributes = dict(request.attributes)
        jointure = JOINTURE[request.category]
        attributes.setdefault(jointure, (request.id,))
        container = etree.SubElement(node, "attributes")
        container.text = "\n"
        for name, values in _ordered(request.category, attributes):
            attr = etree.SubElement(container, "attr", name=name)
            for value in values or ("",):
                _value_element(attr, value)
            attr.tail = "\n"
        container.tail = "\n"
    elif isinstance(request, ModifyRequest):
        container = etree.SubElement(node, "modifications")
        container.text = "\n"
        for modification in request.modifications:
            item = etree.SubElement(
                container, "modification", name=modification.name, operation="replace"
            )
            for value in modification.values or ("",):
                _value_element(item, value)
            item.tail = "\n"
        container.tail = "\n"
    node.tail = "\n\n"
    return node


class _ChunkedFile:
    """The files of one category: a new chunk every `chunk_size` requests."""

    def __init__(
        self, directory: Path, prefix: str, kind: str, header: Header, category: str, size: int
    ):
        self.directory = directory
        self.prefix = prefix
        self.kind = kind
        self.header = header
        self.category = category
        self.size = size
        self.paths: list[Path] = []
        self._stack: ExitStack | None = None
        self._writer = None
        self._count = 0

    def _open(self) -> None:
        self.close()
        name = file_name(
            self.prefix, self.kind, self.header.date_generation, self.category, len(self.paths)
        )
        path = self.directory / name
        stack = ExitStack()
        handle = stack.enter_context(path.open("wb"))
        handle.write(DECLARATION)
        stack.callback(handle.write, b"\n")  # after the root is closed
        writer = stack.enter_context(etree.xmlfile(handle, encoding=ENCODING))
        writer.write_doctype(DOCTYPE)
        stack.enter_context(writer.element(ROOT))
        writer.write("\n")
        for comment in self.header.comments():
            writer.write(etree.Comment(f" {comment} "))
            writer.write("\n")
        writer.write("\n")
        self._stack, self._writer, self._count = stack, writer, 0
        self.paths.append(path)

    def write(self, request: Request) -> None:
        if self._writer is None or self._count >= self.size:
            self._open()
        self._writer.write(request_element(request))
        self._count += 1

    def ensure_one(self) -> None:
        if not self.paths:
            self._open()

    def close(self) -> None:
        if self._stack is not None:
            self._stack.close()
        self._stack, self._writer = None, None


def write_run(
    requests: Iterable[Request],
    *,
    directory: Path | str,
    prefix: str,
    kind: str,
    header: Header,
    chunk_size: int = CHUNK_SIZE,
    categories: Iterable[str] = CATEGORIES,
) -> list[Path]:
    """Write one night's files into `directory`, streaming `requests` (any order of categories).

    Every category of `categories` gets at least its `_0000` file, empty when it has no
    request (for a Complet, an empty file says "nobody": the importer closes them all). A
    Complet holds add requests only. Returns the paths in import order.
    """
    if kind not in KINDS:
        raise RequestRefused(f"Type de fichier inconnu : « {kind} » (Complet ou Delta).")
    if not _PREFIX.fullmatch(prefix):
        raise RequestRefused(f"Préfixe de nom de fichier invalide : « {prefix} ».")
    if chunk_size < 1:
        raise RequestRefused("La taille des lots doit être d'au moins une demande.")
    wanted = tuple(categories)
    for category in wanted:
        if category not in ATTRIBUTES:
            raise RequestRefused(f"Catégorie inconnue : « {category} ».")
    directory = Path(directory)
    files: dict[str, _ChunkedFile] = {}
    try:
        for request in requests:
            check_request(request)
            if request.category not in wanted:
                raise RequestRefused(
                    f"Catégorie {request.category} non prévue dans ce lot "
                    f"({', '.join(wanted) or 'aucune'})."
                )
            if kind == COMPLET and not isinstance(request, AddRequest):
                raise RequestRefused("Un fichier Complet ne contient que des ajouts (addRequest).")
            chunked = files.get(request.category)
            if chunked is None:
                chunked = files[request.category] = _ChunkedFile(
                    directory, prefix, kind, header, request.category, chunk_size
                )
            chunked.write(request)
        for category in wanted:
            if category not in files:
                files[category] = _ChunkedFile(directory, prefix, kind, header, category, 1)
                files[category].ensure_one()
    finally:
        for chunked in files.values():
            chunked.close()
    paths = [path for chunked in files.values() for path in chunked.paths]
    return sorted(paths, key=lambda path: FileName.parse(path.name).sort_key)


_ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def zip_run(paths: Iterable[Path], target: BinaryIO | None = None) -> bytes | None:
    """The run's files in one zip, with the DTD beside them. Files are streamed from disk;
    returns the bytes unless `target` (a writable binary file) is given."""
    buffer = target if target is not None else io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        members = [(DTD_NAME, DTD_PATH), *((path.name, path) for path in paths)]
        for name, path in members:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            with path.open("rb") as source, archive.open(info, "w") as sink:
                shutil.copyfileobj(source, sink, 1 << 20)
    return None if target is not None else buffer.getvalue()


def build_run(
    requests: Iterable[Request],
    *,
    prefix: str,
    kind: str,
    header: Header,
    chunk_size: int = CHUNK_SIZE,
    categories: Iterable[str] = CATEGORIES,
) -> tuple[str, bytes]:
    """Write a run in a temporary folder and zip it: (zip name, zip bytes)."""
    with tempfile.TemporaryDirectory(prefix="aaf-") as folder:
        paths = write_run(
            requests,
            directory=folder,
            prefix=prefix,
            kind=kind,
            header=header,
            chunk_size=chunk_size,
            categories=categories,
        )
        content = zip_run(paths)
    return run_name(prefix, kind, header.date_generation), content


def write_document(requests: Iterable[Request], header: Header) -> bytes:
    """One file in memory (for a handful of requests; runs go through `write_run`)."""
    buffer = io.BytesIO()
    buffer.write(DECLARATION)
    with etree.xmlfile(buffer, encoding=ENCODING) as writer:
        writer.write_doctype(DOCTYPE)
        with writer.element(ROOT):
            writer.write("\n")
            for comment in header.comments():
                writer.write(etree.Comment(f" {comment} "))
                writer.write("\n")
            writer.write("\n")
            for request in requests:
                check_request(request)
                writer.write(request_element(request))
    buffer.write(b"\n")
    return buffer.getvalue()


# --- Reading ---------------------------------------------------------------------------------


def _where(node: etree._Element) -> str:
    line = getattr(node, "sourceline", None)
    return f" (ligne {line})" if line else ""


def _values(node: etree._Element) -> Values:
    return clean_values(element_text(value) for value in node.iterchildren("value"))


def _request(node: etree._Element) -> Request:
    operational = node.find("operationalAttributes")
    attr = operational.find("attr") if operational is not None else None
    if attr is None:
        raise FormatError(f"{node.tag} sans operationalAttributes/attr{_where(node)}.")
    values = _values(attr)
    category = values[0] if values else ""
    if category not in CATEGORY_ATTRIBUTE:
        raise FormatError(f"Catégorie inconnue : « {category} »{_where(attr)}.")
    if attr.get("name") != CATEGORY_ATTRIBUTE[category]:
        raise FormatError(
            f"La catégorie {category} s'annonce par « {CATEGORY_ATTRIBUTE[category]} », "
            f"pas « {attr.get('name')} »{_where(attr)}."
        )
    identifier = node.find("identifier/id")
    ident = element_text(identifier) if identifier is not None else ""
    if not ident:
        raise FormatError(f"{node.tag} sans identifiant (identifier/id){_where(node)}.")
    if node.tag == "deleteRequest":
        return DeleteRequest(category, ident)
    if node.tag == "addRequest":
        container = node.find("attributes")
        if container is None:
            raise FormatError(f"addRequest sans attributes{_where(node)}.")
        attributes: dict[str, Values] = {}
        for item in container.iterchildren("attr"):
            name = item.get("name")
            if not name:
                raise FormatError(f"attr sans nom{_where(item)}.")
            attributes[name] = attributes.get(name, ()) + _values(item)
        return AddRequest(category, ident, attributes)
    container = node.find("modifications")
    if container is None:
        raise FormatError(f"modifyRequest sans modifications{_where(node)}.")
    modifications = []
    for item in container.iterchildren("modification"):
        name = item.get("name")
        if not name:
            raise FormatError(f"modification sans nom{_where(item)}.")
        operation = item.get("operation", "")
        if operation != "replace":
            raise FormatError(
                f"Opération « {operation} » inconnue pour {name} (seule « replace » existe)"
                f"{_where(item)}."
            )
        modifications.append(Modification(name, _values(item)))
    return ModifyRequest(category, ident, tuple(modifications))


def _wrong_root(tag: str) -> FormatError:
    return FormatError(f"Racine XML inattendue : « {tag} » (attendu {ROOT}).")


def read(content: bytes) -> list[Request]:
    """Every request of one file, in order (the DOCTYPE is not loaded: no DTD, no network)."""
    root = parse_xml(content)
    if root.tag != ROOT:
        raise _wrong_root(str(root.tag))
    requests = []
    for node in root.iterchildren(tag=etree.Element):
        if node.tag not in _REQUEST_TAGS:
            raise FormatError(f"Élément inattendu : « {node.tag} »{_where(node)}.")
        requests.append(_request(node))
    return requests


def read_header(content: bytes) -> dict[str, str]:
    """The `name="value"` comments at the top of a file (versionAF, dateGenerationExport...)."""
    root = parse_xml(content)
    header = {}
    for node in root.iterchildren():
        if node.tag in _REQUEST_TAGS:
            break
        if isinstance(node, etree._Comment):
            match = re.fullmatch(r'\s*([A-Za-z]+)="([^"]*)"\s*', node.text or "")
            if match:
                header[match[1]] = match[2]
    return header


def iter_requests(source: BinaryIO | str | Path, *, name: str = "") -> Iterator[Request]:
    """Stream the requests of one file: each is freed once read (memory stays flat).

    Entities are not resolved, no DTD is loaded, nothing is fetched from the network.
    """
    label = f"« {name} » : " if name else ""
    context = etree.iterparse(
        source,
        events=("start", "end"),
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    root = None
    try:
        for event, node in context:
            if root is None:
                if node.tag != ROOT:
                    raise _wrong_root(str(node.tag))
                dtd = node.getroottree().docinfo.internalDTD
                if dtd is not None and dtd.entities():
                    raise FormatError("Le fichier déclare des entités XML : refusé par sécurité.")
                root = node
                continue
            if event != "end" or node.getparent() is not root:
                continue
            if node.tag not in _REQUEST_TAGS:
                raise FormatError(f"Élément inattendu : « {node.tag} »{_where(node)}.")
            request = _request(node)
            node.clear()
            while node.getprevious() is not None:
                del root[0]
            yield request
    except etree.XMLSyntaxError as error:
        raise FormatError(f"{label}fichier XML mal formé : {error.msg}.") from error
    except FormatError as error:
        if label and not error.message.startswith(label):
            raise FormatError(label + error.message) from error
        raise
    if root is None:
        raise FormatError(f"{label}le fichier ne contient pas de document XML.")


class _CappedStream:
    """A zip member read at most `limit` bytes, whatever its header says."""

    def __init__(self, stream: BinaryIO, limit: int, name: str) -> None:
        self._stream = stream
        self._limit = limit
        self._name = name
        self._count = 0

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._limit + 1 - self._count
        data = self._stream.read(size)
        self._count += len(data)
        if self._count > self._limit:
            raise FormatError(f"« {self._name} » est trop volumineux une fois décompressé.")
        return data


class Run:
    """One night's zip, opened: its files in import order, each read as a stream.

    Use as a context manager: `with open_run(source) as run: for file in run.files: ...`.
    """

    def __init__(self, archive: zipfile.ZipFile, members: list[tuple[FileName, zipfile.ZipInfo]]):
        self._archive = archive
        self._members = {file: info for file, info in members}
        self.files = [file for file, _info in members]
        first = self.files[0]
        self.prefix, self.kind, self.day = first.prefix, first.kind, first.day

    @property
    def categories(self) -> list[str]:
        return [
            category for category in CATEGORIES if any(f.category == category for f in self.files)
        ]

    def requests(self, file: FileName) -> Iterator[Request]:
        info = self._members[file]
        with self._archive.open(info) as stream:
            yield from iter_requests(
                _CappedStream(stream, MAX_XML_BYTES, file.name), name=file.name
            )

    def close(self) -> None:
        self._archive.close()

    def __enter__(self) -> Run:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_run(source: bytes | BinaryIO) -> Run:
    """Open a run's zip (bytes or a seekable binary file) and check its members' names.

    Refused (FormatError, French): not a zip, unsafe or encrypted members, members that inflate
    too much, files not named like AAF files, files of several runs mixed, no file at all. The
    DTD beside the files is ignored.
    """
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile as error:
        raise FormatError("Le fichier n'est pas une archive zip valide.") from error
    try:
        members = []
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = info.filename
            if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                raise FormatError(f"Nom de fichier dangereux dans l'archive : « {name} ».")
            if "/" in name or "\\" in name:
                raise FormatError(f"Dossier inattendu dans l'archive : « {name} ».")
            if name == DTD_NAME:
                continue
            if info.flag_bits & 0x1:
                raise FormatError("L'archive est chiffrée : impossible de la lire.")
            if info.file_size > MAX_XML_BYTES:
                raise FormatError(f"« {name} » est trop volumineux une fois décompressé.")
            if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
                raise FormatError(f"« {name} » est anormalement compressé : archive refusée.")
            members.append((FileName.parse(name), info))
        if not members:
            raise FormatError("L'archive ne contient aucun fichier de l'annuaire (ficAlimMENESR).")
        runs = {(file.prefix, file.kind, file.day) for file, _info in members}
        if len(runs) > 1:
            described = ", ".join(
                f"{prefix} {kind} du {day:%d/%m/%Y}" for prefix, kind, day in sorted(runs)
            )
            raise FormatError(f"L'archive mélange plusieurs extractions : {described}.")
        seen = set()
        for file, _info in members:
            if (file.category, file.index) in seen:
                raise FormatError(f"Fichier en double dans l'archive : « {file.name} ».")
            seen.add((file.category, file.index))
        members.sort(key=lambda member: member[0].sort_key)
    except BaseException:
        archive.close()
        raise
    return Run(archive, members)


# --- Validation against the DTD -------------------------------------------------------------


@cache
def _dtd(path: str) -> etree.DTD:
    with open(path, "rb") as handle:
        return etree.DTD(handle)


def dtd_errors(content: bytes, dtd_path: Path | str = DTD_PATH) -> list[str]:
    """What a validating reader would say of `content` against the DTD (empty: valid)."""
    dtd = _dtd(str(dtd_path))
    root = parse_xml(content)
    if dtd.validate(root):
        return []
    return [f"ligne {error.line} : {error.message}" for error in dtd.error_log]


# --- Delta ---------------------------------------------------------------------------------


def normal_attributes(attributes: Mapping[str, Values]) -> dict[str, Values]:
    """Attributes without the empty ones: an empty attribute and an absent one mean the same."""
    return {name: values for name, values in attributes.items() if values}


def delta(
    previous_requests: Iterable[AddRequest], current_requests: Iterable[AddRequest]
) -> Iterator[Request]:
    """The Delta from one night's Complet to the next: adds, modifications (changed attributes
    only, an emptied attribute replaced by an empty value) and deletes.

    Streams both nights: the previous night's entries wait in a temporary SQLite file keyed by
    (category, id), not in memory, so memory does not grow with the académie. Entries are keyed
    by (category, id): a person who changes category is deleted from one and added to the other.
    """
    with tempfile.TemporaryDirectory(prefix="aaf-delta-") as folder:
        store = sqlite3.connect(Path(folder) / "previous.sqlite3", isolation_level=None)
        try:
            yield from _delta(store, previous_requests, current_requests)
        finally:
            store.close()


def _delta(
    store: sqlite3.Connection,
    previous_requests: Iterable[AddRequest],
    current_requests: Iterable[AddRequest],
) -> Iterator[Request]:
    store.execute("PRAGMA journal_mode = OFF")
    store.execute("PRAGMA synchronous = OFF")
    store.execute(
        "CREATE TABLE entry (category TEXT, id TEXT, attributes TEXT, PRIMARY KEY (category, id))"
    )
    store.execute("BEGIN")
    store.executemany(
        "INSERT OR REPLACE INTO entry VALUES (?, ?, ?)",
        (
            (request.category, request.id, json.dumps(normal_attributes(request.attributes)))
            for request in previous_requests
        ),
    )
    for request in current_requests:
        key = (request.category, request.id)
        row = store.execute(
            "SELECT attributes FROM entry WHERE category = ? AND id = ?", key
        ).fetchone()
        new = normal_attributes(request.attributes)
        if row is None:
            yield AddRequest(request.category, request.id, new)
            continue
        store.execute("DELETE FROM entry WHERE category = ? AND id = ?", key)
        old = {name: tuple(values) for name, values in json.loads(row[0]).items()}
        order = {name: index for index, name in enumerate(ATTRIBUTES.get(request.category, ()))}
        names = sorted(set(old) | set(new), key=lambda name: (order.get(name, len(order)), name))
        changes = tuple(
            Modification(name, new.get(name, ()))
            for name in names
            if old.get(name, ()) != new.get(name, ())
        )
        if changes:
            yield ModifyRequest(request.category, request.id, changes)
    gone = store.execute("SELECT category, id FROM entry ORDER BY rowid")
    for category, ident in gone:
        yield DeleteRequest(category, ident)
    store.execute("COMMIT")
