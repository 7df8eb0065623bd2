"""Importations > Liens élève-groupe depuis logiciel privé (ELEGROUPE, guide 2.12, 4.5).

Deposit by day (`elegroupe_deposit`): the five checks of FORMATS.md, each with its message;
no notification on success ("il n'y a pas de notification, c'est normal"); only the last
deposited file of an establishment is kept (an earlier one still waiting is set aside).
Processing at night (`elegroupe_night`, step 10 of the SIECLE night batch): "annule et
remplace" of the establishment's links of the year, pupils identified by ELEVE_ID, else INE,
else ID_PRV_ELE (not known to the base: goes on), else name + first name + birth date;
unknown group codes are skipped (partial import); rejects REJELEGROUPE_01/02/03; the report
and its four counts are stored on the exchange.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from entsim.formats import elegroupe
from entsim.formats.safe import FormatError, parse_xml, read_zip
from entsim.models import Exchange, World
from entsim.registry import ExchangeRefused
from entsim.services.exchanges import exchange_content, exchange_record, exchange_settle

from . import selectors
from .models import EleveGroupe, Etablissement, Exportation, Scolarite, Structure
from .normalise import cle_nom

KIND = "elegroupe"
_YEAR_IN_NAME = re.compile(r"ELEGROUPE(\d{4})", re.IGNORECASE)
# Exportation.nature of the pupils exports (Exportations > En XML): check 5 reads them.
NATURES_ELEVES = ("eleves_sans_adresses", "eleves_avec_adresses")

MSG_NO_EXPORT = "Aucun export des élèves n'a été effectué : faites d'abord Exportations > En XML."
MSG_NO_BASE = "Aucune base élèves pour l'établissement {uai}."
MSG_UAJ = "L'établissement du fichier ({uaj}) n'est pas celui du nom du fichier ({uai})."
MSG_EMPTY = "Le fichier est vide : rien à importer."
MSG_OTHER = (
    "Ce fichier est celui d'un autre établissement ({uai}) : vous êtes connecté à "
    "l'établissement {home}."
)
MSG_REPLACED = "Remplacé par un dépôt plus récent ({filename}) avant le traitement de nuit."

REJ_01 = "REJELEGROUPE_01"  # pupil not found
REJ_02 = "REJELEGROUPE_02"  # unidentified reject
REJ_03 = "REJELEGROUPE_03"  # pupil already processed under another identifier
REJ_LABELS = {
    REJ_01: "Élève non trouvé",
    REJ_02: "Rejet non identifié",
    REJ_03: "Élève déjà traité sous un autre identifiant",
}


def _content_precheck(content: bytes, home: str | None) -> None:
    """A plain XML that is empty, hostile or of another establishment is refused for that
    before the name checks (a zip is opened, safely, by `deposit_check`)."""
    if content[:4] == b"PK\x03\x04":
        return
    if not content.strip():
        raise _refused(MSG_EMPTY)
    try:
        root = parse_xml(content)
    except FormatError as error:
        raise _refused(error.message) from error
    uaj = (root.findtext("PARAMETRES/UAJ") or "").strip()
    if home is not None and uaj and uaj != home:
        raise _refused(MSG_OTHER.format(uai=uaj, home=home))


def _refused(message: str, details: list[str] | None = None) -> ExchangeRefused:
    return ExchangeRefused(message, details=details)


def _connection_year(world: World, filename: str) -> int:
    """Without a session (command line): the year the file names when the base has it open
    (en cours or en préparation), else the year in progress."""
    current = world.school_year()
    base = (
        Etablissement.objects.filter(world=world, uai=world.home.uai).first()
        if world.home is not None
        else None
    )
    found = _YEAR_IN_NAME.search(filename)
    if (
        base is not None
        and found
        and int(found.group(1)) in selectors.annees(world=world, etablissement=base).toutes
    ):
        return int(found.group(1))
    return current


def elegroupe_deposit(
    *, world: World, filename: str, content: bytes, user=None, annee: int | None = None
) -> Exchange:
    """The deposit (checks 1 to 5); the file waits for the night. Raises ExchangeRefused.

    `annee`: the year SIECLE is connected to (the page's chosen year); check 2 compares the
    file's year with it.
    """
    if annee is None:
        annee = _connection_year(world, filename)
    home = world.home.uai if world.home is not None else None
    _content_precheck(content, home)
    try:
        _xml_name, doc = elegroupe.deposit_check(filename, content, annee=annee)
    except elegroupe.DepositRefused as refused:
        raise _refused(refused.message, refused.details) from refused
    except FormatError as error:
        raise _refused(elegroupe.MSG_INVALID, [error.message]) from error
    parts = elegroupe.parse_filename(_xml_name)
    uai = parts.uai if parts else doc.uai
    if doc.uai != uai:
        raise _refused(MSG_UAJ.format(uaj=doc.uai, uai=uai))
    if home is not None and uai != home:
        raise _refused(MSG_OTHER.format(uai=uai, home=home))
    if not Etablissement.objects.filter(world=world, uai=uai).exists():
        raise _refused(MSG_NO_BASE.format(uai=uai))
    if not Exportation.objects.filter(world=world, uai=uai, nature__in=NATURES_ELEVES).exists():
        raise _refused(MSG_NO_EXPORT)
    exchange = exchange_record(
        world=world,
        kind=KIND,
        source="edt",
        target="siecle",
        filename=filename,
        content=content,
        deposited_by=user,
        report={"uai": uai, "annee": doc.annee, "eleves": len(doc.donnees.eleves)},
    )
    for older in _waiting(world).filter(report__uai=uai).exclude(pk=exchange.pk):
        exchange_settle(
            exchange=older,
            state=Exchange.State.REJECTED,
            report={**older.report, "motif": MSG_REPLACED.format(filename=filename)},
            at=exchange.deposited_at,
        )
    return exchange


def _waiting(world: World):
    return Exchange.objects.filter(
        world=world, kind=KIND, target="siecle", state=Exchange.State.DEPOSITED
    )


def elegroupes_waiting(*, world: World, uai: str) -> Exchange | None:
    """The file of the establishment waiting for the night, if any."""
    return _waiting(world).filter(report__uai=uai).order_by("-deposited_at", "-pk").first()


def elegroupe_imports(*, world: World, uai: str) -> list[Exchange]:
    """The establishment's ELEGROUPE deposits, the latest first (Importations page)."""
    return list(
        Exchange.objects.filter(world=world, kind=KIND, target="siecle", report__uai=uai).order_by(
            "-deposited_at", "-pk"
        )
    )


# --- the night --------------------------------------------------------------------------------


def _key(nom: str, prenom: str, naissance: dt.date | None) -> tuple[str, str, dt.date | None]:
    """Name + first name + birth date, compared without case or accents."""
    return (cle_nom(nom), cle_nom(prenom), naissance)


def _same_other_names(eleve: elegroupe.Eleve, scolarite: Scolarite) -> bool:
    """First names 2 and 3, when the file gives them, must match too."""
    return all(
        not given or cle_nom(given) == cle_nom(known)
        for given, known in (
            (eleve.prenom2, scolarite.eleve.prenom2),
            (eleve.prenom3, scolarite.eleve.prenom3),
        )
    )


def _ident(eleve: elegroupe.Eleve) -> str:
    if eleve.eleve_id is not None:
        return f"ELEVE_ID {eleve.eleve_id}"
    if eleve.id_national:
        return f"INE {eleve.id_national}"
    if eleve.id_prv_ele is not None:
        return f"ID_PRV_ELE {eleve.id_prv_ele}"
    return "sans identifiant"


def elegroupe_process(*, exchange: Exchange, at: dt.datetime) -> dict[str, Any]:
    """Import one deposited file: annule et remplace of the establishment's links of the year."""
    world = exchange.world
    uai = exchange.report.get("uai", "")
    try:
        doc = elegroupe.read(_xml_of(exchange))
    except FormatError as error:
        report = {"motif": f"Fichier illisible : {error.message}"}
        exchange_settle(exchange=exchange, state=Exchange.State.REJECTED, report=report, at=at)
        return report
    annee = doc.annee
    scolarites = list(
        Scolarite.objects.filter(world=world, uai=uai, annee=annee).select_related("eleve")
    )
    by_id, by_ine, by_name = {}, {}, {}
    for scolarite in scolarites:
        eleve = scolarite.eleve
        by_id[eleve.eleve_id] = scolarite
        if eleve.ine:
            by_ine[eleve.ine] = scolarite
        by_name.setdefault(_key(eleve.nom, eleve.prenom, eleve.date_naissance), []).append(
            scolarite
        )
    codes = set(
        Structure.objects.filter(
            world=world, uai=uai, annee=annee, type=Structure.Type.GROUPE
        ).values_list("code", flat=True)
    )
    start = dt.date(annee, 9, 1)

    EleveGroupe.objects.filter(world=world, uai=uai, scolarite__annee=annee).delete()
    links: list[EleveGroupe] = []
    done: dict[int, str] = {}
    complets = partiels = 0
    rejets: list[dict[str, str]] = []
    inconnus: set[str] = set()
    for eleve in doc.donnees.eleves:
        nom = eleve.nom_de_famille.strip().upper()
        prenom = eleve.prenom.strip().capitalize()
        who = f"{nom} {prenom} ({_ident(eleve)})"
        scolarite = None
        if eleve.eleve_id is not None:
            scolarite = by_id.get(eleve.eleve_id)
        if scolarite is None and eleve.id_national:
            scolarite = by_ine.get(eleve.id_national.strip().upper())
        if scolarite is None:  # ID_PRV_ELE is the software's own: the base does not keep it
            found = [
                s
                for s in by_name.get(_key(nom, prenom, eleve.date_naiss), [])
                if _same_other_names(eleve, s)
            ]
            if len(found) > 1:
                rejets.append({"code": REJ_02, "eleve": who, "motif": REJ_LABELS[REJ_02]})
                continue
            scolarite = found[0] if found else None
        if scolarite is None:
            rejets.append({"code": REJ_01, "eleve": who, "motif": REJ_LABELS[REJ_01]})
            continue
        if scolarite.pk in done:
            rejets.append(
                {
                    "code": REJ_03,
                    "eleve": who,
                    "motif": f"{REJ_LABELS[REJ_03]} ({done[scolarite.pk]})",
                }
            )
            continue
        done[scolarite.pk] = _ident(eleve)
        partiel = False
        seen: set[str] = set()
        for groupe in eleve.groupes:
            code = groupe.code_groupe.strip()
            if code not in codes:
                partiel = True
                inconnus.add(code)
                continue
            if code in seen:
                continue
            seen.add(code)
            default_start = max(start, scolarite.date_entree) if scolarite.date_entree else start
            links.append(
                EleveGroupe(
                    world=world,
                    uai=uai,
                    scolarite=scolarite,
                    groupe=code,
                    date_debut=groupe.date_debut_groupe or default_start,
                    date_fin=groupe.date_fin_groupe or scolarite.date_sortie,
                    source=EleveGroupe.Source.ELEGROUPE,
                )
            )
        if partiel:
            partiels += 1
        else:
            complets += 1
    EleveGroupe.objects.bulk_create(links, batch_size=1000)
    absents = sum(
        1
        for scolarite in scolarites
        if scolarite.pk not in done
        and (scolarite.date_sortie is None or scolarite.date_sortie > at.date())
    )
    report = {
        "uai": uai,
        "annee": annee,
        "complets": complets,
        "partiels": partiels,
        "rejetés": len(rejets),
        "absents du fichier": absents,
        "liens créés": len(links),
        "groupes inconnus": sorted(inconnus),
        "rejets": rejets,
    }
    exchange_settle(exchange=exchange, state=Exchange.State.PROCESSED, report=report, at=at)
    return report


def _xml_of(exchange: Exchange) -> bytes:
    content = exchange_content(exchange=exchange)
    if content[:4] == b"PK\x03\x04":
        (member,) = read_zip(content, max_members=1)
        return member.content
    return content


def elegroupe_night(*, world: World, now: dt.datetime) -> dict[str, Any]:
    """The night step: each establishment's last file deposited before the batch."""
    waiting = list(_waiting(world).filter(deposited_at__lte=now).order_by("deposited_at", "pk"))
    latest: dict[str, Exchange] = {}
    for exchange in waiting:
        if "uai" in exchange.report:  # deposited in SIECLE (not a file the EDT just wrote)
            latest[exchange.report["uai"]] = exchange
    reports = {}
    for uai, exchange in latest.items():
        report = elegroupe_process(exchange=exchange, at=now)
        keys = ("complets", "partiels", "rejetés", "absents du fichier", "motif")
        reports[uai] = {key: report[key] for key in keys if key in report}
    return reports


RECEIVED_KINDS = {
    "sts_structure": "STS-web : structure (divisions et groupes)",
    "sts_services": "STS-web : services des enseignants",
    KIND: "Liens élève-groupe depuis logiciel privé",
}


def received_exchanges(*, world: World, limit: int = 30) -> list[dict[str, Any]]:
    """Importations page: each file received by the base, with its report as (label, value)."""
    rows = []
    for exchange in Exchange.objects.filter(
        world=world, target="siecle", kind__in=RECEIVED_KINDS
    ).order_by("-deposited_at", "-pk")[:limit]:
        report = exchange.report or {}
        if exchange.kind == KIND and "uai" not in report:
            continue  # written by the EDT software, not deposited in SIECLE
        rows.append(
            {
                "exchange": exchange,
                "libelle": RECEIVED_KINDS[exchange.kind],
                "rapport": [
                    (key, ", ".join(value) if isinstance(value, list) else value)
                    for key, value in report.items()
                    if key not in ("uai", "rejets")
                    and not isinstance(value, dict)
                    and (not isinstance(value, list) or all(isinstance(v, str) for v in value))
                ],
                "rejets": report.get("rejets", []),
            }
        )
    return rows
