"""A world: one académie, isolated from every other, with its own simulated clock."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class World(models.Model):
    """Un monde (bac à sable): an académie, its systems' data and its simulated clock.

    Simulated time is `sim_anchor + (real elapsed since real_anchor) × speed`; speed 0 freezes
    the clock (the default for training). Nothing in the domain calls `timezone.now()`: it asks
    the world.
    """

    class Size(models.TextChoices):
        COLLEGE_200 = "college-200", "Petit collège (~200 élèves)"
        COLLEGE = "college", "Collège (~500 élèves)"
        LYCEE = "lycee", "Lycée (~1 000 élèves)"
        LYCEE_2000 = "lycee-2000", "Lycée (2 057 élèves)"

    name = models.CharField("nom", max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    seed = models.BigIntegerField("graine")
    size = models.CharField("taille", max_length=20, choices=Size.choices)
    scenario = models.CharField("scénario", max_length=40, default="bac-a-sable")
    academie_code = models.CharField("code académie", max_length=3)
    academie_name = models.CharField("académie", max_length=60)
    home = models.ForeignKey(
        "entsim.Establishment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="établissement du stagiaire",
    )
    # Simulated clock.
    sim_anchor = models.DateTimeField("heure simulée de référence")
    real_anchor = models.DateTimeField("heure réelle de référence")
    speed = models.FloatField("vitesse", default=0.0)
    # Recurring jobs of the timeline exist as Job rows up to this simulated time.
    scheduled_until = models.DateTimeField("planifié jusqu'au")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "monde"

    def __str__(self) -> str:
        return self.name

    def now(self) -> dt.datetime:
        """The world's simulated time."""
        if not self.speed:
            return self.sim_anchor
        elapsed = timezone.now() - self.real_anchor
        return self.sim_anchor + elapsed * self.speed

    @property
    def is_running(self) -> bool:
        return self.speed > 0

    def school_year(self, at: dt.datetime | None = None) -> int:
        """Start year of the school year in progress at `at` (a year starts on 1 September)."""
        local = timezone.localtime(at or self.now())
        return local.year if local.month >= 9 else local.year - 1


class Role(models.TextChoices):
    FORMATEUR = "formateur", "Formateur"
    STAGIAIRE = "stagiaire", "Stagiaire"
    ASSISTANCE = "assistance", "Assistance"


class WorldMember(models.Model):
    """Who may enter a world, and as what."""

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="world_memberships"
    )
    role = models.CharField("rôle", max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "user"], name="world_member_unique"),
        ]
        verbose_name = "membre d'un monde"

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) — {self.world}"

    @property
    def may_advance_clock(self) -> bool:
        return self.role in (Role.FORMATEUR, Role.STAGIAIRE)

    @property
    def may_write(self) -> bool:
        return self.role in (Role.FORMATEUR, Role.STAGIAIRE)
