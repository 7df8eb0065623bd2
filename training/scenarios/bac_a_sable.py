"""Bac à sable: the world as generated, everything open, nothing checked."""

from entsim.models import World

from .base import Scenario

SCENARIO = Scenario(
    id="bac-a-sable",
    title="Bac à sable",
    summary="Tout est ouvert, rien n'est vérifié : pour explorer et pour les démonstrations.",
    default_size=World.Size.COLLEGE,
    steps=(),
)
