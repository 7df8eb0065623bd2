"""N1: the nightly import of AAF runs into the ENT: accounts, logins, classes and groups."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from ent import selectors, services
from ent.models import Account, Cohort, Membership
from entsim.formats import aaf
from entsim.models import Exchange
from entsim.registry import ExchangeRefused
from entsim.selectors import world_report
from entsim.services.exchanges import exchange_deposit, exchange_record
from entsim.timeline import PARIS
from tests.ent.ent_aafkit import (
    UAI,
    etab,
    feed,
    pupil,
    record_run,
    relative,
    run_import,
    subject,
    teacher,
)

pytestmark = pytest.mark.django_db

DAY = dt.date(2027, 6, 14)
NEXT = dt.date(2027, 6, 15)


def college(*extra: aaf.Request) -> list[aaf.Request]:
    """A collège: 3A, 3B, a Spanish LV2 group drawn from both, a teacher, two parents."""
    return [
        etab(classes=[("3A", "3EME A"), ("3B", "3EME B")], groups=[("3ESP1", "ESPAGNOL LV2")]),
        subject("030602", "ESPAGNOL LV2"),
        pupil("1001", "MARTIN", "Zoé", classes=["3A"], groups=["3ESP1"], relatives=[("5001", "1")]),
        pupil("1002", "NGUYEN", "Léo", classes=["3B"], groups=["3ESP1"], relatives=[("5002", "2")]),
        pupil("1003", "DUPONT", "Jean Pierre", classes=["3B"]),
        relative("5001", "MARTIN", "Inès"),
        relative("5002", "NGUYEN", "Thi"),
        teacher(
            "7001",
            "GARCIA",
            "Lucía",
            classes=[("3A", "030602"), ("3B", "030602")],
            groups=[("3ESP1", "030602")],
            principal=["3A"],
        ),
        *extra,
    ]


def account(world, jointure: str) -> Account:
    return selectors.account_by_jointure(world=world, jointure=jointure)


def test_complet_creates_accounts_classes_groups(make_world):
    world = make_world()
    exchange = feed(world, college())
    assert exchange.state == Exchange.State.PROCESSED, exchange.report
    report = exchange.report
    assert (report["type"], report["flux"], report["date_extraction"]) == (
        "Complet",
        f"ENT_{UAI}",
        "14/06/2027",
    )
    assert report["crees"] == 5  # 3 pupils, 1 teacher, 1 legal parent
    assert report["responsables_non_retenus"] == 1
    assert report["structures"] == {"creees": 1}
    zoe = account(world, "1001")
    assert (zoe.login, zoe.profile, zoe.state) == ("zoe.martin", "eleve", "actif")
    assert len(zoe.activation_code) == 8 and zoe.activated_at is None
    assert zoe.structure.uai == UAI and zoe.birth_date == dt.date(2013, 3, 4)
    assert account(world, "1003").login == "jean-pierre.dupont"
    garcia = account(world, "7001")
    assert (garcia.login, garcia.profile) == ("lucia.garcia", "enseignant")
    assert selectors.person_cohorts(world=world, jointure="7001") == {
        "classes": ["3A", "3B"],
        "groupes": ["3ESP1"],
    }
    membership = Membership.objects.get(account=garcia, cohort__code="3A")
    assert membership.subjects == ["030602"] and membership.principal
    # the language group is drawn from both classes
    assert selectors.cohort_members_by_code(world=world, code="3ESP1", uai=UAI) == ["1001", "1002"]
    assert selectors.person_cohorts(world=world, jointure="1003") == {
        "classes": ["3B"],
        "groupes": [],
    }
    # a PersRelEleve is kept only when a pupil names it with legal = 1
    assert account(world, "5001").state == Account.State.ACTIF
    thi = account(world, "5002")
    assert (thi.state, thi.login) == (Account.State.NON_RETENU, None)
    assert Cohort.objects.get(world=world, code="3ESP1").label == "ESPAGNOL LV2"


def test_logins_accents_apostrophes_ligatures():
    assert services.login_base("Zoé", "Martin") == "zoe.martin"
    assert services.login_base("Jean Pierre", "N'Guyen") == "jean-pierre.n-guyen"
    assert services.login_base("Anaïs", "de l’Œuvre") == "anais.de-l-oeuvre"
    assert services.login_base("", "") == "utilisateur"
    taken = {"zoe.martin", "zoe.martin2"}
    assert services.login_next("zoe.martin", taken) == "zoe.martin3"
    assert services.login_next("leo.nguyen", taken) == "leo.nguyen"


def test_logins_numbered_on_collision_and_kept_for_life(make_world):
    world = make_world()
    first = [etab(classes=[("3A", "3A")]), pupil("1", "MARTIN", "Zoé", classes=["3A"])]
    feed(world, [*first, pupil("2", "MARTIN", "Zoé", classes=["3A"])], day=DAY)
    assert (account(world, "1").login, account(world, "2").login) == ("zoe.martin", "zoe.martin2")
    code = account(world, "1").activation_code
    # Night 2: pupil 1 leaves; a new homonym arrives: the closed account keeps its login.
    closing = feed(
        world,
        [
            first[0],
            pupil("2", "MARTIN", "Zoé", classes=["3A"]),
            pupil("3", "MARTIN", "Zoé", classes=["3A"]),
        ],
        day=NEXT,
    )
    assert (closing.report["fermes"], closing.report["crees"]) == (1, 1)
    gone = account(world, "1")
    assert (gone.state, gone.login) == (Account.State.FERME, "zoe.martin")
    assert gone.closed_at is not None
    assert selectors.person_cohorts(world=world, jointure="1") == {"classes": [], "groupes": []}
    assert account(world, "3").login == "zoe.martin3"
    # Night 3: pupil 1 comes back (Delta add): same account, same login, same code.
    back = feed(world, [first[1]], kind=aaf.DELTA, day=dt.date(2027, 6, 16))
    assert back.report["rouverts"] == 1
    again = account(world, "1")
    assert (again.state, again.login, again.activation_code) == ("actif", "zoe.martin", code)
    assert again.closed_at is None
    assert Account.objects.filter(world=world).count() == 3


def test_duplicate_responsable_gives_two_accounts(make_world):
    world = make_world()
    feed(
        world,
        [
            etab(classes=[("3A", "3A")]),
            pupil("1", "DURAND", "Léa", classes=["3A"], relatives=[("51", "1")]),
            pupil("2", "DURAND", "Hugo", classes=["3A"], relatives=[("52", "1")]),
            relative("51", "DURAND", "Marie"),
            relative("52", "DURAND", "Marie"),  # the same person, entered twice in SIECLE
        ],
    )
    parents = Account.objects.filter(world=world, profile="parent").order_by("jointure")
    assert [(p.jointure, p.login, p.state) for p in parents] == [
        ("51", "marie.durand", "actif"),
        ("52", "marie.durand2", "actif"),
    ]
    homes = [selectors.account_home(world=world, account=p) for p in parents]
    assert [[child.first_name for child, _link in h.children] for h in homes] == [["Léa"], ["Hugo"]]


def test_delta_add_modify_delete(make_world):
    world = make_world()
    feed(world, college(), day=DAY)
    changes = [
        aaf.ModifyRequest(
            aaf.ELEVE,
            "1003",
            (aaf.Modification("ENTEleveGroupes", [aaf.StructRef("9001", "3ESP1").value()]),),
        ),
        aaf.ModifyRequest(aaf.ELEVE, "1002", (aaf.Modification("ENTEleveGroupes", []),)),
        aaf.DeleteRequest(aaf.ELEVE, "1001"),
        aaf.ModifyRequest(aaf.ELEVE, "9999", (aaf.Modification("sn", ["X"]),)),
        pupil("1004", "ROUX", "Inès", classes=["3A"], groups=["3ESP1"]),
    ]
    exchange = feed(world, changes, kind=aaf.DELTA, day=NEXT)
    report = exchange.report
    assert exchange.state == Exchange.State.PROCESSED, report
    # 1001 closed, and with her the only pupil naming parent 5001 with legal = 1
    assert (report["crees"], report["modifies"], report["fermes"]) == (1, 2, 2)
    assert report["ignores"] == 1 and "9999" in report["avertissements"][0]
    assert selectors.cohort_members_by_code(world=world, code="3ESP1") == ["1003", "1004"]
    assert account(world, "5001").state == Account.State.FERME
    assert account(world, "1002").last_name == "NGUYEN"  # untouched attributes stay


def test_complet_closes_only_what_its_feed_held(make_world):
    world = make_world()
    other = "ENT_0130002F"
    feed(world, [etab(classes=[("3A", "3A")]), pupil("1", "A", "Un", classes=["3A"])])
    feed(
        world,
        [etab("9002", uai="0130002F"), pupil("2", "B", "Deux", structure="9002")],
        prefix=other,
        day=NEXT,
    )
    # a Complet of the first establishment without pupils: only its own pupil is closed
    exchange = feed(world, [etab(classes=[("3A", "3A")])], day=dt.date(2027, 6, 16))
    assert exchange.report["fermes"] == 1
    assert account(world, "1").state == Account.State.FERME
    assert account(world, "2").state == Account.State.ACTIF


def tampered(content: bytes, old: bytes, new: bytes) -> bytes:
    """The same run with one attribute renamed (our writer refuses to write such a name)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            target.writestr(name, source.read(name).replace(old, new))
    return buffer.getvalue()


def test_unknown_attribute_rejects_the_whole_run(make_world):
    world = make_world()
    name, content = aaf.build_run(
        college(), prefix=f"ENT_{UAI}", kind=aaf.COMPLET, header=aaf.Header("002", DAY)
    )
    exchange = exchange_record(
        world=world,
        kind="aaf_complet",
        source="aaf",
        target="ent",
        filename=name,
        content=tampered(content, b'<attr name="personalTitle">', b'<attr name="ENTPersonSexe">'),
        deposited_at=dt.datetime(2027, 6, 14, 20, 30, tzinfo=PARIS),
        state=Exchange.State.PENDING,
    )
    job = run_import(world)
    exchange.refresh_from_db()
    assert exchange.state == Exchange.State.REJECTED
    assert "attribut inconnu « ENTPersonSexe »" in exchange.report["motif"]
    assert "tout le lot est rejeté" in exchange.report["motif"]
    assert job.report["rejetes"] == 1
    # nothing of it was applied, not even the structure read before the faulty file
    assert not Account.objects.filter(world=world).exists()
    assert not Cohort.objects.filter(world=world).exists()


def test_delta_deposited_as_complet_is_rejected(make_world):
    world = make_world()
    name, content = aaf.build_run(
        college(), prefix=f"ENT_{UAI}", kind=aaf.DELTA, header=aaf.Header("002", DAY)
    )
    exchange = exchange_record(
        world=world,
        kind="aaf_complet",
        source="aaf",
        target="ent",
        filename=name,
        content=content,
        deposited_at=dt.datetime(2027, 6, 14, 20, 30, tzinfo=PARIS),
        state=Exchange.State.PENDING,
    )
    run_import(world)
    exchange.refresh_from_db()
    assert exchange.state == Exchange.State.REJECTED
    assert "Delta" in exchange.report["motif"]


def test_runs_are_imported_in_order_and_only_once_arrived(make_world):
    world = make_world()
    first = record_run(world, college(), day=DAY)
    second = record_run(
        world,
        [aaf.DeleteRequest(aaf.ELEVE, "1003")],
        kind=aaf.DELTA,
        day=NEXT,
    )
    late = record_run(world, [pupil("1005", "LATE", "Tard")], kind=aaf.DELTA, day=NEXT)
    late.deposited_at = dt.datetime(2027, 6, 16, 4, 0, tzinfo=PARIS)  # after the 03:00 import
    late.save(update_fields=["deposited_at"])
    job = run_import(world, at=dt.datetime(2027, 6, 16, 3, 0, tzinfo=PARIS))
    assert job.report["lots"] == [first.filename, second.filename]
    assert job.report["traites"] == 2
    assert account(world, "1003").state == Account.State.FERME
    late.refresh_from_db()
    assert late.state == Exchange.State.PENDING and account(world, "1005") is None
    first.refresh_from_db()
    assert first.processed_at == dt.datetime(2027, 6, 16, 3, 0, tzinfo=PARIS)
    # imported once: the next night reads only the late one
    assert run_import(world).report["lots"] == [late.filename]


def test_activation_with_the_code(make_world):
    world = make_world()
    feed(world, college())
    zoe = account(world, "1001")
    with pytest.raises(services.EntError, match="Code d'activation incorrect"):
        services.account_activate(world=world, login="zoe.martin", code="AAAAAAAA")
    with pytest.raises(services.EntError, match="Identifiant inconnu"):
        services.account_activate(world=world, login="personne", code=zoe.activation_code)
    services.account_activate(world=world, login="Zoe.Martin ", code=zoe.activation_code.lower())
    zoe.refresh_from_db()
    assert zoe.activated_at == world.now()
    with pytest.raises(services.EntError, match="déjà activé"):
        services.account_activate(world=world, login="zoe.martin", code=zoe.activation_code)


def test_report_counts_and_deposit(make_world):
    world = make_world()
    feed(world, college())
    ent = world_report(world=world)["systemes"]["ent"]
    assert ent == {
        "eleves": 3,
        "responsables": 1,
        "enseignants": 1,
        "divisions": 2,
        "groupes": 1,
        "liens": 2,
        "comptes": 5,
        "signalements": 0,
    }
    with pytest.raises(ExchangeRefused, match="archive zip"):
        exchange_deposit(world=world, kind="aaf_delta", filename="x.zip", content=b"rien")
    name, content = aaf.build_run(
        college(), prefix=f"ENT_{UAI}", kind=aaf.COMPLET, header=aaf.Header("002", DAY)
    )
    with pytest.raises(ExchangeRefused, match="Complet, pas Delta"):
        exchange_deposit(world=world, kind="aaf_delta", filename=name, content=content)
    deposited = exchange_deposit(world=world, kind="aaf_complet", filename=name, content=content)
    assert (deposited.state, deposited.source, deposited.target) == ("pending", "aaf", "ent")


def test_complet_naming_one_identifier_twice_is_rejected(make_world):
    world = make_world()
    feed(world, college())
    before = {a.jointure: (a.state, a.login) for a in Account.objects.filter(world=world)}
    # the next night, Léo's entry carries Zoé's identifier: two entries, one account
    leo = pupil("1001", "NGUYEN", "Léo", classes=["3B"], relatives=[("5002", "2")])
    requests = [r for r in college() if r.id != "1002"] + [leo]
    exchange = feed(world, requests, day=NEXT)
    assert exchange.state == Exchange.State.REJECTED
    motif = exchange.report["motif"]
    assert "l'identifiant 1001 (Eleve) figure deux fois" in motif
    assert "Tout le lot est rejeté" in motif
    # nothing applied: Léo (1002) is not closed, Zoé keeps her account and her name
    after = {a.jointure: (a.state, a.login) for a in Account.objects.filter(world=world)}
    assert after == before
    assert account(world, "1002").state == Account.State.ACTIF
    assert account(world, "1001").first_name == "Zoé"


def test_delta_naming_one_identifier_twice_is_rejected(make_world):
    world = make_world()
    feed(world, college())
    modify = aaf.ModifyRequest(aaf.ELEVE, "1001", (aaf.Modification("givenName", ("Zoë",)),))
    delete = aaf.DeleteRequest(aaf.ELEVE, "1001")
    exchange = feed(world, [modify, delete], kind=aaf.DELTA, day=NEXT)
    assert exchange.state == Exchange.State.REJECTED
    assert "figure deux fois" in exchange.report["motif"]
    assert account(world, "1001").state == Account.State.ACTIF


def test_import_reports_a_rising_progress(make_world, monkeypatch):
    from entsim.services import jobs

    world = make_world()
    record_run(world, college(), chunk_size=1)  # one request per file, and an empty MEF file
    seen: list[int] = []

    def report(*, job, done, total):
        jobs.job_progress_report(job=job, done=done, total=total)
        seen.append(jobs.job_progress(job=job))

    monkeypatch.setattr(services, "job_progress_report", report)
    job = run_import(world)
    assert len(seen) == 9 and seen == sorted(seen)  # before each file
    assert seen[0] == 0 and 0 < seen[-1] < 100 and len(set(seen)) == 9
    assert jobs.job_progress(job=job) == 100
