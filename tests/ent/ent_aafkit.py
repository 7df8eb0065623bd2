"""AAF runs for the ENT tests, written with the product's own writer (entsim.formats.aaf) and
handed to the ENT as the AAF will: an exchange aaf_complet / aaf_delta, source aaf, target ent,
pending until the 03:00 import."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

from entsim.formats import aaf
from entsim.models import Exchange, Job
from entsim.services.exchanges import exchange_record
from entsim.services.jobs import job_create, job_execute
from entsim.timeline import PARIS

ETAB_ID = "9001"
UAI = "0130001E"
_runs = itertools.count(1)


def etab(
    ident: str = ETAB_ID,
    *,
    uai: str = UAI,
    name: str = "CLG$CLG DE TEST$MARSEILLE",
    classes: Iterable[tuple[str, str]] = (),
    groups: Iterable[tuple[str, str]] = (),
) -> aaf.AddRequest:
    return aaf.AddRequest(
        aaf.ETAB,
        ident,
        {
            "ENTStructureJointure": [ident],
            "ENTStructureUAI": [uai],
            "ENTStructureNomCourant": [name],
            "ENTStructureTypeStruct": ["COLLEGE"],
            "ENTServAcAcademie": ["AIX-MARSEILLE"],
            "ENTStructureClasses": [aaf.CodeLabel(c, label).value() for c, label in classes],
            "ENTStructureGroupes": [aaf.CodeLabel(c, label).value() for c, label in groups],
        },
    )


def pupil(
    ident: str,
    last: str,
    first: str,
    *,
    classes: Iterable[str] = (),
    groups: Iterable[str] = (),
    relatives: Iterable[tuple[str, str]] = (),
    structure: str = ETAB_ID,
    mef: str = "10310019110",
    mef_label: str = "3EME",
) -> aaf.AddRequest:
    """relatives: (responsable id, legal) pairs."""
    return aaf.AddRequest(
        aaf.ELEVE,
        ident,
        {
            "ENTEleveINE": [f"{int(ident):010d}A"],
            "ENTPersonDateNaissance": ["04/03/2013"],
            "sn": [last],
            "givenName": [first],
            "personalTitle": ["M."],
            "ENTElevePersRelEleve": [
                aaf.RelativeLink(rel, "10", "1", legal, "1", "0").value()
                for rel, legal in relatives
            ],
            "ENTPersonStructRattach": [structure],
            "ENTEleveMEF": [mef],
            "ENTEleveLibelleMEF": [mef_label],
            "ENTEleveClasses": [aaf.StructRef(structure, c).value() for c in classes],
            "ENTEleveGroupes": [aaf.StructRef(structure, g).value() for g in groups],
            "ENTEleveBoursier": [aaf.format_bool(False)],
        },
    )


def relative(ident: str, last: str, first: str, *, title: str = "Mme") -> aaf.AddRequest:
    return aaf.AddRequest(
        aaf.PERS_REL_ELEVE,
        ident,
        {"sn": [last], "givenName": [first], "personalTitle": [title], "mail": []},
    )


def teacher(
    ident: str,
    last: str,
    first: str,
    *,
    classes: Iterable[tuple[str, str]] = (),
    groups: Iterable[tuple[str, str]] = (),
    principal: Iterable[str] = (),
    structure: str = ETAB_ID,
    filiere: str = "ENS",
) -> aaf.AddRequest:
    """classes / groups: (code, subject code) pairs."""
    label = "ENSEIGNEMENT" if filiere == "ENS" else "DIRECTION"
    return aaf.AddRequest(
        aaf.PERS_EDUC_NAT,
        ident,
        {
            "sn": [last],
            "givenName": [first],
            "personalTitle": ["Mme"],
            "ENTPersonStructRattach": [structure],
            "ENTPersonFonctions": [
                aaf.Function(structure, filiere, label, "L0422", "ESPAGNOL").value()
            ],
            "ENTAuxEnsClassesMatieres": [
                aaf.CourseRef(structure, c, s).value() for c, s in classes
            ],
            "ENTAuxEnsGroupesMatieres": [aaf.CourseRef(structure, g, s).value() for g, s in groups],
            "ENTAuxEnsClassesPrincipal": [aaf.StructRef(structure, c).value() for c in principal],
            "ENTPersonCategorieEnseignant": [aaf.format_bool(filiere == "ENS")],
        },
    )


def subject(code: str, label: str) -> aaf.AddRequest:
    return aaf.AddRequest(aaf.MAT, code, {"ENTLibelleMatiere": [label]})


def mef(code: str, label: str) -> aaf.AddRequest:
    return aaf.AddRequest(aaf.MEF, code, {"ENTLibelleMef": [label]})


def record_run(
    world,
    requests: Iterable[aaf.Request],
    *,
    kind: str = aaf.COMPLET,
    day: dt.date = dt.date(2027, 6, 14),
    prefix: str = f"ENT_{UAI}",
    chunk_size: int = aaf.CHUNK_SIZE,
    deposited_at: dt.datetime | None = None,
) -> Exchange:
    """Write a run with the product's writer and record it as the AAF would (pending)."""
    name, content = aaf.build_run(
        requests,
        prefix=prefix,
        kind=kind,
        header=aaf.Header(code_academie=world.academie_code, date_generation=day),
        chunk_size=chunk_size,
    )
    return exchange_record(
        world=world,
        kind="aaf_complet" if kind == aaf.COMPLET else "aaf_delta",
        source="aaf",
        target="ent",
        filename=name,
        content=content,
        deposited_at=deposited_at or dt.datetime.combine(day, dt.time(20, 30), tzinfo=PARIS),
        state=Exchange.State.PENDING,
    )


def run_import(world, at: dt.datetime | None = None) -> Job:
    """The 03:00 job, executed here (the worker test runs it on a real Celery worker)."""
    latest = world.exchanges.order_by("-deposited_at").first()
    due = at or (
        dt.datetime.combine(
            latest.deposited_at.astimezone(PARIS).date() + dt.timedelta(days=1),
            dt.time(3, 0),
            tzinfo=PARIS,
        )
    )
    job = job_create(
        world=world, kind="ent.import", due_at=due, dedup_key=f"test-import-{next(_runs)}"
    )
    done = job_execute(job_id=job.pk)
    assert done is not None and done.state == Job.State.DONE, done and done.error
    return done


def feed(world, requests, *, kind: str = aaf.COMPLET, day: dt.date = dt.date(2027, 6, 14), **kw):
    """Record a run and import it at once: the exchange, settled."""
    exchange = record_run(world, requests, kind=kind, day=day, **kw)
    run_import(world)
    exchange.refresh_from_db()
    return exchange
