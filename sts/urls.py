from django.urls import path

from . import views

app_name = "sts"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("annee/", views.year_switch, name="year_switch"),
    path("bascule/", views.bascule, name="bascule"),
    path("bascule/lancer/", views.bascule_run, name="bascule_run"),
    path("nomenclatures/", views.nomenclatures, name="nomenclatures"),
    path("nomenclatures/reception/", views.nomenclatures_receive, name="nomenclatures_receive"),
    path("nomenclatures/selection/", views.nomenclatures_select, name="nomenclatures_select"),
    path("nomenclatures/profilage/", views.nomenclatures_profile, name="nomenclatures_profile"),
    path("nomenclatures/demande/", views.nomenclature_request, name="nomenclature_request"),
    path("structure/", views.structure, name="structure"),
    path("structure/divisions/creer/", views.division_create, name="division_create"),
    path("structure/divisions/modifier/", views.division_update, name="division_update"),
    path("structure/divisions/supprimer/", views.division_delete, name="division_delete"),
    path("structure/groupes/creer/", views.group_create, name="group_create"),
    path("structure/groupes/modifier/", views.group_update, name="group_update"),
    path("structure/groupes/supprimer/", views.group_delete, name="group_delete"),
    path("ressources/", views.ressources, name="ressources"),
    path("services/", views.services_list, name="services"),
    path("services/creer/", views.service_create, name="service_create"),
    path("services/supprimer/", views.services_delete, name="services_delete"),
    path("services-et-are/changement-support/", views.support, name="support"),
    path(
        "services-et-are/changement-support/rattacher/",
        views.support_attach,
        name="support_attach",
    ),
    path("services-suppleants/saisie-rapide/", views.suppleants, name="suppleants"),
    path(
        "services-suppleants/saisie-rapide/valider/",
        views.suppleants_validate,
        name="suppleants_validate",
    ),
    path("exports/", views.exports_page, name="exports"),
    path("exports/emploi-du-temps/", views.export_emploi_du_temps, name="export_emploi_du_temps"),
    path("exports/structure/", views.export_structure, name="export_structure"),
    path("exports/services/", views.export_services, name="export_services"),
    path("import/emploi-du-temps/", views.import_page, name="import"),
    path("import/emploi-du-temps/deposer/", views.import_upload, name="import_upload"),
    path("import/emploi-du-temps/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/emploi-du-temps/<int:pk>/confirmer/", views.import_confirm, name="import_confirm"),
    path("modifications/", views.journal, name="journal"),
]
