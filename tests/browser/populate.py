"""Fill a generated world the way the chain would, for pages that show real data.

Until STS-web, SIECLE and the AAF export for real, the files come from the world's truth
(tests/edt/truth_files.py) and from the AAF test kit (tests/ent/ent_aafkit.py), handed to the
EDT software and the ENT through `exchange_deposit` and the ENT's night import.
"""

from __future__ import annotations

import datetime as dt


def edt_populate(world) -> None:
    """The EDT has read STS-web's and SIECLE's files (current year) and filled its groups."""
    from edt import selectors, services
    from edt.models import Groupe
    from entsim.services.exchanges import exchange_deposit
    from tests.edt.truth_files import bee_file, sts_file

    year = world.school_year()
    exchange_deposit(
        world=world,
        kind="sts_emp",
        filename=f"sts_emp_{world.home.uai}_{year}.xml",
        content=sts_file(world, year=year),
    )
    exchange_deposit(
        world=world,
        kind="eleves_sans_adresses",
        filename="ExportXML_ElevesSansAdresses.xml",
        content=bee_file(world, year=year),
    )
    for groupe in Groupe.objects.filter(world=world).prefetch_related("divisions"):
        divisions = list(groupe.divisions.all())
        codes = [
            code
            for code, _ in selectors.option_choices(
                world=world, division_ids=[d.pk for d in divisions]
            )
            if code != "030201"
        ]
        if codes:
            services.groupe_option_add(
                world=world, groupe=groupe, divisions=divisions, code_matiere=codes[0]
            )


def ent_populate(world) -> None:
    """The ENT has imported one Complet run: an établissement, a class, a group, people."""
    from tests.ent import ent_aafkit as kit

    etab = "9001"
    kit.feed(
        world,
        [
            kit.etab(
                etab, uai=world.home.uai, classes=[("3A", "3EME A")], groups=[("3ESP1", "ESP")]
            ),
            kit.subject("030602", "ESPAGNOL LV2"),
            kit.mef("10310019110", "3EME"),
            kit.relative("5001", "MARTIN", "Sophie"),
            kit.pupil(
                "1001",
                "MARTIN",
                "Léa",
                classes=["3A"],
                groups=["3ESP1"],
                relatives=[("5001", "1")],
                structure=etab,
            ),
            kit.pupil("1002", "GARCIA", "Hugo", classes=["3A"], structure=etab),
            kit.teacher("2001", "DURAND", "Alice", classes=[("3A", "030602")], structure=etab),
        ],
        day=dt.date(2027, 6, 14),
        prefix=f"ENT_{world.home.uai}",
    )
