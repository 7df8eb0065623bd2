"""Exchanges: one file travelling from one system to another, in its real format."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .world import World


def exchange_upload_to(instance: Exchange, filename: str) -> str:
    return f"exchanges/{instance.world_id}/{instance.kind}/{filename}"


class Exchange(models.Model):
    class State(models.TextChoices):
        DEPOSITED = "deposited", "Déposé"
        PENDING = "pending", "En attente"
        PROCESSED = "processed", "Traité"
        REJECTED = "rejected", "Rejeté"

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="exchanges")
    kind = models.CharField("type", max_length=40)
    source = models.CharField("système source", max_length=10)
    target = models.CharField("système cible", max_length=10)
    filename = models.CharField("nom du fichier", max_length=200)
    file = models.FileField(upload_to=exchange_upload_to, max_length=300)
    size = models.PositiveBigIntegerField("taille", default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    deposited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deposited_at = models.DateTimeField("déposé le (heure simulée)")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DEPOSITED)
    report = models.JSONField("compte rendu", default=dict, blank=True)
    processed_at = models.DateTimeField("traité le (heure simulée)", null=True, blank=True)

    class Meta:
        ordering = ["-deposited_at", "-id"]
        indexes = [models.Index(fields=["world", "kind", "deposited_at"])]
        verbose_name = "échange"

    def __str__(self) -> str:
        return f"{self.filename} ({self.source} → {self.target})"
