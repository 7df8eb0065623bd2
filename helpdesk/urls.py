"""Help desk pages inside a world: chain trace, pipeline."""

from django.urls import path

app_name = "helpdesk"

urlpatterns: list = []
