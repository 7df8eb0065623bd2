"""Benchmark: SIECLE exchanges on a 2,057-pupil lycée (issue 6).

The pupils export (Exportations > En XML, ElevesAvecAdresses) and the night import of a full
ELEGROUPE file (every pupil, about six groups each) each run in under 5 s; figures printed.

    .venv/bin/pytest tests/bench/bench_siecle_exchanges.py --bench -s
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

TARGET_S = 5.0
GROUPES_PAR_ELEVE = 6


@pytest.mark.bench
@pytest.mark.django_db
def test_bench_siecle_exchanges_lycee_2000():
    from entsim.formats import bee_eleves
    from entsim.formats import elegroupe as fmt
    from entsim.formats.safe import read_zip
    from entsim.services.exchanges import exchange_content, exchange_deposit, exchange_export
    from entsim.services.worlds import world_create
    from siecle import elegroupe, exports
    from siecle.models import EleveGroupe, Scolarite, Structure
    from tests.siecle.readers import readers_rule_violations

    world = world_create(name="Banc SIECLE échanges", size="lycee-2000", seed=2057)
    uai, annee = world.home.uai, world.school_year()

    started = time.perf_counter()
    exchange = exchange_export(world=world, kind="eleves_avec_adresses")
    export_s = time.perf_counter() - started
    eleves = exchange.report["eleves"]
    # read back: equal to the data, and within the rules third-party readers apply
    (member,) = read_zip(exchange_content(exchange=exchange))
    back = bee_eleves.read(member.content)
    assert back == exports.eleves_document(world=world, uai=uai, annee=annee, avec_adresses=True)
    assert readers_rule_violations(back, uai) == []

    codes = [f"GR{n:03d}" for n in range(60)]
    Structure.objects.bulk_create(
        Structure(world=world, uai=uai, annee=annee, type="G", code=code) for code in codes
    )
    scolarites = list(
        Scolarite.objects.filter(world=world, uai=uai, annee=annee)
        .select_related("eleve")
        .order_by("pk")
    )
    doc = fmt.ImportEleves(
        version=fmt.VERSION,
        parametres=fmt.Parametres(
            uaj=uai,
            annee_scolaire=annee,
            date_import=world.now().date(),
            num_envoi=1,
            logiciel="EDT",
        ),
        donnees=fmt.Donnees(
            eleves=tuple(
                fmt.Eleve(
                    eleve_id=s.eleve.eleve_id,
                    nom_de_famille=s.eleve.nom,
                    prenom=s.eleve.prenom,
                    date_naiss=s.eleve.date_naissance,
                    groupes=tuple(
                        fmt.Groupe(code_groupe=codes[(i * 7 + k * 11) % len(codes)])
                        for k in range(GROUPES_PAR_ELEVE)
                    ),
                )
                for i, s in enumerate(scolarites)
            )
        ),
    )
    name, content = fmt.write_zip_file(doc, dt.datetime(2027, 6, 14, 9, 0, 0))
    started = time.perf_counter()
    deposited = exchange_deposit(world=world, kind="elegroupe", filename=name, content=content)
    deposit_s = time.perf_counter() - started

    started = time.perf_counter()
    report = elegroupe.elegroupe_night(world=world, now=world.now() + dt.timedelta(hours=17))
    night_s = time.perf_counter() - started
    deposited.refresh_from_db()
    liens = EleveGroupe.objects.filter(world=world, uai=uai).count()
    print(
        f"\nlycee-2000: export ElevesAvecAdresses {eleves} élèves {export_s:.2f} s "
        f"({exchange.size} octets); dépôt ELEGROUPE "
        f"{len(scolarites)} élèves {deposit_s:.2f} s; import de nuit {night_s:.2f} s, "
        f"{liens} liens; rapport {report[uai]}"
    )
    assert deposited.report["complets"] == len(scolarites) >= 2000
    assert liens == deposited.report["liens créés"] > 5 * len(scolarites)
    assert export_s < TARGET_S, export_s
    assert night_s < TARGET_S, night_s
