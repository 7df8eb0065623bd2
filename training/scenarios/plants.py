"""Situations the guide warns about, put in a world when it is created (after the seeders).

Some are already in every generated world, planted by SIECLE's seeder (two responsables
recorded twice, two fiches bloquantes): the scenarios only name them. The others are written
here through the systems' own services, as the people around the trainee would have done.
"""

from __future__ import annotations

from edt import services as edt_services
from entsim.models import Schooling, World
from siecle import selectors as siecle_selectors
from siecle import services as siecle_services
from siecle.models import Eleve

from ..checks import truth
from .actions import planted_group_code


def neighbours_export_dossiers(world: World) -> None:
    """The schools of the académie the pupils of the rentrée come from exported their
    dossiers: they wait in Importations > Dossiers depuis autre EPLE (to import, not to
    create by hand)."""
    annee = truth.prepared_year(world)
    day = truth.rentree_day(world, annee)
    arriving = Schooling.objects.filter(
        world=world,
        establishment_id=world.home_id,
        school_year=annee,
        arrival=Schooling.Arrival.NEIGHBOUR,
        start_date__lte=day,
    ).values_list("pupil__ine", flat=True)
    for eleve in (
        Eleve.objects.filter(world=world, ine__in=list(arriving))
        .exclude(uai=world.home.uai)
        .order_by("eleve_id")
    ):
        siecle_services.dossier_faire_exporter(world=world, eleve=eleve, annee=annee)


def edt_group_with_forbidden_character(world: World) -> None:
    """The timetabler already created one group of the rentrée in the EDT software, with a
    '/' in its name: STS-web will reject it at its import (guide 2.7)."""
    groups = truth.groups(world, truth.prepared_year(world))
    if not groups:
        return
    group = groups[sorted(groups)[0]]
    edt_services.groupe_create(
        world=world, code=planted_group_code(group.code), libelle=group.label
    )


def multi_inscription(world: World) -> None:
    """A pupil still scolarisé in a neighbouring school also appears scolarisé in the
    trainee's school (guide 2.13)."""
    siecle_services.multi_inscription_planter(world=world)


def has_waiting_neighbour_dossiers(world: World) -> bool:
    annee = truth.prepared_year(world)
    return siecle_selectors.dossiers_en_attente(
        world=world, uai=world.home.uai, annee=annee, source="autre_eple"
    ).exists()


def edt_ready_for_the_year(world: World) -> None:
    """The timetabler's work of the year in progress is in the EDT software: STS-web's file
    and SIECLE's pupils imported, every pupil in his groups. Only the links file is left to
    send (guide 4)."""
    from entsim.timeline import local
    from siecle import exports as siecle_exports
    from sts import selectors as sts_selectors
    from sts import services as sts_services

    from .actions import edt_pupils_in_groups

    annee = world.school_year()
    year = sts_selectors.year_get(world=world, year=annee)
    export = sts_services.emploi_du_temps_export(world=world, year=year)
    edt_services.sts_import_exchange(world=world, exchange=export.exchange)
    exchange = siecle_exports.xml_export(
        world=world, kind=siecle_exports.SANS_ADRESSES, annee=annee
    )
    edt_services.eleves_import_exchange(world=world, exchange=exchange)
    edt_pupils_in_groups(world, annee, local(world.now()).date())
