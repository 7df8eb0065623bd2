"""One reading of a world for one checklist: each fact read once, when a check first asks."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from entsim.models import World
from entsim.timeline import local

from . import truth


class Facts:
    def __init__(self, world: World) -> None:
        self.world = world

    @cached_property
    def now(self) -> dt.datetime:
        return self.world.now()

    @cached_property
    def today(self) -> dt.date:
        return local(self.now).date()

    @cached_property
    def uai(self) -> str:
        return self.world.home.uai if self.world.home_id else ""

    @cached_property
    def annee(self) -> int:
        """The school year the scenario works in: the one it prepares (2027-2028 in a generated
        world), or the one in progress when the world opened."""
        from ..scenarios import scenario_get

        prepared = truth.prepared_year(self.world)
        return prepared if scenario_get(self.world.scenario).year == "preparation" else prepared - 1

    @cached_property
    def rentree(self) -> dt.date:
        if self.annee == truth.prepared_year(self.world):
            return truth.rentree_day(self.world, self.annee)
        return dt.date(self.annee, 9, 1)

    @cached_property
    def truth_divisions(self) -> dict[str, tuple[str, str]]:
        return truth.divisions(self.world, self.annee)

    @cached_property
    def truth_groups(self) -> dict[str, truth.TruthGroup]:
        return truth.groups(self.world, self.annee)

    @cached_property
    def truth_pupils_rentree(self) -> dict[int, truth.TruthPupil]:
        """The pupils of the home establishment on the day of the rentrée."""
        return truth.pupils(self.world, self.annee, self.rentree)

    @cached_property
    def truth_pupils_today(self) -> dict[int, truth.TruthPupil]:
        return truth.pupils(self.world, self.world.school_year(self.now), self.today)

    @cached_property
    def truth_teachers_today(self) -> dict[int, truth.TruthTeacher]:
        return truth.teachers(self.world, self.world.school_year(self.now), self.today)

    def memo(self, key: str, compute):
        """A system read shared by several checks, computed once."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]
