"""T7 The pipeline page: the guide's "récapitulatif des échanges" drawn for one world.

One box per system, one arrow per exchange kind the systems registered (source → target),
coloured by the state of the last file of that kind in the world, with its simulated date;
plus the AAF's nightly reading of STS-web and SIECLE (not a file: the AAF reads the national
bases), coloured by its last extraction. Computed here, drawn as inline SVG by the template.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import aaf.selectors as aaf_selectors
from entsim import registry
from entsim import selectors as entsim_selectors
from entsim.models import Exchange, World

from .trace import when

NONE = "aucun"
EXTRACTION = "extraction"
COLOURS = {
    Exchange.State.PROCESSED: "#18753c",
    Exchange.State.DEPOSITED: "#0063cb",
    Exchange.State.PENDING: "#b34000",
    Exchange.State.REJECTED: "#ce0500",
    NONE: "#929292",
}
STATE_LABELS = {**dict(Exchange.State.choices), NONE: "Aucun fichier pour l'instant"}

WIDTH, HEIGHT = 980, 560
BOX_W, BOX_H = 230, 60
# Centres of the boxes: the chain reads left to right, the timetable software below STS-web.
PLACES = {
    "sts": (140, 90),
    "edt": (140, 440),
    "siecle": (490, 265),
    "aaf": (840, 90),
    "ent": (840, 440),
    "entsim": (490, 490),
}
SPACING = 12  # between parallel arrows of the same two systems


@dataclass(frozen=True)
class Box:
    system: str
    title: str
    x: float
    y: float
    w: float = BOX_W
    h: float = BOX_H

    @property
    def text_x(self) -> float:
        return self.x + self.w / 2

    @property
    def text_y(self) -> float:
        return self.y + self.h / 2 + 5


@dataclass(frozen=True)
class Arrow:
    number: int
    kind: str
    label: str
    source: str
    target: str
    state: str
    filename: str
    at: dt.datetime | None
    x1: float
    y1: float
    x2: float
    y2: float
    is_file: bool = True
    at_fraction: float = 0.5  # where the number sits along the arrow (staggered when parallel)

    @property
    def colour(self) -> str:
        return COLOURS[self.state]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]

    @property
    def marker(self) -> str:
        return f"fleche-{self.state}"

    @property
    def dashed(self) -> bool:
        return self.state == NONE or not self.is_file

    @property
    def mid_x(self) -> float:
        return round(self.x1 + (self.x2 - self.x1) * self.at_fraction, 1)

    @property
    def mid_y(self) -> float:
        return round(self.y1 + (self.y2 - self.y1) * self.at_fraction, 1)

    @property
    def when(self) -> str:
        return when(self.at) if self.at else "—"

    @property
    def source_title(self) -> str:
        return registry.SYSTEMS[self.source]

    @property
    def target_title(self) -> str:
        return registry.SYSTEMS[self.target]


@dataclass(frozen=True)
class Pipeline:
    boxes: list[Box]
    arrows: list[Arrow]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def legend(self) -> list[tuple[str, str, str]]:
        """(state, French label, colour) in the order of the chain's life."""
        order = (
            NONE,
            Exchange.State.DEPOSITED,
            Exchange.State.PENDING,
            Exchange.State.PROCESSED,
            Exchange.State.REJECTED,
        )
        return [(state, STATE_LABELS[state], COLOURS[state]) for state in order]

    @property
    def markers(self) -> list[tuple[str, str]]:
        return [(f"fleche-{state}", colour) for state, colour in COLOURS.items()]


def _exit(px: float, py: float, centre: tuple[float, float], dx: float, dy: float) -> float:
    """How far from (px, py), inside the box around `centre`, along (dx, dy) of length 1,
    the box's border (plus a margin) is."""
    half_w, half_h = BOX_W / 2 + 4, BOX_H / 2 + 4
    limits = []
    if dx:
        limits.append((half_w - math.copysign(1, dx) * (px - centre[0])) / abs(dx))
    if dy:
        limits.append((half_h - math.copysign(1, dy) * (py - centre[1])) / abs(dy))
    return min(limits)


def _segment(source: str, target: str, offset: float) -> tuple[float, float, float, float]:
    (ax, ay), (bx, by) = PLACES[source], PLACES[target]
    length = math.hypot(bx - ax, by - ay)
    dx, dy = (bx - ax) / length, (by - ay) / length
    # Offsets are taken from the pair in a fixed order, so that A→B and B→A do not overlap.
    sign = 1 if source < target else -1
    nx, ny = -dy * offset * sign, dx * offset * sign
    start = _exit(ax + nx, ay + ny, (ax, ay), dx, dy)
    end = _exit(bx + nx, by + ny, (bx, by), -dx, -dy)
    return (
        round(ax + nx + dx * start, 1),
        round(ay + ny + dy * start, 1),
        round(bx + nx - dx * end, 1),
        round(by + ny - dy * end, 1),
    )


def pipeline_compute(*, world: World) -> Pipeline:
    kinds = sorted(
        (
            k
            for k in registry.exchange_kinds().values()
            if k.source in PLACES and k.target in PLACES
        ),
        key=lambda k: (list(PLACES).index(k.source), list(PLACES).index(k.target), k.kind),
    )
    exchanges = entsim_selectors.exchanges_for(world=world)
    rows: list[tuple] = []
    for kind in kinds:
        last = exchanges.filter(kind=kind.kind).first()
        rows.append(
            (
                kind.kind,
                kind.label,
                kind.source,
                kind.target,
                last.state if last else NONE,
                last.filename if last else "",
                last.deposited_at if last else None,
                True,
            )
        )
    run = aaf_selectors.runs(world=world).first()
    for source, what in (
        ("sts", "personnels et services exportés"),
        ("siecle", "élèves scolarisés et responsables"),
    ):
        rows.append(
            (
                f"{EXTRACTION}-{source}",
                f"AAF : extraction nocturne (20 h) de {registry.SYSTEMS[source]} ({what})",
                source,
                "aaf",
                Exchange.State.PROCESSED if run else NONE,
                f"lecture de la base, extraction {run.kind}" if run else "",
                run.at if run else None,
                False,
            )
        )
    pairs: dict[frozenset, list[int]] = {}
    for index, row in enumerate(rows):
        pairs.setdefault(frozenset(row[2:4]), []).append(index)
    arrows = []
    for index, (kind, label, source, target, state, filename, at, is_file) in enumerate(rows):
        group = pairs[frozenset((source, target))]
        rank = group.index(index) - (len(group) - 1) / 2
        x1, y1, x2, y2 = _segment(source, target, rank * SPACING)
        arrows.append(
            Arrow(
                number=index + 1,
                kind=kind,
                label=label,
                source=source,
                target=target,
                state=state,
                filename=filename,
                at=at,
                x1=x1,
                y1=y1,
                x2=x2,
                y2=y2,
                is_file=is_file,
                # Numbers of parallel arrows are staggered along them, so they do not overlap.
                at_fraction=0.5 + rank * 0.14 * (1 if source < target else -1),
            )
        )
    used = {"sts", "edt", "siecle", "aaf", "ent"} | {a.target for a in arrows}
    boxes = [
        Box(system, registry.SYSTEMS[system], x - BOX_W / 2, y - BOX_H / 2)
        for system, (x, y) in PLACES.items()
        if system in used
    ]
    return Pipeline(boxes=boxes, arrows=arrows)
