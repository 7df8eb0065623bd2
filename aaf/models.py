"""The AAF's own tables: stable jointure ids and the nightly runs."""

from __future__ import annotations

from django.db import models


class AafId(models.Model):
    """A stable numeric jointure id for one source entry (its pk is the id).

    Keys: `S:<UAI>` (establishment), `E:<UAI>:<ELEVE_ID>` (pupil), `R:<UAI>:<PERSONNE_ID>`
    (responsable, one per SIECLE row: a duplicate responsable is two entries), `P:<STS id>`
    (staff). The row is never deleted, so the id survives from night to night.
    """

    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "key"], name="aaf_id_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.pk}"


class AafRun(models.Model):
    """One night's extraction (or one asked from the page or the CLI)."""

    class Kind(models.TextChoices):
        COMPLET = "Complet", "Complet"
        DELTA = "Delta", "Delta"

    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    day = models.DateField("date de génération")
    at = models.DateTimeField("heure simulée")
    counts = models.JSONField("entrées par catégorie", default=dict)
    requests = models.JSONField("demandes par catégorie et opération", default=dict)
    left_out = models.JSONField("personnes écartées", default=list)
    exchange = models.ForeignKey(
        "entsim.Exchange", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The whole directory of that night (a Complet-equivalent zip), the base of the next Delta.
    snapshot = models.FileField(upload_to="aaf/snapshots/", blank=True)
    # Digest of what the extraction read (STS-web, SIECLE, the Services exports, the year): a
    # Delta night whose digest equals the last run's has nothing to send (entsim.selectors).
    inputs = models.CharField("empreinte des sources", max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "extraction AAF"

    def __str__(self) -> str:
        return f"AAF {self.kind} {self.day}"
