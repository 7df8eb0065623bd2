"""Help desk pages inside a world: chain trace, pipeline."""

from django.urls import path

from . import views

app_name = "helpdesk"

urlpatterns = [
    path("trace/", views.trace, name="trace"),
    path("pipeline/", views.pipeline, name="pipeline"),
]
