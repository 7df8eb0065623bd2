"""Issue 7, checked by (chain tests, real Celery worker): the night jobs of the timeline carry
SIECLE's changes to the ENT at the times of the real chain.

1. A links file (ELEGROUPE) deposited in SIECLE on day J at 10:00 is imported by SIECLE's night
   batch (J+1 01:00), extracted by the AAF (J+1 20:00) and read by the ENT (J+2 03:00): the
   pupils are in their ENT groups on J+2 in the morning, and not before (J+1 08:00, J+1 23:00).
2. A multi-inscribed pupil has no ENT account; the school where they are not present
   déscolarises them; SIECLE's night batch lifts the signal, the AAF extracts them the next
   evening: the account exists two nights after the déscolarisation, and not before.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest

from ent.models import Account, Membership
from entsim.formats import aaf
from entsim.models import Exchange, Job
from entsim.services.clock import clock_advance
from entsim.services.exchanges import exchange_deposit, exchange_export
from entsim.timeline import PARIS
from siecle import selectors as siecle_selectors
from siecle import services as siecle_services
from tests.aaf.siecle_links import links_file
from tests.siecle.siecle_world import college

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def moment(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=PARIS)


def advance(world, to: dt.datetime) -> list[Job]:
    """Move the clock; the real worker runs the jobs that fall due; wait for them all."""
    ids = clock_advance(world=world, to=to)
    deadline = time.monotonic() + 900
    while Job.objects.filter(pk__in=ids, state__in=("pending", "running")).exists():
        if time.monotonic() > deadline:
            raise AssertionError("the worker did not finish the night's jobs in time")
        time.sleep(0.5)
    jobs = list(Job.objects.filter(pk__in=ids).order_by("due_at", "pk"))
    for job in jobs:
        assert job.state == Job.State.DONE, (job.kind, job.error)
    world.refresh_from_db()
    return jobs


CHAIN = ("siecle.receive_sts", "aaf.extraction", "siecle.night_batch", "ent.import")


def kinds(jobs: list[Job]) -> list[str]:
    """The chain's jobs that ran, in due order."""
    return [job.kind for job in jobs if job.kind in CHAIN]


# --- 1. The links file: J → J+2 --------------------------------------------------------------


def ent_group_links(world) -> set[tuple[str, str]]:
    """(INE, group code) of every pupil the ENT puts in a group."""
    rows = Membership.objects.filter(
        world=world, cohort__kind="groupe", account__category=aaf.ELEVE, account__present=True
    ).values_list("account__attributes", "cohort__code")
    return {(attributes.get("ENTEleveINE", [""])[0], code) for attributes, code in rows}


def test_links_file_of_day_j_puts_the_pupils_in_ent_groups_on_j_plus_2(celery_worker):
    world = college(name="Chaîne ENT groupes")
    uai, annee = world.home.uai, world.school_year()
    day_j = world.now().astimezone(PARIS).date()
    # STS-web's exports reach SIECLE at the next quarter hour (its groups and their divisions);
    # SIECLE's pupils export is made (Exportations > En XML), as the deposit requires
    exchange_export(world=world, kind="sts_structure")
    exchange_export(world=world, kind="sts_services")
    exchange_export(world=world, kind="eleves_sans_adresses")
    deposit_at = moment(day_j, 10)
    assert kinds(advance(world, deposit_at)) == ["siecle.receive_sts", "siecle.receive_sts"]

    name, content, expected = links_file(world, uai, annee, deposit_at)
    assert len(expected) > 100
    deposited = exchange_deposit(world=world, kind="elegroupe", filename=name, content=content)
    assert deposited.deposited_at == deposit_at

    # J+1 08:00: the night imported the links in SIECLE; the ENT (03:00) read the AAF run of J
    # 20:00, made before them: accounts, classes, no group
    night = advance(world, moment(day_j + dt.timedelta(days=1), 8))
    assert kinds(night) == ["aaf.extraction", "siecle.night_batch", "ent.import"]
    deposited.refresh_from_db()
    assert deposited.state == Exchange.State.PROCESSED, deposited.report
    in_siecle = {
        (actif.eleve.ine, code)
        for actif in siecle_selectors.eleves_actifs(world=world, uai=uai, annee=annee)
        for code in actif.groupes
    }
    assert in_siecle == expected
    pupils = Account.objects.filter(world=world, category=aaf.ELEVE, state="actif")
    assert pupils.count() > 400
    assert Membership.objects.filter(world=world, cohort__kind="classe").exists()
    assert ent_group_links(world) == set()

    # J+1 23:00: the AAF extracted the groups at 20:00; the ENT has not read them yet
    evening = advance(world, moment(day_j + dt.timedelta(days=1), 23))
    assert kinds(evening) == ["aaf.extraction"]
    delta = Exchange.objects.filter(world=world, kind="aaf_delta").latest("deposited_at")
    assert delta.state == Exchange.State.PENDING
    assert ent_group_links(world) == set()

    # J+2 08:00: the ENT read it at 03:00: every link of the file is a group of the ENT
    morning = advance(world, moment(day_j + dt.timedelta(days=2), 8))
    assert "ent.import" in kinds(morning)
    delta.refresh_from_db()
    assert delta.state == Exchange.State.PROCESSED, delta.report
    assert ent_group_links(world) == expected


# --- 2. The multi-inscribed pupil: two nights after the déscolarisation ----------------------


def pupil_accounts(world, ine: str) -> list[Account]:
    return [
        account
        for account in Account.objects.filter(world=world, category=aaf.ELEVE, state="actif")
        if account.attributes.get("ENTEleveINE") == [ine]
    ]


def test_multi_inscribed_pupil_gets_an_account_two_nights_after_the_descolarisation(
    celery_worker,
):
    world = college(name="Chaîne ENT multi-inscription")
    home, annee = world.home.uai, world.school_year()
    day = world.now().astimezone(PARIS).date()
    eleve = siecle_services.multi_inscription_planter(world=world)
    origin = next(
        uai
        for uai in siecle_selectors.etablissements(world=world)
        if uai != home
        and any(
            actif.eleve.ine == eleve.ine
            for actif in siecle_selectors.eleves_actifs(world=world, uai=uai, annee=annee)
        )
    )

    # night 0: the AAF leaves them out, SIECLE raises the signal, the ENT has no account
    advance(world, moment(day + dt.timedelta(days=1), 8))
    assert siecle_selectors.signalements(world=world, uai=home).exists()
    assert Account.objects.filter(world=world, category=aaf.ELEVE, state="actif").count() > 400
    assert pupil_accounts(world, eleve.ine) == []

    # day 1, 10:00: the trainee's school, where the pupil is not present, déscolarises them
    day += dt.timedelta(days=1)
    advance(world, moment(day, 10))
    siecle_services.eleve_descolariser(world=world, eleve=eleve, annee=annee, date_sortie=day)

    # one night later: the AAF of 20:00 still held them back (SIECLE lifted the signal at 01:00)
    advance(world, moment(day + dt.timedelta(days=1), 8))
    assert not siecle_selectors.signalements(world=world, uai=home).exists()
    assert pupil_accounts(world, eleve.ine) == []

    # two nights later: extracted under the school where they are present, account open
    advance(world, moment(day + dt.timedelta(days=2), 8))
    (account,) = pupil_accounts(world, eleve.ine)
    assert account.structure is not None and account.structure.uai == origin
    assert account.login and account.activation_code
