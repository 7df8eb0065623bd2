"""Training sessions: a formateur's group of trainees, each with a world of their own."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from entsim.models import World


class Session(models.Model):
    """Une session de formation: N trainees, one world each, made from one scenario.

    Every trainee's world is generated from the same seed, so that the trainer compares like
    with like. The state is "en préparation" while worlds are being made (or one is being
    reset), "prête" once every world is ready, "close" once the trainer has closed it (the
    trainees' logins are disabled, the worlds stay for the trainer to review, read-only),
    "suppression" while its worlds and logins are being deleted in the background.
    """

    class State(models.TextChoices):
        PREPARATION = "preparation", "En préparation"
        PRETE = "prete", "Prête"
        CLOSE = "close", "Close"
        SUPPRESSION = "suppression", "Suppression en cours"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="training_sessions",
        verbose_name="formateur",
    )
    name = models.CharField("nom", max_length=50)
    slug = models.SlugField(max_length=40, unique=True)
    scenario = models.CharField("scénario", max_length=40)
    world_size = models.CharField("taille des mondes", max_length=20, choices=World.Size.choices)
    trainee_count = models.PositiveSmallIntegerField("nombre de stagiaires")
    seed = models.BigIntegerField("graine")
    state = models.CharField(max_length=12, choices=State.choices, default=State.PREPARATION)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "session de formation"

    def __str__(self) -> str:
        return self.name


class TraineeSeat(models.Model):
    """One trainee of a session: their login, their world and how far its creation is.

    `password` is kept in clear on purpose: these are throwaway training logins, printed on
    the session's sheet and handed out on paper; they open nothing but the trainee's own
    world of fictitious data, and are disabled when the session closes and deleted with it.
    """

    class State(models.TextChoices):
        PREPARATION = "preparation", "En préparation"
        PRET = "pret", "Prêt"
        ECHEC = "echec", "En échec"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="seats")
    number = models.PositiveSmallIntegerField("numéro")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_seat"
    )
    login = models.CharField("identifiant", max_length=60)
    password = models.CharField("mot de passe", max_length=40)
    world_name = models.CharField("nom du monde", max_length=80)
    world = models.OneToOneField(
        World, on_delete=models.SET_NULL, null=True, blank=True, related_name="training_seat"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.PREPARATION)
    error = models.TextField("erreur", blank=True)

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="trainee_seat_unique"),
        ]
        verbose_name = "place de stagiaire"

    def __str__(self) -> str:
        return self.login
