"""Synthetic académie generator: the world's truth, reproducible from a seed.

- `generate_academie(seed=, size=, neighbours=None)`: pure, returns an `Academie` of frozen
  dataclasses (see `types`), equal for equal arguments.
- `academie_persist(world=, academie=)`: writes it into the world's truth tables (bulk).
- `world_truth_dump(world=)`: canonical JSON of a world's truth, without database ids.
"""

from .build import CLOCK_START, CURRENT_YEAR, NEXT_YEAR, SIZES, generate_academie
from .dump import world_truth_dump
from .persist import academie_persist
from .types import Academie

__all__ = [
    "CLOCK_START",
    "CURRENT_YEAR",
    "NEXT_YEAR",
    "SIZES",
    "Academie",
    "academie_persist",
    "generate_academie",
    "world_truth_dump",
]
