"""BEE_RESPONSABLES: round trip, and the real sample read without error."""

from __future__ import annotations

import datetime as dt

import pytest

from entsim.formats import bee_responsables as fmt
from entsim.formats.safe import FormatError, read_zip


def sample_doc() -> fmt.BeeResponsables:
    return fmt.BeeResponsables(
        version=fmt.VERSION,
        parametres=fmt.Parametres(
            uaj="0131009B",
            annee_scolaire=2026,
            date_export=dt.date(2027, 6, 14),
            horodatage=dt.datetime(2027, 6, 14, 9, 30, 5),
        ),
        donnees=fmt.Donnees(
            personnes=(
                fmt.Personne(
                    personne_id=7,
                    lc_civilite="MME",
                    ll_civilite="MADAME",
                    nom_de_famille="LOVELACE",
                    prenom="Adèle",
                    tel_portable="+33612345678",
                    mel="ada@example.fr",
                    adresse_id="9",
                    code_profession="75",
                ),
            ),
            responsables=(
                fmt.ResponsableEleve(
                    eleve_id=610305,
                    personne_id=7,
                    niveau_responsabilite="1",
                    code_parente="10",
                    paie_frais_scolaires="1",
                    a_contacter_en_priorite="true",
                ),
            ),
            adresses=(
                fmt.Adresse(
                    adresse_id="9",
                    ligne1_adresse="18 RUE DES HOMMETS",
                    code_postal="14270",
                    code_pays="100",
                    code_commune_insee="14431",
                    libelle_postal="MÉZIDON",
                ),
            ),
        ),
    )


def test_round_trip_and_zip():
    doc = sample_doc()
    content = fmt.write(doc)
    assert content.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>')
    assert b'<BEE_RESPONSABLES VERSION="2.1">' in content
    assert fmt.read(content) == doc
    name, zipped = fmt.write_zip_file(doc)
    (member,) = read_zip(zipped)
    assert (name, member.name) == (
        "ExportXML_ResponsablesAvecAdresses.zip",
        "ResponsablesAvecAdresses.xml",
    )


def test_real_sample_is_read(reference_dir):
    content = (reference_dir / "samples/siecle/responsables_avec_adresses_simple.xml").read_bytes()
    doc = fmt.read(content)
    assert doc.version == "2.1" and doc.parametres.uaj == "0140070A"
    assert len(doc.donnees.personnes) == 3 and doc.donnees.adresses[0].adresse_id == "189317"
    assert {r.eleve_id for r in doc.donnees.responsables} >= {610305, 610308}


def test_wrong_root_is_refused_in_french():
    with pytest.raises(FormatError, match="export des élèves"):
        fmt.read(b'<?xml version="1.0"?><BEE_ELEVES VERSION="3.0"/>')
