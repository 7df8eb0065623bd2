"""A trainee's pages inside their world: the checklist of the scenario ("Parcours")."""

from django.urls import path

from . import world_views

app_name = "training_world"

urlpatterns = [
    path("", world_views.parcours, name="parcours"),
    path("pilote-automatique/", world_views.pilote, name="pilote"),
]
