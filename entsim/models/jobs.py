"""Scheduled jobs: a row per run, due at a simulated time, run at most once."""

from __future__ import annotations

from django.db import models

from .world import World


class Job(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "En attente"
        RUNNING = "running", "En cours"
        DONE = "done", "Terminé"
        FAILED = "failed", "En échec"

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField("type", max_length=60)
    due_at = models.DateTimeField("échéance (heure simulée)")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    # Free parameters of the run (e.g. the exchange to process).
    params = models.JSONField(default=dict, blank=True)
    # Key that makes a scheduled occurrence unique (timeline kind + due time, or an exchange id).
    dedup_key = models.CharField(max_length=120)
    attempts = models.PositiveSmallIntegerField(default=0)
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, for long night jobs
    dispatched_at = models.DateTimeField(null=True, blank=True)  # real time
    finished_at = models.DateTimeField(null=True, blank=True)  # real time
    finished_sim_at = models.DateTimeField(null=True, blank=True)  # simulated time

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["world", "dedup_key"], name="job_dedup_unique"),
        ]
        indexes = [models.Index(fields=["world", "state", "due_at"])]
        verbose_name = "tâche planifiée"

    def __str__(self) -> str:
        return f"{self.kind} @ {self.due_at:%Y-%m-%d %H:%M} ({self.state})"
