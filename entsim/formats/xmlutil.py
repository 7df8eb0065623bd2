"""Shared tools for the XML formats: typed values, element helpers and record bindings.

A format module declares frozen dataclasses whose fields say where they live in the XML
(`attr`, `text`, `child`, `many`, `values`, `flag`); `read_record` and `write_record` then
walk those declarations, so reading and writing stay symmetric by construction. Field order is
element order. A field whose default is None is optional: omitted when None, None when absent.
Strings are stripped on read (real files pad values with newlines); an empty element is "".

Low-level helpers (`child_text`, `opt_text`, `add_text`, `fit_text`, `serialize`,
`parse_document`) are usable on their own by formats that do not fit the bindings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from lxml import etree

from entsim.formats.safe import FormatError, parse_xml

ISO_8859_15 = "ISO-8859-15"
INDENT = "    "

R = TypeVar("R")

# --- Messages ---------------------------------------------------------------------------------


def _line(node: etree._Element) -> str:
    line = getattr(node, "sourceline", None)
    return f" (ligne {line})" if line else ""


def missing_element(name: str, parent: etree._Element) -> FormatError:
    return FormatError(f"Élément {name} manquant dans {parent.tag}{_line(parent)}.")


def missing_attribute(name: str, node: etree._Element) -> FormatError:
    return FormatError(f"Attribut {name} manquant sur {node.tag}{_line(node)}.")


def unreadable(label: str, raw: str, node: etree._Element) -> FormatError:
    return FormatError(f"Valeur illisible pour {label} : « {raw} »{_line(node)}.")


# --- Typed values -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """How a value is read from (parse, raising ValueError) and written to XML text."""

    parse: Callable[[str], Any]
    format: Callable[[Any], str]


def _matching(pattern: str, convert: Callable[[str], Any]) -> Callable[[str], Any]:
    compiled = re.compile(pattern)

    def parse(raw: str) -> Any:
        if not compiled.fullmatch(raw):
            raise ValueError(raw)
        return convert(raw)

    return parse


def _parse_bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered not in ("true", "false"):
        raise ValueError(raw)
    return lowered == "true"


def _parse_clock(raw: str) -> dt.time:
    if not re.fullmatch(r"\d{4}", raw):
        raise ValueError(raw)
    return dt.time(int(raw[:2]), int(raw[2:]))


def _parse_duration(raw: str) -> dt.timedelta:
    if not re.fullmatch(r"\d{4}", raw) or int(raw[2:]) >= 60:
        raise ValueError(raw)
    return dt.timedelta(hours=int(raw[:2]), minutes=int(raw[2:]))


def _format_duration(value: dt.timedelta) -> str:
    hours, minutes = divmod(int(value.total_seconds()) // 60, 60)
    return f"{hours:02d}{minutes:02d}"


_NUMBER = r"-?\d+(\.\d+)?"

STR = Kind(parse=lambda raw: raw, format=str)
INT = Kind(parse=_matching(r"-?\d+", int), format=str)
DECIMAL = Kind(parse=_matching(_NUMBER, Decimal), format=lambda value: format(value, "f"))
HOURS = Kind(parse=_matching(_NUMBER, Decimal), format=lambda value: f"{value:.2f}")  # "18.00"
BOOL = Kind(parse=_parse_bool, format=lambda value: "true" if value else "false")
DATE_ISO = Kind(  # AAAA-MM-JJ
    parse=_matching(r"\d{4}-\d{2}-\d{2}", dt.date.fromisoformat), format=dt.date.isoformat
)
CLOCK = Kind(parse=_parse_clock, format=lambda value: value.strftime("%H%M"))  # "0830"
DURATION = Kind(parse=_parse_duration, format=_format_duration)  # "0100" = 1 h
YEAR = Kind(parse=_matching(r"\d{4}", int), format=str)
UAI = Kind(parse=_matching(r"[0-9]{7}[A-Z]", str), format=str)  # 0771991W


def _parse_date_fr(raw: str) -> dt.date:
    if not re.fullmatch(r"\d{2}/\d{2}/\d{4}", raw):
        raise ValueError(raw)
    return dt.datetime.strptime(raw, "%d/%m/%Y").date()


def _parse_datetime_fr(raw: str) -> dt.datetime:
    if not re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}:\d{2}", raw):
        raise ValueError(raw)
    return dt.datetime.strptime(raw, "%d/%m/%Y %H:%M:%S")


def _format_date_fr(value: dt.date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _format_datetime_fr(value: dt.datetime) -> str:
    return f"{_format_date_fr(value)} {value:%H:%M:%S}"


DATE_FR = Kind(parse=_parse_date_fr, format=_format_date_fr)  # JJ/MM/AAAA (SIECLE)
DATETIME_FR = Kind(parse=_parse_datetime_fr, format=_format_datetime_fr)  # JJ/MM/AAAA HH:MM:SS


def parse_value(kind: Kind, raw: str, label: str, node: etree._Element) -> Any:
    try:
        return kind.parse(raw)
    except ValueError as error:
        raise unreadable(label, raw, node) from error


# --- Reading helpers --------------------------------------------------------------------------


def element_text(node: etree._Element) -> str:
    return "".join(node.itertext()).strip()


def require_child(parent: etree._Element, name: str) -> etree._Element:
    node = parent.find(name)
    if node is None:
        raise missing_element(name, parent)
    return node


def child_text(parent: etree._Element, name: str) -> str:
    """The stripped text of a required child element."""
    return element_text(require_child(parent, name))


def opt_text(parent: etree._Element, name: str) -> str | None:
    """The stripped text of an optional child element; None when it is absent."""
    node = parent.find(name)
    return None if node is None else element_text(node)


def parse_document(content: bytes, root: str, wrong_roots: dict[str, str]) -> etree._Element:
    """Parse safely and check the root; `wrong_roots` maps known other roots to a message."""
    node = parse_xml(content)
    tag = etree.QName(node).localname
    if tag in wrong_roots:
        raise FormatError(wrong_roots[tag])
    if tag != root:
        raise FormatError(f"Racine XML inattendue : « {tag} » (attendu {root}).")
    return node


# --- Writing helpers --------------------------------------------------------------------------

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: str) -> str:
    """Replace the characters XML 1.0 cannot hold by '?'."""
    return _XML_ILLEGAL.sub("?", value)


def fit_text(value: str, encoding: str = ISO_8859_15) -> str:
    """Replace what the encoding (or XML) cannot hold by '?', as the real exports do."""
    return xml_safe(value).encode(encoding, errors="replace").decode(encoding)


def add_element(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, name)


def set_attribute(node: etree._Element, name: str, value: str | None) -> None:
    if value is not None:
        node.set(name, xml_safe(value))


def add_text(parent: etree._Element, name: str, value: str | None) -> etree._Element | None:
    """A child element holding `value`; nothing when None, an empty element when ""."""
    if value is None:
        return None
    node = etree.SubElement(parent, name)
    node.text = xml_safe(value) or None
    return node


def _fit_tree(root: etree._Element, encoding: str) -> None:
    for node in root.iter(tag=etree.Element):
        if node.text:
            node.text = fit_text(node.text, encoding)
        for name, value in node.attrib.items():
            node.set(name, fit_text(value, encoding))


def serialize(root: etree._Element, encoding: str = ISO_8859_15) -> bytes:
    """Declaration on line 1, then one element per line, values inline, indented.

    Characters the encoding cannot hold become '?' (not character references).
    """
    _fit_tree(root, encoding)
    etree.indent(root, space=INDENT)
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n'.encode("ascii")
    return declaration + etree.tostring(root, encoding=encoding, xml_declaration=False) + b"\n"


# --- Bindings ---------------------------------------------------------------------------------

XML_KEY = "xml"


@dataclass(frozen=True)
class Attr:
    name: str
    kind: Kind

    def read(self, node: etree._Element, optional: bool) -> Any:
        raw = node.get(self.name)
        if raw is None:
            if optional:
                return None
            raise missing_attribute(self.name, node)
        label = f"l'attribut {self.name} de {node.tag}"
        return parse_value(self.kind, raw.strip(), label, node)

    def write(self, node: etree._Element, value: Any) -> None:
        if value is not None:
            set_attribute(node, self.name, self.kind.format(value))


@dataclass(frozen=True)
class Text:
    name: str
    kind: Kind

    def read(self, node: etree._Element, optional: bool) -> Any:
        found = node.find(self.name)
        if found is None:
            if optional:
                return None
            raise missing_element(self.name, node)
        raw = element_text(found)
        if optional and not raw and self.kind is not STR:
            return None
        return parse_value(self.kind, raw, self.name, found)

    def write(self, node: etree._Element, value: Any) -> None:
        if value is not None:
            add_text(node, self.name, self.kind.format(value))


@dataclass(frozen=True)
class Child:
    name: str
    record: type

    def read(self, node: etree._Element, optional: bool) -> Any:
        found = node.find(self.name)
        if found is None:
            if optional:
                return None
            raise missing_element(self.name, node)
        return read_record(self.record, found)

    def write(self, node: etree._Element, value: Any) -> None:
        if value is not None:
            write_record(node, self.name, value)


@dataclass(frozen=True)
class Many:
    """wrapper/item* as a tuple: of records when `record` is set, else of `kind` values.

    `wrapper` None: the items sit directly under the record's own element. `nullable`: an
    absent wrapper reads as None and None writes nothing (a present empty wrapper is ()).
    """

    wrapper: str | None
    item: str
    record: type | None
    kind: Kind
    keep_empty: bool
    nullable: bool = False

    def read(self, node: etree._Element, optional: bool) -> tuple[Any, ...] | None:
        wrapper = node if self.wrapper is None else node.find(self.wrapper)
        if wrapper is None:
            return None if self.nullable else ()
        return tuple(self._read_item(item) for item in wrapper.iterchildren(self.item))

    def _read_item(self, item: etree._Element) -> Any:
        if self.record is not None:
            return read_record(self.record, item)
        return parse_value(self.kind, element_text(item), self.item, item)

    def write(self, node: etree._Element, value: tuple[Any, ...] | None) -> None:
        if value is None or (not value and not self.keep_empty and not self.nullable):
            return
        wrapper = node if self.wrapper is None else add_element(node, self.wrapper)
        for item in value:
            if self.record is not None:
                write_record(wrapper, self.item, item)
            else:
                add_text(wrapper, self.item, self.kind.format(item))


@dataclass(frozen=True)
class Flag:
    """An element whose only meaning is its presence (written empty)."""

    name: str

    def read(self, node: etree._Element, optional: bool) -> bool:
        return node.find(self.name) is not None

    def write(self, node: etree._Element, value: bool) -> None:
        if value:
            add_element(node, self.name)


def _field(binding: Any, optional: bool = False, **extra: Any) -> Any:
    if optional:
        extra["default"] = None
    return dataclasses.field(metadata={XML_KEY: binding}, **extra)


def attr(name: str, kind: Kind = STR, *, optional: bool = False) -> Any:
    """An attribute of the record's element."""
    return _field(Attr(name, kind), optional)


def text(name: str, kind: Kind = STR, *, optional: bool = False) -> Any:
    """A child element holding a value."""
    return _field(Text(name, kind), optional)


def child(name: str, record: type, *, optional: bool = False) -> Any:
    """A child element holding a nested record."""
    return _field(Child(name, record), optional)


def many(wrapper: str, item: str, record: type, *, keep_empty: bool = True) -> Any:
    """wrapper/item* records; the empty wrapper is written unless keep_empty is False."""
    return _field(Many(wrapper, item, record, STR, keep_empty), default=())


def optional_many(wrapper: str, item: str, record: type) -> Any:
    """wrapper/item* records, or None when the wrapper is absent (kept apart from empty)."""
    return _field(Many(wrapper, item, record, STR, True, nullable=True), optional=True)


def items(item: str, record: type) -> Any:
    """item* records directly under the record's own element (no wrapper)."""
    return _field(Many(None, item, record, STR, True), default=())


def values(wrapper: str, item: str, kind: Kind = STR, *, keep_empty: bool = True) -> Any:
    """wrapper/item* values."""
    return _field(Many(wrapper, item, None, kind, keep_empty), default=())


def flag(name: str, *, default: bool = False) -> Any:
    """An empty element kept for fidelity; True when present."""
    return _field(Flag(name), default=default)


def _bindings(record: type) -> list[tuple[dataclasses.Field, Any]]:
    return [(field, field.metadata[XML_KEY]) for field in dataclasses.fields(record)]


def read_record(record: type[R], node: etree._Element) -> R:
    """Build `record` from `node` following its field bindings (every field must be bound)."""
    kwargs = {
        field.name: binding.read(node, field.default is None)
        for field, binding in _bindings(record)
    }
    return record(**kwargs)


def write_record(parent: etree._Element | None, name: str, value: Any) -> etree._Element:
    """Write `value` as element `name` (under `parent`, or as a root when parent is None)."""
    node = etree.Element(name) if parent is None else add_element(parent, name)
    bindings = _bindings(type(value))
    for field, binding in bindings:  # attributes first, whatever the field order
        if isinstance(binding, Attr):
            binding.write(node, getattr(value, field.name))
    for field, binding in bindings:
        if not isinstance(binding, Attr):
            binding.write(node, getattr(value, field.name))
    return node


def read_document(content: bytes, record: type[R], root: str, wrong_roots: dict[str, str]) -> R:
    """A whole file as `record`: parsed safely, root checked, then bound."""
    return read_record(record, parse_document(content, root, wrong_roots))


def write_document(value: Any, root: str, encoding: str = ISO_8859_15) -> bytes:
    """A whole file: `value` as the root element `root`, serialized."""
    return serialize(write_record(None, root, value), encoding)
