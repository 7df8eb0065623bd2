from django.urls import path

from . import views

app_name = "ent"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("comptes/", views.accounts, name="accounts"),
    path("premiere-connexion/", views.activation, name="activation"),
    path("annuaire/", views.directory, name="directory"),
    path("annuaire/fiche/", views.cohort, name="cohort"),
    path("messagerie/", views.lists, name="lists"),
    path("messagerie/liste/", views.list_detail, name="list_detail"),
    path("manuels/", views.textbooks, name="textbooks"),
    path("manuels/ajouter/", views.textbook_create, name="textbook_create"),
    path("manuels/attribuer/", views.textbook_assign, name="textbook_assign"),
    path("manuels/retirer/", views.textbook_unassign, name="textbook_unassign"),
    path("voir-comme/", views.view_as, name="view_as"),
    path("voir-comme/accueil/", views.view_as_home, name="view_as_home"),
]
