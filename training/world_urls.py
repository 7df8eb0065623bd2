"""A trainee's pages inside their world: the checklist of the scenario."""

from django.urls import path

app_name = "training_world"

urlpatterns: list = []
