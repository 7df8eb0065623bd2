"""Server-drawn SVG pie chart (no JavaScript, no external library)."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    label: str
    value: int
    css_class: str  # the colour, from the stylesheet (no inline style: CSP)
    percent: float
    path: str  # SVG path in a viewBox of -1 -1 2 2; "" for a full disc
    full: bool


def _point(angle: float) -> tuple[float, float]:
    return round(math.cos(angle), 5), round(math.sin(angle), 5)


def camembert(values: list[tuple[str, int, str]]) -> list[Part]:
    """Slices from the top, clockwise. `values`: (label, count, CSS class); empty ones skipped."""
    total = sum(value for _, value, _ in values)
    parts: list[Part] = []
    if total <= 0:
        return parts
    angle = -math.pi / 2
    for label, value, css_class in values:
        if value <= 0:
            continue
        share = value / total
        percent = round(share * 100, 1)
        if share >= 1:
            parts.append(Part(label, value, css_class, percent, "", True))
            continue
        end = angle + share * 2 * math.pi
        x0, y0 = _point(angle)
        x1, y1 = _point(end)
        large = 1 if share > 0.5 else 0
        path = f"M 0 0 L {x0} {y0} A 1 1 0 {large} 1 {x1} {y1} Z"
        parts.append(Part(label, value, css_class, percent, path, False))
        angle = end
    return parts
