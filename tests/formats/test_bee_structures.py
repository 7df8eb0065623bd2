"""BEE_STRUCTURES: round trip and layout."""

from __future__ import annotations

import datetime as dt

import pytest

from entsim.formats import bee_structures as fmt
from entsim.formats.safe import FormatError, read_zip


def sample_doc() -> fmt.BeeStructures:
    return fmt.BeeStructures(
        version=fmt.VERSION,
        parametres=fmt.Parametres(
            uaj="0131009B",
            annee_scolaire=2026,
            date_export=dt.date(2027, 6, 14),
            horodatage=dt.datetime(2027, 6, 14, 9, 30, 5),
        ),
        donnees=fmt.Donnees(
            divisions=(
                fmt.Division(
                    code_structure="6 B",
                    libelle_long="6EME B",
                    mefs_appartenance=(fmt.MefAppartenance(code_mef="10010012110"),),
                ),
            ),
            groupes=(
                fmt.Groupe(
                    code_structure="6ESP2",
                    libelle_long="6 ESPAGNOL",
                    divisions_appartenance=(fmt.DivisionAppartenance(code_structure="6 B"),),
                    mefs_appartenance=(fmt.MefAppartenance(code_mef="10010012110"),),
                ),
            ),
        ),
    )


def test_round_trip_layout_and_zip():
    doc = sample_doc()
    content = fmt.write(doc)
    lines = content.decode("iso-8859-15").splitlines()
    assert lines[0] == '<?xml version="1.0" encoding="ISO-8859-15"?>'
    assert lines[1] == '<BEE_STRUCTURES VERSION="2.0">'
    assert "<CODE_STRUCTURE>6 B</CODE_STRUCTURE>" in content.decode("iso-8859-15")
    assert fmt.read(content) == doc
    name, zipped = fmt.write_zip_file(doc)
    (member,) = read_zip(zipped)
    assert (name, member.name) == ("ExportXML_Structures.zip", "Structures.xml")


def test_wrong_root_is_refused_in_french():
    with pytest.raises(FormatError, match="STS-web"):
        fmt.read(b'<?xml version="1.0"?><STS_EDT/>')
