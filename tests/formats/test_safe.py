"""Hostile XML and zips are refused with a French message."""

from __future__ import annotations

import io
import zipfile

import pytest

from entsim.formats.safe import FormatError, ZipMember, parse_xml, read_zip, write_zip

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<lolz>&lol3;</lolz>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>"""


def test_plain_iso_8859_15_xml_is_read():
    root = parse_xml('<?xml version="1.0" encoding="ISO-8859-15"?><A>é€</A>'.encode("iso-8859-15"))
    assert root.tag == "A" and root.text == "é€"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (BILLION_LAUGHS, "entités"),
        (XXE, "entités"),
        (b"<A><B></A>", "mal formé"),
        (b"", "vide"),
        (b"   ", "vide"),
    ],
)
def test_hostile_xml_is_refused(content, message):
    with pytest.raises(FormatError, match=message):
        parse_xml(content)


def test_xxe_never_reads_the_file():
    with pytest.raises(FormatError) as refused:
        parse_xml(XXE)
    assert "root:" not in refused.value.message


def test_oversized_xml_is_refused_before_parsing():
    with pytest.raises(FormatError, match="trop volumineux"):
        parse_xml(b"<A>" + b"x" * 2000 + b"</A>", max_bytes=1000)


def test_zip_round_trip():
    data = write_zip([ZipMember("a.xml", b"<A/>")])
    assert read_zip(data) == [ZipMember("a.xml", b"<A/>")]
    assert write_zip([ZipMember("a.xml", b"<A/>")]) == data  # reproducible bytes


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a zip", "pas une archive zip"),
        (make_zip({"a.xml": b"<A/>", "b.xml": b"<B/>"}), "2 fichiers"),
        (make_zip({"../../etc/evil.xml": b"<A/>"}), "dangereux"),
        (make_zip({"/abs.xml": b"<A/>"}), "dangereux"),
        (make_zip({"bomb.xml": b"\0" * 5_000_000}), "anormalement compressé"),
    ],
)
def test_hostile_zips_are_refused(content, message):
    with pytest.raises(FormatError, match=message):
        read_zip(content)


def test_zip_member_larger_than_allowed():
    with pytest.raises(FormatError, match="trop volumineux"):
        read_zip(make_zip({"a.xml": bytes(range(256)) * 100}), max_bytes=1000)


def test_too_large_message_never_shows_the_size_equal_to_the_maximum():
    from entsim.formats.safe import too_large_message

    mib = 1_048_576
    assert too_large_message(20 * mib + 1, 20 * mib) == (
        "Fichier trop volumineux : 20,1 Mo (maximum 20 Mo)."
    )
    assert (
        too_large_message(50 * mib, 20 * mib) == "Fichier trop volumineux : 50 Mo (maximum 20 Mo)."
    )
