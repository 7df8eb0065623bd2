from django.urls import path

from . import views

app_name = "edt"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("mode/", views.spr_mode, name="spr_mode"),
    path("import/sts/", views.import_sts, name="import_sts"),
    path("import/sts/lancer/", views.import_sts_run, name="import_sts_run"),
    path("correspondances/", views.correspondances, name="correspondances"),
    path("correspondances/valider/", views.correspondances_valider, name="correspondances_valider"),
    path("donnees/", views.donnees, name="donnees"),
    path("import/eleves/", views.import_eleves, name="import_eleves"),
    path("import/eleves/lancer/", views.import_eleves_run, name="import_eleves_run"),
    path("groupes/", views.groupes, name="groupes"),
    path("groupes/creer/", views.groupe_creer, name="groupe_creer"),
    path("groupes/modifier/", views.groupe_modifier, name="groupe_modifier"),
    path("groupes/supprimer/", views.groupe_supprimer, name="groupe_supprimer"),
    path("groupes/inscrire/", views.groupe_inscrire, name="groupe_inscrire"),
    path("groupes/retirer/", views.groupe_retirer, name="groupe_retirer"),
    path("eleves/", views.eleves, name="eleves"),
    path("services/", views.services_page, name="services"),
    path("services/creer/", views.service_creer, name="service_creer"),
    path("services/supprimer/", views.service_supprimer, name="service_supprimer"),
    path("emploi-du-temps/", views.emploi_du_temps, name="emploi_du_temps"),
    path("emploi-du-temps/placer/", views.cours_placer, name="cours_placer"),
    path("emploi-du-temps/retirer/", views.cours_retirer, name="cours_retirer"),
    path("exports/", views.exports, name="exports"),
    path("exports/sts/", views.export_sts, name="export_sts"),
    path("exports/siecle/", views.export_siecle, name="export_siecle"),
]
