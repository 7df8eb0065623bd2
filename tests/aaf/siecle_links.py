"""A links file (ELEGROUPE) as the timetable software writes it, for the chain tests."""

from __future__ import annotations

import datetime as dt

from entsim.formats import elegroupe as fmt
from siecle import selectors as siecle_selectors


def links_file(world, uai: str, annee: int, at: dt.datetime) -> tuple[str, bytes, set]:
    """An ELEGROUPE file from the software: each pupil in the groups of their division (SIECLE's
    groups, received from STS-web). Returns (name, zip, {(INE, group code)})."""
    by_division: dict[str, list[str]] = {}
    for groupe in siecle_selectors.groupes(world=world, uai=uai, annee=annee):
        for division in groupe.divisions or []:
            by_division.setdefault(division, []).append(groupe.code)
    eleves, links = [], set()
    for actif in siecle_selectors.eleves_actifs(world=world, uai=uai, annee=annee):
        codes = by_division.get(actif.scolarite.division, [])
        if not codes or not actif.eleve.ine:  # the ENT side is matched on the INE
            continue
        eleve = actif.eleve
        eleves.append(
            fmt.Eleve(
                eleve_id=eleve.eleve_id,
                nom_de_famille=eleve.nom,
                prenom=eleve.prenom,
                date_naiss=eleve.date_naissance,
                groupes=tuple(fmt.Groupe(code_groupe=code) for code in codes),
            )
        )
        links.update((eleve.ine, code) for code in codes)
    doc = fmt.ImportEleves(
        version=fmt.VERSION,
        parametres=fmt.Parametres(
            uaj=uai, annee_scolaire=annee, date_import=at.date(), num_envoi=1, logiciel="EDT"
        ),
        donnees=fmt.Donnees(eleves=tuple(eleves)),
    )
    name, content = fmt.write_zip_file(doc, at.replace(tzinfo=None))
    return name, content, links
