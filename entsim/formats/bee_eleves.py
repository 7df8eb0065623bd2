"""BEE_ELEVES: SIECLE Base élèves' pupils export (Exportations > En XML), version 3.0.

`ElevesSansAdresses.xml` or `ElevesAvecAdresses.xml`, each delivered inside
`ExportXML_<name>.zip`. ISO-8859-15, declaration on line 1, root `BEE_ELEVES VERSION="3.0"` on
line 2, PARAMETRES {UAJ, ANNEE_SCOLAIRE, DATE_EXPORT (JJ/MM/AAAA), HORODATAGE (JJ/MM/AAAA
HH:MM:SS)}, then DONNEES: ELEVES (identity, schooling), OPTIONS (options of each pupil),
STRUCTURES (division D and groups G of each pupil), BOURSES, and ADRESSES (AvecAdresses only).
One element per line, value inline; optional elements omitted when None, written empty when "".

Element names and order follow the real export (the dossiersco sample
`eleves_avec_adresse_avec_double_structure.xml`) and what public readers take from it (GEPi,
SambaEdu, Pix, dossiersco): SIECLE's own identifiers are ELEVE_ID (attribute, the key of
OPTIONS and STRUCTURES) and ELENOET; the national one is ID_NATIONAL (INE, 11 characters).
Dates are JJ/MM/AAAA.
"""

from __future__ import annotations

import datetime as dt

from entsim.formats import bee_common
from entsim.formats.bee_common import Adresse as Adresse
from entsim.formats.bee_common import Document, other_exports, record
from entsim.formats.bee_common import Parametres as Parametres
from entsim.formats.safe import FormatError, read_zip
from entsim.formats.xmlutil import (
    DATE_FR,
    INT,
    attr,
    child,
    flag,
    items,
    many,
    optional_many,
    read_document,
    text,
    write_document,
)

ROOT = "BEE_ELEVES"
VERSION = "3.0"
WRONG_ROOTS = {
    **other_exports(ROOT, "BEE_RESPONSABLES", "BEE_NOMENCLATURES", "BEE_STRUCTURES"),
    "STS_EDT": "Ce fichier est un export STS-web (STS_EDT), pas l'export des élèves de SIECLE.",
    "IMPORT_ELEVES": (
        "Ce fichier est un fichier de liens élèves-groupes (ELEGROUPE), pas l'export des élèves "
        "de SIECLE."
    ),
}
SANS_ADRESSES = "ElevesSansAdresses"
AVEC_ADRESSES = "ElevesAvecAdresses"


@record
class ScolariteAnDernier:
    """Where the pupil was last year (establishment, MEF, division)."""

    code_mef: str | None = text("CODE_MEF", optional=True)
    code_structure: str | None = text("CODE_STRUCTURE", optional=True)
    code_rne: str | None = text("CODE_RNE", optional=True)  # UAI of last year's school
    code_nature: str | None = text("CODE_NATURE", optional=True)
    sigle: str | None = text("SIGLE", optional=True)
    denom_princ: str | None = text("DENOM_PRINC", optional=True)
    denom_compl: str | None = text("DENOM_COMPL", optional=True)
    ligne1_adresse: str | None = text("LIGNE1_ADRESSE", optional=True)
    ligne2_adresse: str | None = text("LIGNE2_ADRESSE", optional=True)
    ligne3_adresse: str | None = text("LIGNE3_ADRESSE", optional=True)
    ligne4_adresse: str | None = text("LIGNE4_ADRESSE", optional=True)
    boite_postale: str | None = text("BOITE_POSTALE", optional=True)
    mel: str | None = text("MEL", optional=True)
    telephone: str | None = text("TELEPHONE", optional=True)
    code_commune_insee: str | None = text("CODE_COMMUNE_INSEE", optional=True)
    ll_commune_insee: str | None = text("LL_COMMUNE_INSEE", optional=True)


@record
class Eleve:
    eleve_id: int = attr("ELEVE_ID", INT)  # SIECLE's identifier, key of OPTIONS/STRUCTURES
    elenoet: str | None = attr("ELENOET", optional=True)
    id_national: str | None = text("ID_NATIONAL", optional=True)  # INE, 11 characters
    elenoet_texte: str | None = text("ELENOET", optional=True)  # some exports repeat it
    id_eleve_etab: str | None = text("ID_ELEVE_ETAB", optional=True)
    id_prv_ele: str | None = text("ID_PRV_ELE", optional=True)
    nom_de_famille: str = text("NOM_DE_FAMILLE")
    nom_usage: str | None = text("NOM_USAGE", optional=True)
    prenom: str = text("PRENOM")
    prenom2: str | None = text("PRENOM2", optional=True)
    prenom3: str | None = text("PRENOM3", optional=True)
    date_naiss: dt.date = text("DATE_NAISS", DATE_FR)
    doublement: str | None = text("DOUBLEMENT", optional=True)  # 0 | 1
    code_pays: str | None = text("CODE_PAYS", optional=True)  # 100 = France
    accepte_sms: str | None = text("ACCEPTE_SMS", optional=True)
    tel_personnel: str | None = text("TEL_PERSONNEL", optional=True)
    tel_portable: str | None = text("TEL_PORTABLE", optional=True)
    tel_professionnel: str | None = text("TEL_PROFESSIONNEL", optional=True)
    mel: str | None = text("MEL", optional=True)
    date_modification: dt.date | None = text("DATE_MODIFICATION", DATE_FR, optional=True)
    code_regime: str | None = text("CODE_REGIME", optional=True)
    date_entree: dt.date | None = text("DATE_ENTREE", DATE_FR, optional=True)
    date_sortie: dt.date | None = text("DATE_SORTIE", DATE_FR, optional=True)
    code_motif_sortie: str | None = text("CODE_MOTIF_SORTIE", optional=True)
    ville_naiss: str | None = text("VILLE_NAISS", optional=True)
    code_sexe: str | None = text("CODE_SEXE", optional=True)  # 1 masculin | 2 féminin
    code_pays_nat: str | None = text("CODE_PAYS_NAT", optional=True)
    code_statut: str | None = text("CODE_STATUT", optional=True)  # ST scolaire
    code_mef: str | None = text("CODE_MEF", optional=True)
    code_departement_naiss: str | None = text("CODE_DEPARTEMENT_NAISS", optional=True)
    code_commune_insee_naiss: str | None = text("CODE_COMMUNE_INSEE_NAISS", optional=True)
    adhesion_transport: str | None = text("ADHESION_TRANSPORT", optional=True)
    code_provenance: str | None = text("CODE_PROVENANCE", optional=True)
    adresse_id: str | None = text("ADRESSE_ID", optional=True)  # key of ADRESSES
    scolarite_an_dernier: ScolariteAnDernier | None = child(
        "SCOLARITE_AN_DERNIER", ScolariteAnDernier, optional=True
    )


@record
class OptionEleve:
    num_option: int = text("NUM_OPTION", INT)  # 1, 2, ...
    code_modalite_elect: str | None = text("CODE_MODALITE_ELECT", optional=True)  # O, F, S...
    code_matiere: str = text("CODE_MATIERE")  # 030602 ESPAGNOL LV2


@record
class Option:
    """The options of one pupil."""

    eleve_id: int = attr("ELEVE_ID", INT)
    elenoet: str | None = attr("ELENOET", optional=True)
    options_eleve: tuple[OptionEleve, ...] = items("OPTIONS_ELEVE", OptionEleve)


class TypeStructure:
    DIVISION = "D"
    GROUPE = "G"


@record
class Structure:
    code_structure: str = text("CODE_STRUCTURE")
    type_structure: str = text("TYPE_STRUCTURE")  # D division | G groupe


@record
class StructuresEleve:
    """The division and groups of one pupil."""

    eleve_id: int = attr("ELEVE_ID", INT)
    elenoet: str | None = attr("ELENOET", optional=True)
    structures: tuple[Structure, ...] = items("STRUCTURE", Structure)

    @property
    def division(self) -> str | None:
        return next(
            (
                s.code_structure
                for s in self.structures
                if s.type_structure == TypeStructure.DIVISION
            ),
            None,
        )

    @property
    def groupes(self) -> tuple[str, ...]:
        return tuple(
            s.code_structure for s in self.structures if s.type_structure == TypeStructure.GROUPE
        )


@record
class Donnees:
    eleves: tuple[Eleve, ...] = many("ELEVES", "ELEVE", Eleve)
    options: tuple[Option, ...] = many("OPTIONS", "OPTION", Option)
    structures: tuple[StructuresEleve, ...] = many(
        "STRUCTURES", "STRUCTURES_ELEVE", StructuresEleve
    )
    bourses: bool = flag("BOURSES", default=True)  # always empty in the files seen
    # None: no ADRESSES element (ElevesSansAdresses); () an empty one.
    adresses: tuple[Adresse, ...] | None = optional_many("ADRESSES", "ADRESSE", Adresse)


@record
class BeeEleves(Document):
    """A whole BEE_ELEVES file."""

    donnees: Donnees = child("DONNEES", Donnees)

    @property
    def uai(self) -> str:
        return self.parametres.uaj

    @property
    def annee(self) -> int:
        return self.parametres.annee_scolaire

    def options_by_eleve(self) -> dict[int, tuple[OptionEleve, ...]]:
        found: dict[int, tuple[OptionEleve, ...]] = {}
        for option in self.donnees.options:
            found[option.eleve_id] = found.get(option.eleve_id, ()) + option.options_eleve
        return found

    def structures_by_eleve(self) -> dict[int, tuple[Structure, ...]]:
        found: dict[int, tuple[Structure, ...]] = {}
        for entry in self.donnees.structures:
            found[entry.eleve_id] = found.get(entry.eleve_id, ()) + entry.structures
        return found


# --- Files ------------------------------------------------------------------------------------


def _name(avec_adresses: bool) -> str:
    return AVEC_ADRESSES if avec_adresses else SANS_ADRESSES


def filename(*, avec_adresses: bool) -> str:
    """ElevesAvecAdresses.xml or ElevesSansAdresses.xml, as SIECLE names them."""
    return bee_common.filename(_name(avec_adresses))


def zip_filename(*, avec_adresses: bool) -> str:
    """ExportXML_ElevesSansAdresses.zip: the archive SIECLE hands out."""
    return bee_common.zip_filename(_name(avec_adresses))


def write(doc: BeeEleves) -> bytes:
    return write_document(doc, ROOT)


def write_zip_file(doc: BeeEleves, *, avec_adresses: bool) -> tuple[str, bytes]:
    """(zip name, zip bytes) holding the single xml, as SIECLE delivers the export."""
    return bee_common.zip_file(_name(avec_adresses), write(doc))


def read(content: bytes) -> BeeEleves:
    """Read a BEE_ELEVES xml; FormatError (French message) when it is not one."""
    doc = read_document(content, BeeEleves, ROOT, WRONG_ROOTS)
    if doc.version.strip() != VERSION:
        raise FormatError(
            f"Version du fichier élèves non prise en charge : « {doc.version} » "
            f"(attendu {VERSION})."
        )
    return doc


def is_zip(content: bytes) -> bool:
    return content[:4] == b"PK\x03\x04"


def read_upload(name: str, content: bytes) -> BeeEleves:
    """The export as a user hands it over: the zip of SIECLE (one xml inside) or the xml."""
    if is_zip(content) or name.lower().endswith(".zip"):
        (member,) = read_zip(content, max_members=1)
        if not member.name.lower().endswith(".xml"):
            raise FormatError(
                f"L'archive contient « {member.name} » : un fichier XML d'export des élèves "
                "est attendu."
            )
        return read(member.content)
    return read(content)
