"""Reading untrusted files: XML without entities or network, zips without bombs or traversal.

Every reader of an uploaded or exchanged file goes through here. Errors are `FormatError`
with a French message that names the problem, ready to show to the user.
"""

from __future__ import annotations

import io
import math
import zipfile
from dataclasses import dataclass

from lxml import etree

# The largest file any real system of the chain sends (a full ELEGROUPE or BEE export is a few
# MB; an AAF chunk of 10,000 requests about 20 MB).
MAX_XML_BYTES = 50 * 1024 * 1024
MAX_ZIP_RATIO = 200  # uncompressed / compressed, beyond which a member is a bomb


class FormatError(ValueError):
    """A file that cannot be read as its format; the message is in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def xml_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=False,
    )


def _megabytes(size: int, *, up: bool) -> str:
    """Size in Mo with a decimal comma, one decimal at most (rounded up for a file's size)."""
    tenths = size * 10 / 1_048_576
    tenths = math.ceil(tenths) if up else math.floor(tenths)
    return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths // 10},{tenths % 10}"


def too_large_message(size: int, limit: int) -> str:
    """The refusal of a file over the limit; its size never reads as equal to the maximum."""
    return (
        f"Fichier trop volumineux : {_megabytes(size, up=True)} Mo "
        f"(maximum {_megabytes(limit, up=False)} Mo)."
    )


def parse_xml(content: bytes, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Parse bytes as XML (encoding from the declaration); refuse entities and DTD tricks."""
    if len(content) > max_bytes:
        raise FormatError(too_large_message(len(content), max_bytes))
    if not content.strip():
        raise FormatError("Le fichier est vide.")
    try:
        root = etree.fromstring(content, parser=xml_parser())
    except etree.XMLSyntaxError as error:
        raise FormatError(f"Fichier XML mal formé : {_describe(error)}.") from error
    except ValueError as error:  # e.g. an unsupported encoding declaration
        raise FormatError(f"Fichier XML illisible : {error}.") from error
    if root is None:
        raise FormatError("Le fichier ne contient pas de document XML.")
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None and tree.docinfo.internalDTD.entities():
        raise FormatError("Le fichier déclare des entités XML : refusé par sécurité.")
    return root


def _describe(error: etree.XMLSyntaxError) -> str:
    message = error.msg or "erreur de syntaxe"
    line = getattr(error, "lineno", None)
    return f"{message} (ligne {line})" if line else message


@dataclass(frozen=True)
class ZipMember:
    name: str
    content: bytes


def read_zip(
    content: bytes, *, max_members: int = 1, max_bytes: int = MAX_XML_BYTES
) -> list[ZipMember]:
    """The members of a zip, refused if it has too many, unsafe names, or inflates too much."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as error:
        raise FormatError("Le fichier n'est pas une archive zip valide.") from error
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if not infos:
            raise FormatError("L'archive zip est vide.")
        if len(infos) > max_members:
            raise FormatError(
                f"L'archive contient {len(infos)} fichiers ; "
                f"{'un seul est attendu' if max_members == 1 else f'au plus {max_members}'}."
            )
        members = []
        for info in infos:
            name = info.filename
            if name.startswith(("/", "\\")) or ".." in name.replace("\\", "/").split("/"):
                raise FormatError(f"Nom de fichier dangereux dans l'archive : « {name} ».")
            if info.flag_bits & 0x1:
                raise FormatError("L'archive est chiffrée : impossible de la lire.")
            if info.file_size > max_bytes:
                raise FormatError(
                    f"« {name} » est trop volumineux une fois décompressé "
                    f"({info.file_size / 1_048_576:.0f} Mo)."
                )
            if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO:
                raise FormatError(f"« {name} » est anormalement compressé : archive refusée.")
            members.append(ZipMember(name=name, content=_read_capped(archive, info, max_bytes)))
        return members


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int) -> bytes:
    """Read at most max_bytes, whatever the header claims (headers can lie)."""
    try:
        with archive.open(info) as handle:
            data = handle.read(max_bytes + 1)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise FormatError(f"« {info.filename} » est endommagé dans l'archive.") from error
    if len(data) > max_bytes:
        raise FormatError(f"« {info.filename} » est trop volumineux une fois décompressé.")
    return data


def write_zip(members: list[ZipMember]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, member.content)
    return buffer.getvalue()
