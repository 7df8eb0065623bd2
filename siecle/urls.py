from django.urls import path

from . import views

app_name = "siecle"

urlpatterns = [
    path("", views.tableau_de_bord, name="landing"),
    path("tableau-de-bord/", views.tableau_de_bord, name="tableau_de_bord"),
    path("annee/", views.annee_choisir, name="annee_choisir"),
    path("signalements/", views.signalements, name="signalements"),
    # Fiches élèves
    path("fiches/", views.recherche, name="recherche"),
    path("fiches/creer/", views.eleve_creer, name="eleve_creer"),
    path("fiches/<int:eleve_pk>/", views.fiche, name="fiche"),
    path(
        "fiches/<int:eleve_pk>/identite/modifier/",
        views.identite_modifier,
        name="identite_modifier",
    ),
    path(
        "fiches/<int:eleve_pk>/adresse/modifier/", views.adresse_modifier, name="adresse_modifier"
    ),
    path(
        "fiches/<int:eleve_pk>/scolarite/modifier/",
        views.scolarite_modifier,
        name="scolarite_modifier",
    ),
    path("fiches/<int:eleve_pk>/options/ajouter/", views.option_ajouter, name="option_ajouter"),
    path("fiches/<int:eleve_pk>/groupes/ajouter/", views.groupe_ajouter, name="groupe_ajouter"),
    path(
        "fiches/<int:eleve_pk>/groupes/<int:lien>/retirer/",
        views.groupe_retirer,
        name="groupe_retirer",
    ),
    path(
        "fiches/<int:eleve_pk>/options/<int:option>/retirer/",
        views.option_retirer,
        name="option_retirer",
    ),
    path(
        "fiches/<int:eleve_pk>/responsables/chercher/",
        views.responsables_chercher,
        name="responsables_chercher",
    ),
    path(
        "fiches/<int:eleve_pk>/responsables/rattacher/",
        views.responsable_rattacher,
        name="responsable_rattacher",
    ),
    path(
        "fiches/<int:eleve_pk>/responsables/creer/",
        views.responsable_creer,
        name="responsable_creer",
    ),
    path(
        "fiches/<int:eleve_pk>/responsables/<int:lien>/modifier/",
        views.lien_modifier,
        name="lien_modifier",
    ),
    path(
        "fiches/<int:eleve_pk>/responsables/<int:lien>/supprimer/",
        views.lien_supprimer,
        name="lien_supprimer",
    ),
    path("fiches/<int:eleve_pk>/<slug:onglet>/", views.fiche_onglet, name="fiche_onglet"),
    path("doublons-responsables/", views.doublons, name="doublons"),
    path("doublons-responsables/modifier/", views.doublons_modifier, name="doublons_modifier"),
    # Affectation, saisie en masse
    path("affectation/", views.affectation, name="affectation"),
    path("affectation/<int:eleve_pk>/", views.affectation_eleve, name="affectation_eleve"),
    path("saisie-en-masse/", views.saisie_en_masse, name="saisie_en_masse"),
    # Exploitation
    path("exploitation/", views.exploitation, name="exploitation"),
    path(
        "exploitation/listes-standards/divers/fiches-bloquantes/",
        views.fiches_bloquantes,
        name="fiches_bloquantes",
    ),
    path("exploitation/structures/", views.structures, name="structures"),
    path("exploitation/structures/<int:structure_pk>/", views.structure, name="structure"),
    path("exploitation/remontee-sysca/", views.remontee_sysca, name="remontee_sysca"),
    # Importations, exportations
    path("importations/", views.importations, name="importations"),
    path(
        "importations/liens-eleve-groupe/",
        views.import_elegroupe,
        name="import_elegroupe",
    ),
    path(
        "importations/dossiers-depuis-affectation/",
        views.import_affectation,
        name="import_affectation",
    ),
    path(
        "importations/dossiers-depuis-autre-eple/",
        views.import_autre_eple,
        name="import_autre_eple",
    ),
    path(
        "importations/dossiers-depuis-autre-eple/faire-exporter/",
        views.faire_exporter,
        name="faire_exporter",
    ),
    path("exportations/", views.exportations, name="exportations"),
    path("exportations/en-xml/", views.export_xml, name="export_xml"),
]
