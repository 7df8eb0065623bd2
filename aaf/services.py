"""The AAF night extraction: every establishment of the world, read from STS-web and SIECLE
(through their selectors only), written as ficAlimMENESR files and sent to the ENT.

Rules (issue 7, guide 2.13 and 4), each visible in the run's report:
- a pupil scolarisé (active schooling) in two establishments of the world is left out, and
  stays out until SIECLE's night batch has lifted its multi-inscription signal;
- a pupil without an active schooling is not extracted (SIECLE gives only the scolarisés);
- a teacher carries classes and groups only through the services of the last Services export
  of STS-web (a substitute gets the absent teacher's classes after the export);
- class and group values are prefixed with the structure's jointure id;
- a duplicate responsable (two SIECLE rows) is two PersRelEleve.

Complet on Saturday night, Delta the other nights: every run also keeps the whole directory of
the night (a Complet-equivalent zip, `AafRun.snapshot`), and the Delta is computed from the
previous run's snapshot with `aaf.delta`. A Delta night when nothing the extraction reads has
changed since the last run (the digest of its sources, `AafRun.inputs`) sends an empty Delta
and shares the last snapshot, without extracting: the summer's nights cost a digest each.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.db import transaction

import siecle.selectors as siecle_selectors
import sts.selectors as sts_selectors
from entsim.formats import aaf, sts_emp
from entsim.formats.safe import FormatError
from entsim.models import Exchange, Job, World
from entsim.registry import ExchangeRefused
from entsim.selectors import world_rows_digest
from entsim.services.exchanges import exchange_record
from entsim.services.jobs import job_progress_report
from entsim.timeline import PARIS

from .models import AafId, AafRun


class NothingToExtract(ExchangeRefused):
    """No establishment to extract: no file is sent."""


EXCHANGE_KIND = {aaf.COMPLET: "aaf_complet", aaf.DELTA: "aaf_delta"}
SATURDAY = 5
FILIERES = {
    "ENS": "ENSEIGNEMENT",
    "DIR": "DIRECTION",
    "EDU": "EDUCATION",
    "DOC": "DOCUMENTATION",
}
ID_BATCH = 2000
CHUNK = 2000  # rows per fetch of a streamed query


def feed_prefix(world: World) -> str:
    """One feed for the académie: the ENT closes what a Complet of that feed no longer holds."""
    return f"ENT_AC{world.academie_code or '000'}"


# --- Stable ids ---------------------------------------------------------------------------------


class Ids:
    """Stable numeric jointure ids (`AafId` rows), loaded and created in batches."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.cache: dict[str, str] = {}

    def load(self, keys: list[str]) -> None:
        wanted = [key for key in dict.fromkeys(keys) if key not in self.cache]
        for start in range(0, len(wanted), ID_BATCH):
            chunk = wanted[start : start + ID_BATCH]
            found = dict(
                AafId.objects.filter(world=self.world, key__in=chunk).values_list("key", "pk")
            )
            missing = [key for key in chunk if key not in found]
            if missing:
                AafId.objects.bulk_create(
                    [AafId(world=self.world, key=key) for key in missing], ignore_conflicts=True
                )
                found.update(
                    AafId.objects.filter(world=self.world, key__in=missing).values_list("key", "pk")
                )
            self.cache.update((key, str(pk)) for key, pk in found.items())

    def get(self, key: str) -> str:
        if key not in self.cache:
            self.load([key])
        return self.cache[key]

    def forget(self, prefix: str) -> None:
        """Drop the cached ids of one establishment's persons (memory stays bounded)."""
        for key in [key for key in self.cache if key.startswith(prefix)]:
            del self.cache[key]


# --- Extraction -----------------------------------------------------------------------------------


@dataclass
class Extraction:
    """What one extraction found: counts per category and the persons left out."""

    counts: Counter = field(default_factory=Counter)
    left_out: list[dict] = field(default_factory=list)

    def leave_out(self, category: str, name: str, uai: str, reason: str) -> None:
        self.left_out.append({"categorie": category, "nom": name, "uai": uai, "motif": reason})


def _title(civilite: str, sexe: str = "") -> str:
    value = (civilite or "").upper().rstrip(".")
    if value in ("M", "1") or (not value and sexe == "1"):
        return "M."
    return "Mme"


def _date(value: dt.date | None) -> list[str]:
    return [aaf.format_date(value)] if value else []


def _services_exports(world: World) -> dict[str, sts_emp.StsEmp]:
    """The last Services export of STS-web per UAI (what SIECLE and the AAF know of them)."""
    found: dict[str, sts_emp.StsEmp] = {}
    exchanges = Exchange.objects.filter(world=world, kind="sts_services").order_by(
        "-deposited_at", "-id"
    )
    for exchange in exchanges.iterator():
        try:
            with exchange.file.open("rb") as handle:
                doc = sts_emp.read(handle.read())
        except (FormatError, OSError, ValueError):
            continue
        found.setdefault(doc.parametres.uaj.code, doc)
    return found


@dataclass
class _Courses:
    classes: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    groups: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    principal: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    subjects: dict[str, str] = field(default_factory=dict)


def _courses(doc: sts_emp.StsEmp | None) -> _Courses:
    """Teacher STS id -> (code, subject) of the classes and groups of the exported services."""
    courses = _Courses()
    if doc is None:
        return courses
    for matiere in doc.nomenclatures.matieres:
        courses.subjects[matiere.code] = (
            matiere.libelle_edition or matiere.libelle_long or matiere.code
        )
    structure = doc.donnees.structure
    for target, items in (
        (courses.classes, structure.divisions),
        (courses.groups, structure.groupes),
    ):
        for item in items:
            for service in item.services:
                for teacher in service.enseignants:
                    pair = (item.code, service.code_matiere)
                    if pair not in target[teacher.id]:
                        target[teacher.id].append(pair)
    for individu in (*doc.donnees.individus, *doc.donnees.suppleants):
        for prof in individu.profs_princ:
            courses.principal[individu.id].append(prof.code_structure)
    return courses


@dataclass(frozen=True)
class _Multi:
    """Why a pupil is held back: scolarisé in two establishments now (`live`), or still under
    SIECLE's multi-inscription signal, which only its night batch lifts."""

    uais: tuple[str, ...]
    live: bool


# Signalement.nature of a multi-inscription (the only nature of SIECLE's académie signals).
MULTI_INSCRIPTION = "multi_inscription"


def _multi_inscribed(world: World, establishments: list[str], annee: int) -> dict[str, _Multi]:
    """INE -> why the pupil is left out, for every multi-inscribed INE.

    A pupil scolarisé in two establishments is left out at once. After the déscolarisation, the
    pupil stays out while SIECLE still signals the multi-inscription: the blocking is lifted by
    SIECLE's night batch (guide 2.13), so the pupil comes out in the AAF the next evening and
    in the ENT two nights after the déscolarisation. Only the INEs are read (one column,
    streamed), with the first UAI of each."""
    first: dict[str, str] = {}
    live: dict[str, list[str]] = {}
    signalled: dict[str, list[str]] = defaultdict(list)
    scolarises = siecle_selectors.Criteres(scolarise="oui")
    for uai in establishments:
        rows = siecle_selectors.eleves_rechercher(
            world=world, uai=uai, annee=annee, criteres=scolarises
        ).values_list("eleve__ine", flat=True)
        for ine in rows.iterator(chunk_size=CHUNK):
            if not ine:
                continue
            known = first.setdefault(ine, uai)
            if known != uai:
                live.setdefault(ine, [known]).append(uai)
        signals = siecle_selectors.signalements(world=world, uai=uai).filter(
            annee=annee, nature=MULTI_INSCRIPTION
        )
        for ine in signals.values_list("ine", flat=True):
            if ine:
                signalled[ine].append(uai)
    found = {ine: _Multi(tuple(uais), False) for ine, uais in signalled.items()}
    found.update((ine, _Multi(tuple(uais), True)) for ine, uais in live.items())
    return found


def extract(
    world: World, *, at: dt.datetime, report: Extraction, job: Job | None = None
) -> Iterator[aaf.AddRequest]:
    """Every entry of the directory (add requests), one establishment at a time; the night's
    job (if any) reports its progress after each establishment."""
    ids = Ids(world)
    annee = world.school_year(at)
    bases = siecle_selectors.etablissements(world=world)
    sts_years = {
        est.uai: (est, year) for est, year in sts_selectors.establishments_with_year(world=world)
    }
    uais = sorted(set(bases) | set(sts_years))
    ids.load([f"S:{uai}" for uai in uais])
    exports = _services_exports(world)
    multi = _multi_inscribed(world, sorted(bases), annee)
    mefs: dict[str, str] = {}
    subjects: dict[str, str] = {}
    for done, uai in enumerate(uais):
        if job is not None:
            job_progress_report(job=job, done=done, total=len(uais) + 1)
        etab_id = ids.get(f"S:{uai}")
        base = bases.get(uai)
        sts_pair = sts_years.get(uai)
        classes = siecle_selectors.divisions(world=world, uai=uai, annee=annee) if base else []
        groups = siecle_selectors.groupes(world=world, uai=uai, annee=annee) if base else []
        yield _etab(world, etab_id, uai, base, sts_pair, classes, groups)
        report.counts[aaf.ETAB] += 1
        if base is not None:
            yield from _pupils(world, ids, uai, etab_id, annee, multi, mefs, report)
        if sts_pair is not None:
            yield from _staff(
                world, ids, uai, etab_id, sts_pair[1], exports.get(uai), subjects, report
            )
        ids.forget(f"E:{uai}:")
        ids.forget(f"R:{uai}:")
    if job is not None:  # what is left: nomenclatures, the zip, the Delta
        job_progress_report(job=job, done=len(uais), total=len(uais) + 1)
    for code, label in sorted(mefs.items()):
        if code.isdigit():
            report.counts[aaf.MEF] += 1
            yield aaf.AddRequest(aaf.MEF, code, {"ENTLibelleMef": [label or code]})
    for code, label in sorted(subjects.items()):
        if code.isdigit():
            report.counts[aaf.MAT] += 1
            yield aaf.AddRequest(aaf.MAT, code, {"ENTLibelleMatiere": [label or code]})


def _clean(value: str) -> str:
    return (value or "").replace(aaf.SEPARATOR, " ").strip()


def _etab(world, etab_id, uai, base, sts_pair, classes, groups) -> aaf.AddRequest:
    est = sts_pair[0] if sts_pair else None
    sigle = _clean(base.sigle if base else est.sigle)
    name = _clean(base.denomination if base else f"{est.denom_princ} {est.denom_compl}")
    city = _clean(base.commune if base else est.commune)
    return aaf.AddRequest(
        aaf.ETAB,
        etab_id,
        {
            "ENTStructureUAI": [uai],
            "ENTStructureNomCourant": [aaf.StructureName(sigle, name, city).value()],
            "ENTStructureTypeStruct": ["COLLEGE" if sigle.upper().startswith("CLG") else sigle],
            "ENTServAcAcademie": [world.academie_code],
            "street": [base.adresse if base else est.adresse],
            "postalCode": [base.code_postal if base else est.code_postal],
            "l": [city],
            "telephoneNumber": [base.telephone if base else est.telephone],
            "ENTStructureClasses": [
                aaf.CodeLabel(_clean(s.code), _clean(s.libelle_long) or _clean(s.code)).value()
                for s in classes
            ],
            "ENTStructureGroupes": [
                aaf.CodeLabel(_clean(s.code), _clean(s.libelle_long) or _clean(s.code)).value()
                for s in groups
            ],
        },
    )


def _multi_reason(held: _Multi, uai: str, ine: str) -> str:
    others = ", ".join(sorted(set(held.uais) - {uai})) or uai
    if held.live:
        return f"Multi-inscription : scolarisé aussi dans {others} (INE {ine})."
    return (
        f"Multi-inscription encore signalée par SIECLE ({others}, INE {ine}) : le blocage est "
        "levé par le traitement de nuit de SIECLE qui suit la déscolarisation."
    )


def _pupils(world, ids, uai, etab_id, annee, multi, mefs, report) -> Iterator[aaf.AddRequest]:
    actifs = siecle_selectors.eleves_actifs(world=world, uai=uai, annee=annee)
    labels = siecle_selectors.mef_labels(world=world, uai=uai)
    ids.load(
        [f"E:{uai}:{a.eleve.eleve_id}" for a in actifs]
        + [f"R:{uai}:{lien.personne.personne_id}" for a in actifs for lien in a.liens]
    )
    relatives: dict[str, tuple] = {}
    for actif in actifs:
        eleve, scolarite = actif.eleve, actif.scolarite
        name = f"{eleve.nom} {eleve.prenom}"
        held = multi.get(eleve.ine) if eleve.ine else None
        if held is not None:
            report.leave_out(aaf.ELEVE, name, uai, _multi_reason(held, uai, eleve.ine))
            continue
        pupil_id = ids.get(f"E:{uai}:{eleve.eleve_id}")
        links = []
        for lien in actif.liens:
            rel_id = ids.get(f"R:{uai}:{lien.personne.personne_id}")
            links.append(
                aaf.RelativeLink(
                    rel_id,
                    _clean(lien.code_parente) or "90",
                    "1" if lien.resp_financier else "0",
                    str(lien.niveau),
                    "1" if lien.pers_contact else "0",
                    "1" if lien.pers_paiement else "0",
                ).value()
            )
            entry = relatives.setdefault(rel_id, (lien.personne, []))
            entry[1].append(pupil_id)
        mefs.setdefault(scolarite.mef_code, labels.get(scolarite.mef_code, ""))
        address = eleve.adresse
        yield aaf.AddRequest(
            aaf.ELEVE,
            pupil_id,
            {
                "ENTEleveINE": [eleve.ine],
                "ENTPersonDateNaissance": _date(eleve.date_naissance),
                "sn": [eleve.nom_usage or eleve.nom],
                "givenName": [eleve.prenom],
                "ENTPersonAutresPrenoms": [p for p in (eleve.prenom2, eleve.prenom3) if p],
                "ENTPersonNomPatro": [eleve.nom],
                "personalTitle": [_title("", eleve.sexe)],
                "ENTElevePersRelEleve": links,
                "ENTPersonStructRattach": [etab_id],
                "ENTEleveStructRattachId": [etab_id],
                "ENTEleveRegime": [eleve.code_regime],
                "ENTEleveMEF": [scolarite.mef_code],
                "ENTEleveLibelleMEF": [labels.get(scolarite.mef_code, "")],
                "ENTEleveClasses": (
                    [aaf.StructRef(etab_id, _clean(scolarite.division)).value()]
                    if scolarite.division
                    else []
                ),
                "ENTEleveGroupes": [
                    aaf.StructRef(etab_id, _clean(code)).value() for code in actif.groupes
                ],
                "ENTEleveBoursier": [aaf.format_bool(False)],
                "ENTPersonAdresse": [" ".join(address.lignes)] if address else [],
                "ENTPersonCodePostal": [address.code_postal] if address else [],
                "ENTPersonVille": [address.commune] if address else [],
            },
        )
        report.counts[aaf.ELEVE] += 1
    criteres = siecle_selectors.Criteres(scolarise="non")
    for scolarite in siecle_selectors.eleves_rechercher(
        world=world, uai=uai, annee=annee, criteres=criteres
    ).iterator():
        eleve = scolarite.eleve
        if scolarite.date_sortie:
            reason = f"Sans scolarité active : sorti le {aaf.format_date(scolarite.date_sortie)}."
        else:
            reason = "Sans scolarité active : aucun MEF pour l'année (non affecté)."
        report.leave_out(aaf.ELEVE, f"{eleve.nom} {eleve.prenom}", uai, reason)
    for rel_id, (personne, pupils) in relatives.items():
        address = personne.adresse
        yield aaf.AddRequest(
            aaf.PERS_REL_ELEVE,
            rel_id,
            {
                "sn": [personne.nom_usage or personne.nom],
                "givenName": [personne.prenom],
                "personalTitle": [_title(personne.civilite)],
                "homePhone": [personne.tel_personnel],
                "telephoneNumber": [personne.tel_professionnel],
                "mobile": [personne.tel_portable],
                "mail": [personne.mel],
                "ENTPersonAdresse": [" ".join(address.lignes)] if address else [],
                "ENTPersonCodePostal": [address.code_postal] if address else [],
                "ENTPersonVille": [address.commune] if address else [],
                "ENTAuxPersRelEleveEleve": pupils,
            },
        )
        report.counts[aaf.PERS_REL_ELEVE] += 1


def _staff(world, ids, uai, etab_id, year, doc, subjects, report) -> Iterator[aaf.AddRequest]:
    courses = _courses(doc)
    teachers = list(sts_selectors.teachers_of_year(year=year, include_sup=True).order_by("sts_id"))
    ids.load([f"P:{t.sts_id}" for t in teachers])
    for teacher in teachers:
        key = str(teacher.sts_id)
        fonction = teacher.fonction or "ENS"
        taught_classes = courses.classes.get(key, [])
        taught_groups = courses.groups.get(key, [])
        for _, subject in (*taught_classes, *taught_groups):
            subjects.setdefault(subject, courses.subjects.get(subject, subject))
        discipline = teacher.discipline_code or ""
        yield aaf.AddRequest(
            aaf.PERS_EDUC_NAT,
            ids.get(f"P:{teacher.sts_id}"),
            {
                "sn": [teacher.nom_usage],
                "givenName": [teacher.prenom],
                "personalTitle": [_title(teacher.civilite, teacher.sexe)],
                "ENTPersonDateNaissance": _date(teacher.date_naissance),
                "ENTPersonStructRattach": [etab_id],
                "ENTPersonFonctions": [
                    aaf.Function(
                        etab_id,
                        _clean(fonction),
                        FILIERES.get(fonction, _clean(fonction)),
                        _clean(discipline) or "-",
                        _clean(sts_selectors.discipline_short(discipline)) if discipline else "-",
                    ).value()
                ],
                "ENTAuxEnsClasses": sorted(
                    {aaf.StructRef(etab_id, _clean(c)).value() for c, _ in taught_classes}
                ),
                "ENTAuxEnsGroupes": sorted(
                    {aaf.StructRef(etab_id, _clean(g)).value() for g, _ in taught_groups}
                ),
                "ENTAuxEnsClassesMatieres": [
                    aaf.CourseRef(etab_id, _clean(c), s).value() for c, s in taught_classes
                ],
                "ENTAuxEnsGroupesMatieres": [
                    aaf.CourseRef(etab_id, _clean(g), s).value() for g, s in taught_groups
                ],
                "ENTAuxEnsClassesPrincipal": [
                    aaf.StructRef(etab_id, _clean(c)).value()
                    for c in courses.principal.get(key, [])
                ],
                "ENTPersonCategorieEnseignant": [aaf.format_bool(fonction == "ENS")],
            },
        )
        report.counts[aaf.PERS_EDUC_NAT] += 1


# --- Runs -----------------------------------------------------------------------------------------


def _snapshot_requests(run: AafRun | None) -> Iterator[aaf.AddRequest]:
    if run is None or not run.snapshot:
        return
    with run.snapshot.open("rb") as handle, aaf.open_run(handle) as opened:
        for file in opened.files:
            for request in opened.requests(file):
                if isinstance(request, aaf.AddRequest):
                    yield request


def sources_digest(*, world: World, annee: int) -> str:
    """What the extraction reads: STS-web's and SIECLE's rows, the Services exports, the year."""
    digest = hashlib.sha256(str(annee).encode())
    for system in ("siecle", "sts"):
        digest.update(world_rows_digest(world=world, app_label=system).encode())
    exports = Exchange.objects.filter(world=world, kind="sts_services").order_by("pk")
    digest.update(repr(list(exports.values_list("pk", "deposited_at", "file"))).encode())
    return digest.hexdigest()


def aaf_run(
    *, world: World, at: dt.datetime, kind: str | None = None, job: Job | None = None
) -> AafRun:
    """Extract the directory, keep the night's snapshot, send the Complet or the Delta.

    Raises NothingToExtract when neither STS-web nor SIECLE holds an establishment (a world
    without its truth): an empty Complet would close every account of the ENT."""
    if not siecle_selectors.etablissements(world=world) and not (
        sts_selectors.establishments_with_year(world=world)
    ):
        raise NothingToExtract("Aucun établissement dans STS-web ni dans SIECLE : rien à extraire.")
    day = at.astimezone(PARIS).date()
    previous = (
        AafRun.objects.filter(world=world).exclude(snapshot="").order_by("-at", "-id").first()
    )
    if kind is None:
        kind = aaf.COMPLET if day.weekday() == SATURDAY or previous is None else aaf.DELTA
    if kind == aaf.DELTA and previous is None:
        kind = aaf.COMPLET
    header = aaf.Header(code_academie=world.academie_code or "000", date_generation=day)
    prefix = feed_prefix(world)
    inputs = sources_digest(world=world, annee=world.school_year(at))
    if kind == aaf.DELTA and previous.inputs == inputs:
        name, content = aaf.build_run(iter(()), prefix=prefix, kind=aaf.DELTA, header=header)
        return _run_record(
            world=world,
            kind=kind,
            at=at,
            file=(name, content),
            counts=previous.counts,
            operations={},
            left_out=previous.left_out,
            inputs=inputs,
            snapshot=previous.snapshot.name,
        )
    report = Extraction()
    with tempfile.TemporaryDirectory(prefix="aaf-run-") as folder:
        snapshot_dir = Path(folder) / "snapshot"
        snapshot_dir.mkdir()
        paths = aaf.write_run(
            extract(world, at=at, report=report, job=job),
            directory=snapshot_dir,
            prefix=prefix,
            kind=aaf.COMPLET,
            header=header,
        )
        snapshot_zip = Path(folder) / aaf.run_name(prefix, aaf.COMPLET, day)
        with snapshot_zip.open("wb") as target:
            aaf.zip_run(paths, target)
        operations: Counter = Counter()
        if kind == aaf.COMPLET:
            name, content = snapshot_zip.name, snapshot_zip.read_bytes()
            operations.update({f"{c} ajout": n for c, n in report.counts.items()})
        else:

            def current() -> Iterator[aaf.AddRequest]:
                with snapshot_zip.open("rb") as handle, aaf.open_run(handle) as opened:
                    for file in opened.files:
                        yield from opened.requests(file)

            def counted(requests):
                verbs = {
                    aaf.AddRequest: "ajout",
                    aaf.ModifyRequest: "modification",
                    aaf.DeleteRequest: "suppression",
                }
                for request in requests:
                    operations[f"{request.category} {verbs[type(request)]}"] += 1
                    yield request

            name, content = aaf.build_run(
                counted(aaf.delta(_snapshot_requests(previous), current())),
                prefix=prefix,
                kind=aaf.DELTA,
                header=header,
            )
        return _run_record(
            world=world,
            kind=kind,
            at=at,
            file=(name, content),
            counts={c: report.counts.get(c, 0) for c in aaf.CATEGORIES},
            operations=dict(operations),
            left_out=report.left_out,
            inputs=inputs,
            snapshot=snapshot_zip,
        )


def _run_record(
    *,
    world: World,
    kind: str,
    at: dt.datetime,
    file: tuple[str, bytes],
    counts: dict[str, int],
    operations: dict[str, int],
    left_out: list[dict],
    inputs: str,
    snapshot: Path | str,
) -> AafRun:
    """The file sent to the ENT and the run, in one transaction. `snapshot`: the night's
    directory to keep (a zip), or the stored name of the last run's when nothing changed."""
    name, content = file
    with transaction.atomic():
        exchange = exchange_record(
            world=world,
            kind=EXCHANGE_KIND[kind],
            source="aaf",
            target="ent",
            filename=name,
            content=content,
            deposited_at=at,
            state=Exchange.State.PENDING,
            report={"entrees": {c: n for c, n in counts.items() if n}, "ecartes": len(left_out)},
        )
        run = AafRun(
            world=world,
            kind=kind,
            day=at.astimezone(PARIS).date(),
            at=at,
            counts=counts,
            requests=operations,
            left_out=left_out,
            exchange=exchange,
            inputs=inputs,
        )
        if isinstance(snapshot, Path):
            with snapshot.open("rb") as handle:
                run.snapshot.save(snapshot.name, File(handle), save=False)
        else:
            run.snapshot.name = snapshot
        run.save()
    return run


def aaf_night_extraction(job: Job) -> dict:
    """The 20:00 job: Complet on Saturday night, Delta the other nights."""
    try:
        run = aaf_run(world=job.world, at=job.due_at, job=job)
    except NothingToExtract as error:
        return {"echange": None, "motif": error.message}
    return {
        "type": run.kind,
        "entrees": run.counts,
        "ecartes": len(run.left_out),
        "echange": run.exchange_id,
    }


def aaf_complet_export(*, world: World, user=None) -> Exchange:
    return aaf_run(world=world, at=world.now(), kind=aaf.COMPLET).exchange


def aaf_delta_export(*, world: World, user=None) -> Exchange:
    return aaf_run(world=world, at=world.now(), kind=aaf.DELTA).exchange
