"""BEE_NOMENCLATURES: round trip, and the real samples read without error."""

from __future__ import annotations

import datetime as dt

import pytest

from entsim.formats import bee_nomenclatures as fmt
from entsim.formats.safe import read_zip


def sample_doc() -> fmt.BeeNomenclatures:
    return fmt.BeeNomenclatures(
        version=fmt.VERSION,
        parametres=fmt.Parametres(
            uaj="0131009B",
            annee_scolaire=2026,
            date_export=dt.date(2027, 6, 14),
            horodatage=dt.datetime(2027, 6, 14, 9, 30, 5),
        ),
        donnees=fmt.Donnees(
            mefs=(
                fmt.Mef(
                    code_mef="10110001110",
                    formation="5G",
                    libelle_long="5EME",
                    libelle_edition="5ème",
                    mef_rattachement="10110001110",
                    nb_opt_oblig="2",
                    date_ouverture=dt.date(1992, 9, 1),
                ),
            ),
            matieres=(
                fmt.Matiere(
                    code_matiere="020300",
                    code_gestion="LCALA",
                    libelle_court="LCA LATIN",
                    libelle_long="LANGUES ET CULTURES DE L'ANTIQUITE LATIN",
                    libelle_edition="Langues et cultures de l'Antiquité LATIN",
                ),
            ),
            programmes=(
                fmt.Programme(
                    code_mef="10110001110",
                    code_matiere="020300",
                    code_modalite_elect="F",
                    horaire="0.00",
                ),
            ),
            options_obligatoires=(),
        ),
    )


def test_round_trip_and_zip():
    doc = sample_doc()
    content = fmt.write(doc)
    assert content.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>')
    assert b'<BEE_NOMENCLATURES VERSION="3.1">' in content
    assert fmt.read(content) == doc
    name, zipped = fmt.write_zip_file(doc)
    (member,) = read_zip(zipped)
    assert (name, member.name) == ("ExportXML_Nomenclature.zip", "Nomenclature.xml")


@pytest.mark.parametrize("sample", ["nomenclature_simple.xml", "nomenclature_tout_niveau.xml"])
def test_real_samples_are_read(reference_dir, sample):
    doc = fmt.read((reference_dir / "samples/siecle" / sample).read_bytes())
    assert doc.version == "3.1" and doc.parametres.uaj == "0140070A"
    assert doc.donnees.mefs
    assert doc.donnees.mefs[0].libelle_edition.endswith("me")
    assert fmt.read(fmt.write(doc)) == doc
