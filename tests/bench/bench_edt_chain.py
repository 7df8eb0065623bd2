"""Benchmark: the EDT chain on a lycee-2000 world, on the configured database.

Target (issue 4): import the STS-web file and SIECLE's pupils export, build the groups by
option, export the file for STS-web and the links file for SIECLE, under 10 s in total on the
2-core machine. The world and its input files (written from the truth by the format writers,
as STS-web and SIECLE will) are prepared first and not timed.

    pytest tests/bench/bench_edt_chain.py --bench -s -q
"""

from __future__ import annotations

import time

import pytest

TIME_LIMIT_S = 10.0
SIZE = "lycee-2000"
SEED = 2057


@pytest.mark.bench
@pytest.mark.django_db(transaction=True)
def test_bench_edt_chain_lycee_2000():
    from edt import selectors, services
    from edt.models import Appartenance, Groupe, Service
    from entsim.formats import elegroupe
    from entsim.services.exchanges import exchange_content
    from entsim.services.worlds import world_create
    from tests.edt.truth_files import bee_file, sts_file

    started = time.perf_counter()
    world = world_create(name=f"Banc EDT {SIZE}", size=SIZE, seed=SEED)
    sts, bee = sts_file(world), bee_file(world)
    prepared = time.perf_counter() - started

    steps: list[tuple[str, float]] = []

    def step(label: str, run):
        begin = time.perf_counter()
        result = run()
        steps.append((label, time.perf_counter() - begin))
        return result

    sts_report = step(
        "import STS-web",
        lambda: (
            services.sts_file_import(
                world=world, filename=f"sts_emp_{world.home.uai}_2027.xml", content=sts
            ).report
        ),
    )
    eleves_report = step(
        "import élèves SIECLE",
        lambda: (
            services.eleves_file_import(
                world=world,
                kind="eleves_sans_adresses",
                filename="ElevesSansAdresses.xml",
                content=bee,
            ).report
        ),
    )

    def by_option() -> int:
        subject = dict(
            Service.objects.filter(world=world, groupe__isnull=False).values_list(
                "groupe_id", "matiere__sts_code"
            )
        )
        added = 0
        for groupe in Groupe.objects.filter(world=world).prefetch_related("divisions"):
            if groupe.pk in subject:
                added += services.groupe_option_add(
                    world=world,
                    groupe=groupe,
                    divisions=list(groupe.divisions.all()),
                    code_matiere=subject[groupe.pk],
                )
        return added

    links = step("groupes par option", by_option)
    emp = step("export EDT_STS", lambda: services.emp_sts_export(world=world))
    links_file = step(
        "export ELEGROUPE", lambda: services.elegroupe_export(world=world, supervisor=True)
    )
    total = sum(seconds for _, seconds in steps)

    content = exchange_content(exchange=links_file)
    _, doc = elegroupe.deposit_check(links_file.filename, content, annee=2027)
    counts = selectors.counts(world=world)
    print(
        f"\nEDT chain on {SIZE} (seed {SEED}); world and input files prepared in {prepared:.1f} s"
        f" (STS_EDT {len(sts) / 1024:.0f} Ko, BEE_ELEVES {len(bee) / 1024:.0f} Ko)\n"
        + "\n".join(f"  {label:<22} {seconds:6.2f} s" for label, seconds in steps)
        + f"\n  {'total':<22} {total:6.2f} s (limit {TIME_LIMIT_S:.0f} s)"
        + f"\n  {counts['eleves']} élèves, {counts['enseignants']} enseignants, "
        f"{counts['divisions']} divisions, {counts['groupes']} groupes, "
        f"{sts_report['services_crees']} services, {links} liens"
        f"\n  {emp.filename} {emp.size / 1024:.0f} Ko; {links_file.filename} "
        f"{links_file.size / 1024:.0f} Ko ({len(doc.donnees.eleves)} élèves)"
    )
    assert eleves_report["eleves"] == counts["eleves"] > 2000
    assert links == Appartenance.objects.filter(world=world).count() > 1000
    assert elegroupe.validate(elegroupe.write(doc)) == []
    assert total < TIME_LIMIT_S, f"total {total:.2f} s >= {TIME_LIMIT_S} s"
