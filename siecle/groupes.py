"""Enrolling pupils in groups directly in SIECLE (fiche, tab Groupes; Saisie en masse).

The groups are those STS-web sent (Structure of type G of the year). A link written here has
the source "Saisie dans SIECLE"; the next ELEGROUPE night import replaces every link of the
establishment ("annule et remplace").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction

from entsim.models import World

from . import selectors
from .models import EleveGroupe, Scolarite, Structure
from .services import SiecleError, _history_rows, history_add


def groupes_possibles(*, world: World, uai: str, annee: int) -> list[Structure]:
    """The groups of the year (received from STS-web)."""
    return selectors.groupes(world=world, uai=uai, annee=annee)


def _start(scolarite: Scolarite) -> dt.date:
    start = dt.date(scolarite.annee, 9, 1)
    return max(start, scolarite.date_entree) if scolarite.date_entree else start


def _check(world: World, scolarite: Scolarite, code: str, codes: set[str]) -> None:
    if code not in codes:
        raise SiecleError(
            f"Le groupe « {code} » n'existe pas en {scolarite.annee}-{scolarite.annee + 1} "
            "(les groupes viennent de STS-web)."
        )
    if scolarite.date_sortie is not None:
        raise SiecleError("L'élève est sorti de l'établissement : pas d'inscription en groupe.")


def _codes(world: World, scolarite: Scolarite) -> set[str]:
    return {
        s.code for s in groupes_possibles(world=world, uai=scolarite.uai, annee=scolarite.annee)
    }


@transaction.atomic
def groupe_inscrire(*, world: World, scolarite: Scolarite, code: str, user=None) -> EleveGroupe:
    scolarite = Scolarite.objects.select_for_update().get(pk=scolarite.pk, world=world)
    _check(world, scolarite, code, _codes(world, scolarite))
    if EleveGroupe.objects.filter(scolarite=scolarite, groupe=code).exists():
        raise SiecleError(f"L'élève est déjà inscrit dans le groupe {code}.")
    link = EleveGroupe.objects.create(
        world=world,
        uai=scolarite.uai,
        scolarite=scolarite,
        groupe=code,
        date_debut=_start(scolarite),
        source=EleveGroupe.Source.SIECLE,
    )
    history_add(
        world=world,
        eleve=scolarite.eleve,
        user=user,
        action=f"Groupes {scolarite.annee}-{scolarite.annee + 1}",
        detail=f"Inscription dans le groupe {code}",
    )
    return link


def groupe_retirer(*, world: World, lien: EleveGroupe, user=None) -> None:
    scolarite = lien.scolarite
    lien.delete()
    history_add(
        world=world,
        eleve=scolarite.eleve,
        user=user,
        action=f"Groupes {scolarite.annee}-{scolarite.annee + 1}",
        detail=f"Retrait du groupe {lien.groupe}",
    )


@transaction.atomic
def groupes_inscrire_en_masse(
    *,
    world: World,
    uai: str,
    annee: int,
    scolarite_ids: Sequence[int],
    code: str,
    user=None,
) -> tuple[int, list[str]]:
    """Enrol the ticked pupils in one group; returns (enrolled, refusals with names)."""
    if not scolarite_ids:
        raise SiecleError("Cochez au moins un élève.")
    scolarites = list(
        Scolarite.objects.select_for_update()
        .filter(world=world, uai=uai, annee=annee, pk__in=scolarite_ids)
        .select_related("eleve")
    )
    if len(scolarites) != len(set(scolarite_ids)):
        raise SiecleError("Certains élèves cochés n'appartiennent pas à cette base.")
    codes = {s.code for s in groupes_possibles(world=world, uai=uai, annee=annee)}
    already = set(
        EleveGroupe.objects.filter(scolarite__in=scolarites, groupe=code).values_list(
            "scolarite_id", flat=True
        )
    )
    rows, refused, history = [], [], []
    for scolarite in scolarites:
        try:
            _check(world, scolarite, code, codes)
        except SiecleError as error:
            refused.append(f"{scolarite.eleve} : {error.message}")
            continue
        if scolarite.pk in already:
            continue
        rows.append(
            EleveGroupe(
                world=world,
                uai=uai,
                scolarite=scolarite,
                groupe=code,
                date_debut=_start(scolarite),
                source=EleveGroupe.Source.SIECLE,
            )
        )
        history.append(
            (
                scolarite.eleve,
                f"Groupes {annee}-{annee + 1}",
                f"Inscription (saisie en masse) dans le groupe {code}",
            )
        )
    EleveGroupe.objects.bulk_create(rows)
    _history_rows(world, history, user)
    return len(rows), refused
