from django.urls import path

from . import views

app_name = "aaf"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("extractions/<int:pk>/", views.run_detail, name="run"),
    path("extractions/<int:pk>/annuaire/", views.snapshot_download, name="snapshot"),
]
