"""The sections of the guide ("Mise en place d'un ENT – Guide de saisie des données dans les
applications nationales SIECLE et STS WEB") the help desk points to."""

from __future__ import annotations

SECTIONS = {
    "1": "1. Chronologie des étapes",
    "2.3": "2.3 Structure de l'établissement dans STS-web",
    "2.4": "2.4 Export de la structure vers SIECLE BEE",
    "2.5.2": "2.5.2 Nouveaux élèves : affectation dans le MEF et la division",
    "2.9": "2.9 Export des structures puis des services",
    "2.12": "2.12 Liens élèves-groupes depuis le logiciel EDT",
    "2.13": "2.13 Doublons et multi-inscriptions",
    "3.1": "3.1 Arrivée d'un enseignant",
    "3.1.1": "3.1.1 Enseignant remplaçant (REP) : changement de support",
    "3.1.2": "3.1.2 Enseignant suppléant (SUP) : services suppléants",
    "3.2.1": "3.2.1 Élève venant d'un établissement de l'académie",
    "3.3": "3.3 Mise à jour des dossiers élèves en cours d'année",
    "4.5": "4.5 Import des liens groupes/élèves dans SIECLE",
}


def section(number: str) -> str:
    """The section's number and title, as the help desk quotes it ("" for none)."""
    return SECTIONS[number] if number else ""
