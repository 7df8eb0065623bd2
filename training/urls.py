"""Trainer pages outside any world: sessions, logins sheet, dashboard."""

from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("nouvelle/", views.session_new, name="session_new"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/identifiants/", views.session_sheet, name="session_sheet"),
    path("<int:pk>/tableau/", views.session_dashboard, name="session_dashboard"),
    path(
        "<int:pk>/stagiaires/<int:seat_pk>/reinitialiser/",
        views.seat_reset,
        name="seat_reset",
    ),
    path("<int:pk>/clore/", views.session_close, name="session_close"),
    path("<int:pk>/supprimer/", views.session_delete, name="session_delete"),
]
