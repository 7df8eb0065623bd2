"""The académie around the trainee's school, as SIECLE sees it.

This module stands for the académie's own systems: it seeds every establishment's base from the
world's truth as it stands when the world opens (with the discrepancies real bases have:
responsables recorded twice, incomplete fiches), and it does at the calendar's dates what the
académie and the other schools do: the BEE bascule, the affectation results (Affelnet), a
neighbour's export of a pupil's dossier, the neighbours' own rentrée. It is the only module of
`siecle` that reads the truth tables; everything else reads SIECLE's own data.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from entsim import nomenclatures as nom
from entsim.bulk import rows_insert
from entsim.models import (
    Address,
    CalendarEvent,
    Division,
    Establishment,
    Pupil,
    PupilResponsable,
    Responsable,
    Schooling,
    World,
)
from entsim.timeline import local

from . import services
from .models import (
    Adresse,
    Compteur,
    DossierEntrant,
    Eleve,
    Etablissement,
    LienResponsable,
    Matiere,
    Mef,
    OptionEleve,
    Personne,
    Programme,
    Scolarite,
    Structure,
)
from .normalise import prefixe_ts, variante_adresse

BATCH = 1000
P_COMPTE_UTILISE = 0.7  # share of legal responsables who activated their téléservices account
BASCULE = CalendarEvent.Kind.BEE_BASCULE
AFFECTATION = CalendarEvent.Kind.AFFECTATION_RESULTS


# --- Identifiers ------------------------------------------------------------------------------


@dataclass
class _Ids:
    """Stable académie identifiers of the truth's people: their rank in generation order."""

    eleve: dict[int, int]
    personne: dict[int, int]
    adresse: dict[int, int]

    @classmethod
    def load(cls, world: World) -> _Ids:
        def ranks(model, base: int) -> dict[int, int]:
            pks = model.objects.filter(world=world).order_by("pk").values_list("pk", flat=True)
            return {pk: base + index for index, pk in enumerate(pks, start=1)}

        return cls(
            eleve=ranks(Pupil, services.ELEVE_ID_BASE),
            personne=ranks(Responsable, services.PERSONNE_ID_BASE),
            adresse=ranks(Address, services.ADRESSE_ID_BASE),
        )

    def counters(self, world: World) -> None:
        """The counters continue after the truth's identifiers (never reused)."""
        for name, values, base in (
            ("eleve_id", self.eleve, services.ELEVE_ID_BASE),
            ("personne_id", self.personne, services.PERSONNE_ID_BASE),
            ("adresse_id", self.adresse, services.ADRESSE_ID_BASE),
        ):
            top = max(values.values(), default=base)
            row, created = Compteur.objects.get_or_create(
                world=world, nom=name, defaults={"valeur": top}
            )
            if not created and row.valeur < top:
                row.valeur = top
                row.save(update_fields=["valeur"])


ADDRESS_FIELDS = ("line1", "line2", "line3", "line4", "code_postal", "commune_insee", "commune")
PUPIL_FIELDS = (
    "pk",
    "ine",
    "last_name",
    "usage_name",
    "first_name",
    "first_name2",
    "first_name3",
    "sex",
    "birth_date",
    "birth_country",
    "birth_departement",
    "birth_commune_insee",
    "birth_commune",
    "nationality",
    "regime",
    "address_id",
)
RESP_FIELDS = (
    "pk",
    "civilite",
    "last_name",
    "usage_name",
    "first_name",
    "address_id",
    "tel_personnel",
    "tel_portable",
    "tel_professionnel",
    "email",
    "profession_code",
)


@dataclass
class _Truth:
    """The truth's people needed for some pupils, loaded in a few queries."""

    pupils: dict[int, dict] = field(default_factory=dict)
    ties: dict[int, list[dict]] = field(default_factory=dict)
    responsables: dict[int, dict] = field(default_factory=dict)
    addresses: dict[int, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, world: World, pupil_pks: set[int]) -> _Truth:
        truth = cls()
        for row in Pupil.objects.filter(world=world, pk__in=pupil_pks).values(*PUPIL_FIELDS):
            truth.pupils[row["pk"]] = row
        tie_rows = PupilResponsable.objects.filter(world=world, pupil_id__in=pupil_pks).values(
            "pupil_id", "responsable_id", "parente", "level", "financier", "contact", "paiement"
        )
        for row in tie_rows.order_by("pk"):
            truth.ties.setdefault(row["pupil_id"], []).append(row)
        resp_pks = {t["responsable_id"] for ties in truth.ties.values() for t in ties}
        for row in Responsable.objects.filter(world=world, pk__in=resp_pks).values(*RESP_FIELDS):
            truth.responsables[row["pk"]] = row
        address_pks = {p["address_id"] for p in truth.pupils.values()} | {
            r["address_id"] for r in truth.responsables.values()
        }
        for row in Address.objects.filter(world=world, pk__in=address_pks).values(
            "pk", "country_code", *ADDRESS_FIELDS
        ):
            truth.addresses[row["pk"]] = row
        return truth


def _keys(model, world: World, uais: set[str], number: str) -> dict[tuple[str, int], int]:
    """(uai, stable number) → primary key, for the rows of some bases."""
    return {
        (uai, value): pk
        for pk, uai, value in model.objects.filter(world=world, uai__in=uais).values_list(
            "pk", "uai", number
        )
    }


ADRESSE_COLUMNS = (
    "world",
    "uai",
    "adresse_id",
    "ligne1",
    "ligne2",
    "ligne3",
    "ligne4",
    "code_postal",
    "code_commune_insee",
    "commune",
    "code_pays",
)
PERSONNE_COLUMNS = (
    "world",
    "uai",
    "personne_id",
    "civilite",
    "nom",
    "nom_usage",
    "prenom",
    "adresse",
    "tel_personnel",
    "tel_portable",
    "tel_professionnel",
    "mel",
    "code_profession",
    "compte_ts",
    "compte_ts_utilise",
)
ELEVE_COLUMNS = (
    "world",
    "uai",
    "eleve_id",
    "ine",
    "nom",
    "nom_usage",
    "prenom",
    "prenom2",
    "prenom3",
    "sexe",
    "date_naissance",
    "code_pays_naiss",
    "code_departement_naiss",
    "code_commune_insee_naiss",
    "ville_naiss",
    "code_pays_nat",
    "code_regime",
    "adresse",
    "origine",
)
LIEN_COLUMNS = (
    "world",
    "uai",
    "eleve",
    "personne",
    "code_parente",
    "niveau",
    "resp_financier",
    "pers_paiement",
    "pers_contact",
)
SCOLARITE_COLUMNS = (
    "world",
    "uai",
    "eleve",
    "annee",
    "mef_code",
    "division",
    "date_entree",
    "date_sortie",
    "doublement",
    "an_dernier_mef",
    "an_dernier_division",
    "an_dernier_uai",
)
OPTION_COLUMNS = ("world", "uai", "scolarite", "num_option", "matiere_code", "modalite")


def _eleve_fields(row: dict) -> dict:
    return {
        "ine": row["ine"],
        "nom": row["last_name"],
        "nom_usage": row["usage_name"],
        "prenom": row["first_name"],
        "prenom2": row["first_name2"],
        "prenom3": row["first_name3"],
        "sexe": row["sex"],
        "date_naissance": row["birth_date"],
        "code_pays_naiss": row["birth_country"],
        "code_departement_naiss": row["birth_departement"],
        "code_commune_insee_naiss": row["birth_commune_insee"],
        "ville_naiss": row["birth_commune"],
        "code_pays_nat": row["nationality"],
        "code_regime": row["regime"],
    }


class _Writer:
    """Bulk writes of the truth's pupils (identity, address, responsables) into BEEs."""

    def __init__(self, world: World, ids: _Ids, truth: _Truth, uais: set[str]) -> None:
        self.world = world
        self.ids = ids
        self.truth = truth
        self.uais = uais
        self.adresses = _keys(Adresse, world, uais, "adresse_id")
        self.personnes = _keys(Personne, world, uais, "personne_id")
        self.eleves = _keys(Eleve, world, uais, "eleve_id")
        self.fresh = not (self.adresses or self.personnes or self.eleves)
        self.rng = random.Random(world.seed)

    def accounts(self, pupils_by_uai: dict[str, list[int]]) -> dict[int, tuple[str, bool]]:
        """Téléservices identifiers of the legal responsables to write: one per person of the
        académie (shared by the copies of a person in several bases)."""
        legal = sorted(
            {
                tie["responsable_id"]
                for pks in pupils_by_uai.values()
                for pk in pks
                for tie in self.truth.ties.get(pk, ())
                if tie["level"] == 1
            },
            key=lambda pk: self.ids.personne[pk],
        )
        responsables = self.truth.responsables
        names = [(responsables[pk]["first_name"], responsables[pk]["last_name"]) for pk in legal]
        if self.fresh and not Personne.objects.filter(world=self.world).exists():
            # Nobody holds an account yet: number each prefix in order, no counter needed
            # (a counter starts from the identifiers present when it is first used).
            seen: dict[str, int] = defaultdict(int)
            issued = []
            for first, last in names:
                prefix = prefixe_ts(first, last)
                seen[prefix] += 1
                issued.append(f"{prefix}{seen[prefix]}")
            return {
                pk: (identifier, self.rng.random() < P_COMPTE_UTILISE)
                for pk, identifier in zip(legal, issued, strict=True)
            }
        known = dict(
            Personne.objects.filter(
                world=self.world, personne_id__in=[self.ids.personne[pk] for pk in legal]
            )
            .exclude(compte_ts="")
            .values_list("personne_id", "compte_ts")
        )
        result: dict[int, tuple[str, bool]] = {}
        missing = []
        for pk in legal:
            number = self.ids.personne[pk]
            if number in known:
                result[pk] = (known[number], False)
            else:
                missing.append(pk)
        issued = services.comptes_ts_emettre(
            world=self.world,
            personnes=[
                (responsables[pk]["first_name"], responsables[pk]["last_name"]) for pk in missing
            ],
        )
        for pk, identifier in zip(missing, issued, strict=True):
            result[pk] = (identifier, self.rng.random() < P_COMPTE_UTILISE)
        return result

    def write(
        self, pupils_by_uai: dict[str, list[int]], origine: str = Eleve.Origine.BASE
    ) -> dict[tuple[str, int], int]:
        """Write every missing pupil of each base; returns (uai, truth pupil pk) → Eleve pk."""
        wid = self.world.pk
        ids = self.ids
        truth = self.truth
        accounts = self.accounts(pupils_by_uai)
        addresses: dict[tuple[str, int], tuple] = {}
        people: dict[tuple[str, int], tuple] = {}
        pupils: list[tuple] = []
        pupil_address: dict[tuple[str, int], tuple[str, int]] = {}
        person_address: dict[tuple[str, int], tuple[str, int]] = {}
        new_pupils: list[tuple[str, int]] = []
        for uai, pks in pupils_by_uai.items():
            for pk in pks:
                number = ids.eleve[pk]
                if (uai, number) in self.eleves:
                    continue
                row = truth.pupils[pk]
                pupil_address[(uai, number)] = self._address(uai, row["address_id"], addresses)
                fields = _eleve_fields(row)
                pupils.append(
                    (wid, uai, number, *(fields[c] for c in ELEVE_COLUMNS[3:17]), None, origine)
                )
                new_pupils.append((uai, pk))
                for tie in truth.ties.get(pk, ()):
                    key = (uai, ids.personne[tie["responsable_id"]])
                    if key in self.personnes or key in people:
                        continue
                    resp = truth.responsables[tie["responsable_id"]]
                    account, used = accounts.get(tie["responsable_id"], ("", False))
                    person_address[key] = self._address(uai, resp["address_id"], addresses)
                    people[key] = (
                        resp["civilite"],
                        resp["last_name"],
                        resp["usage_name"],
                        resp["first_name"],
                        resp["tel_personnel"],
                        resp["tel_portable"],
                        resp["tel_professionnel"],
                        resp["email"],
                        resp["profession_code"],
                        account,
                        used,
                    )
        rows_insert(Adresse, ADRESSE_COLUMNS, [(wid, *key, *row) for key, row in addresses.items()])
        self.adresses = _keys(Adresse, self.world, self.uais, "adresse_id")
        rows_insert(
            Personne,
            PERSONNE_COLUMNS,
            [
                (wid, *key, *row[:4], self.adresses[person_address[key]], *row[4:])
                for key, row in people.items()
            ],
        )
        self.personnes = _keys(Personne, self.world, self.uais, "personne_id")
        rows_insert(
            Eleve,
            ELEVE_COLUMNS,
            [
                (*row[:17], self.adresses[pupil_address[(row[1], row[2])]], row[18])
                for row in pupils
            ],
        )
        self.eleves = _keys(Eleve, self.world, self.uais, "eleve_id")
        links = []
        for uai, pk in new_pupils:
            eleve = self.eleves[(uai, ids.eleve[pk])]
            seen = set()
            for tie in truth.ties.get(pk, ()):
                person = self.personnes[(uai, ids.personne[tie["responsable_id"]])]
                if person in seen:
                    continue
                seen.add(person)
                links.append(
                    (
                        wid,
                        uai,
                        eleve,
                        person,
                        tie["parente"],
                        tie["level"],
                        tie["financier"],
                        tie["paiement"],
                        tie["contact"],
                    )
                )
        rows_insert(LienResponsable, LIEN_COLUMNS, links)
        return {
            (uai, pk): self.eleves[(uai, ids.eleve[pk])]
            for uai, pks in pupils_by_uai.items()
            for pk in pks
        }

    def _address(self, uai: str, address_pk: int, new: dict) -> tuple[str, int]:
        key = (uai, self.ids.adresse[address_pk])
        if key not in self.adresses and key not in new:
            a = self.truth.addresses[address_pk]
            new[key] = (
                a["line1"],
                a["line2"],
                a["line3"],
                a["line4"],
                a["code_postal"],
                a["commune_insee"],
                a["commune"],
                a["country_code"],
            )
        return key


# --- Nomenclatures and structures -------------------------------------------------------------


def _nomenclature_rows(world: World, uai: str, mef_codes: set[str]) -> tuple[list, list, list]:
    mefs, programmes, subjects = [], [], set()
    for code in sorted(mef_codes):
        mef = nom.MEFS.get(code)
        if mef is None:
            continue
        programme = nom.PROGRAMMES.get(code)
        mandatory = sum(s.choose for s in programme.slots if s.mandatory) if programme else 0
        mefs.append(
            Mef(
                world=world,
                uai=uai,
                code=code,
                formation=mef.formation,
                libelle_long=mef.libelle_long,
                libelle_edition=mef.libelle_edition,
                mef_rattachement=code,
                mefstat11=mef.mefstat11,
                mefstat4=mef.mefstat4,
                nb_opt_oblig=mandatory,
                rang=mef.rank,
            )
        )
        if programme is None:
            continue
        for line in programme.core:
            subjects.add(line.subject)
            programmes.append(
                Programme(
                    world=world,
                    uai=uai,
                    mef_code=code,
                    matiere_code=line.subject,
                    modalite=line.modalite,
                    horaire=line.hours,
                )
            )
        for slot in programme.slots:
            for subject in slot.subjects:
                subjects.add(subject)
                programmes.append(
                    Programme(
                        world=world,
                        uai=uai,
                        mef_code=code,
                        matiere_code=subject,
                        modalite=slot.modalite,
                        horaire=slot.hours,
                        choix=slot.key,
                    )
                )
    matieres = [
        Matiere(
            world=world,
            uai=uai,
            code=s.code,
            code_gestion=s.code_gestion,
            libelle_court=s.libelle_court,
            libelle_long=s.libelle_long,
            libelle_edition=s.libelle_edition,
        )
        for code in sorted(subjects)
        if (s := nom.SUBJECTS.get(code)) is not None
    ]
    return mefs, matieres, programmes


def _structure_rows(world: World, establishments: dict[int, str], year: int) -> list[Structure]:
    return [
        Structure(
            world=world,
            uai=establishments[d["establishment_id"]],
            annee=year,
            type=Structure.Type.DIVISION,
            code=d["code"],
            libelle_long=d["label"],
            mefs=[d["mef_code"]],
        )
        for d in Division.objects.filter(
            world=world, school_year=year, establishment_id__in=list(establishments)
        ).values("establishment_id", "code", "label", "mef_code")
    ]


def _options(world: World, uai: str, scolarite: Scolarite, options: list[dict]) -> list:
    return [
        OptionEleve(
            world=world,
            uai=uai,
            scolarite=scolarite,
            num_option=index,
            matiere_code=option["subject"],
            modalite=option["modalite"],
        )
        for index, option in enumerate(options, start=1)
    ]


# --- Seeding ----------------------------------------------------------------------------------


def _bascule_year(world: World, now: dt.datetime, year: int) -> int | None:
    """The year in preparation if the BEE bascule for it has happened by `now`."""
    event = (
        CalendarEvent.objects.filter(world=world, kind=BASCULE, at__lte=now).order_by("-at").first()
    )
    if event is None:
        return None
    opened = int(event.data.get("annee") or world.school_year(event.at) + 1)
    return opened if opened == year + 1 else None


def seed(world: World) -> None:
    """Fill every establishment's base from the truth, as it stands when the clock opens."""
    now = world.now()
    day = local(now).date()
    year = world.school_year(now)
    preparation = _bascule_year(world, now, year)
    establishments = list(Establishment.objects.filter(world=world).order_by("-is_home", "uai"))
    uai_of = {e.pk: e.uai for e in establishments}
    Etablissement.objects.bulk_create(
        [
            Etablissement(
                world=world,
                uai=e.uai,
                sigle=e.sigle,
                nature_code=e.nature_code,
                denomination=e.name,
                commune=e.commune,
                commune_insee=e.commune_insee,
                code_postal=e.code_postal,
                adresse=e.address,
                telephone=e.telephone,
                accueil=e.is_home,
                derniere_annee=preparation or year,
            )
            for e in establishments
        ]
    )
    # Nomenclatures: the MEFs of each establishment, their subjects and programmes.
    mefs_of: dict[str, set[str]] = defaultdict(set)
    for est_id, mef in Division.objects.filter(world=world).values_list(
        "establishment_id", "mef_code"
    ):
        mefs_of[uai_of[est_id]].add(mef)
    rows: tuple[list, list, list] = ([], [], [])
    for establishment in establishments:
        for bucket, part in zip(
            rows,
            _nomenclature_rows(world, establishment.uai, mefs_of[establishment.uai]),
            strict=True,
        ):
            bucket.extend(part)
    Mef.objects.bulk_create(rows[0], batch_size=BATCH)
    Matiere.objects.bulk_create(rows[1], batch_size=BATCH)
    Programme.objects.bulk_create(rows[2], batch_size=BATCH)
    Structure.objects.bulk_create(_structure_rows(world, uai_of, year), batch_size=BATCH)

    # Pupils of the year in progress, and those the bascule carried into the year in
    # preparation (returning pupils, to be re-affected; leavers are not carried over).
    division_code = dict(Division.objects.filter(world=world).values_list("pk", "code"))
    current = list(
        Schooling.objects.filter(world=world, school_year=year, start_date__lte=day).values(
            "pupil_id",
            "establishment_id",
            "mef_code",
            "division_id",
            "options",
            "start_date",
            "end_date",
        )
    )
    returning: set[tuple[int, int]] = set()
    if preparation:
        returning = set(
            Schooling.objects.filter(
                world=world, school_year=preparation, arrival=Schooling.Arrival.CONTINUING
            ).values_list("establishment_id", "pupil_id")
        )
    pupils_by_uai: dict[str, list[int]] = defaultdict(list)
    for row in current:
        pupils_by_uai[uai_of[row["establishment_id"]]].append(row["pupil_id"])
    ids = _Ids.load(world)
    truth = _Truth.load(world, {row["pupil_id"] for row in current})
    writer = _Writer(world, ids, truth, set(uai_of.values()))
    eleves = writer.write(pupils_by_uai)
    wid = world.pk
    scolarites = []
    for row in current:
        uai = uai_of[row["establishment_id"]]
        eleve = eleves[(uai, row["pupil_id"])]
        end = row["end_date"] if row["end_date"] and row["end_date"] <= day else None
        division = division_code[row["division_id"]]
        scolarites.append(
            (
                wid,
                uai,
                eleve,
                year,
                row["mef_code"],
                division,
                row["start_date"],
                end,
                False,
                "",
                "",
                "",
            )
        )
        if preparation and (row["establishment_id"], row["pupil_id"]) in returning and not end:
            scolarites.append(
                (
                    wid,
                    uai,
                    eleve,
                    preparation,
                    "",
                    "",
                    row["start_date"],
                    None,
                    False,
                    row["mef_code"],
                    division,
                    uai,
                )
            )
    rows_insert(Scolarite, SCOLARITE_COLUMNS, scolarites)
    scolarite_pk = dict(
        (
            (eleve, annee),
            pk,
        )
        for pk, eleve, annee in Scolarite.objects.filter(world=world, annee=year).values_list(
            "pk", "eleve_id", "annee"
        )
    )
    options = []
    for row in current:
        uai = uai_of[row["establishment_id"]]
        scolarite = scolarite_pk[(eleves[(uai, row["pupil_id"])], year)]
        options.extend(
            (wid, uai, scolarite, index, option["subject"], option["modalite"])
            for index, option in enumerate(row["options"], start=1)
        )
    rows_insert(OptionEleve, OPTION_COLUMNS, options)
    ids.counters(world)

    home = next((e for e in establishments if e.is_home), None)
    if home is not None:
        _plant_duplicates(world, home.uai, year)
        _plant_incomplete_fiches(world, home.uai, year)
        for event in CalendarEvent.objects.filter(
            world=world, kind=AFFECTATION, at__lte=now
        ).order_by("at"):
            annee = world.school_year(event.at) + 1
            if annee > year:
                affectation_publier(world=world, event=event)


def _plant_duplicates(world: World, uai: str, year: int) -> None:
    """Two responsables recorded twice, as the guide warns (2.13): the same name and first
    name, the address spelt differently ("Bâtiment D" / "Bt D"). One duplicate took a
    sibling's fiche; the other is attached to no pupil any more."""
    rng = random.Random(f"{world.seed}-doublons")
    links = (
        LienResponsable.objects.filter(
            world=world, uai=uai, niveau=1, personne__adresse__isnull=False
        )
        .order_by("personne__personne_id", "eleve__eleve_id")
        .values_list("pk", "personne_id")
    )
    by_person: dict[int, list[int]] = defaultdict(list)  # personne pk → link pks
    for link_pk, person_pk in links:
        by_person[person_pk].append(link_pk)
    siblings = sorted(pk for pk, ties in by_person.items() if len(ties) >= 2)
    singles = sorted(pk for pk, ties in by_person.items() if len(ties) == 1)
    chosen: list[tuple[int, bool]] = []
    if siblings:
        chosen.append((rng.choice(siblings), True))
    if singles:
        chosen.append((rng.choice(singles), False))
    for person_pk, move_a_sibling in chosen:
        original = Personne.objects.select_related("adresse").get(pk=person_pk)
        lines = variante_adresse(original.adresse.lignes or [""])
        lines += [""] * (4 - len(lines))
        address = Adresse.objects.create(
            world=world,
            uai=uai,
            adresse_id=services.compteur_reserver(
                world=world, nom_compteur="adresse_id", debut=services.ADRESSE_ID_BASE
            ),
            ligne1=lines[0],
            ligne2=lines[1],
            ligne3=lines[2],
            ligne4=lines[3],
            code_postal=original.adresse.code_postal,
            code_commune_insee=original.adresse.code_commune_insee,
            commune=original.adresse.commune,
            code_pays=original.adresse.code_pays,
        )
        account = ""
        if move_a_sibling:
            account = services.comptes_ts_emettre(
                world=world, personnes=[(original.prenom, original.nom)]
            )[0]
        duplicate = Personne.objects.create(
            world=world,
            uai=uai,
            personne_id=services.compteur_reserver(
                world=world, nom_compteur="personne_id", debut=services.PERSONNE_ID_BASE
            ),
            civilite=original.civilite,
            nom=original.nom,
            nom_usage=original.nom_usage,
            prenom=original.prenom,
            adresse=address,
            tel_portable=original.tel_portable,
            mel="",
            compte_ts=account,
        )
        if move_a_sibling:
            LienResponsable.objects.filter(pk=by_person[person_pk][-1]).update(personne=duplicate)


def _plant_incomplete_fiches(world: World, uai: str, year: int) -> None:
    """Two fiches bloquantes of the year in progress, both on the responsables (guide 2.5.2):
    a pupil whose only legal responsable has no address entered, and a pupil whose only legal
    responsable was recorded as a mere contact. The pupil's own identity stays complete:
    SIECLE's saisie asks for the birth commune of a pupil born in France, and the pupils
    export keeps the rules third-party readers apply (docs/formats.md)."""
    rng = random.Random(f"{world.seed}-fiches")
    active = set(
        Scolarite.objects.filter(world=world, uai=uai, annee=year, date_sortie__isnull=True)
        .exclude(mef_code="")
        .values_list("eleve_id", flat=True)
    )
    links = list(
        LienResponsable.objects.filter(world=world, uai=uai, niveau=1)
        .values_list("eleve_id", "personne_id")
        .order_by("eleve_id")
    )
    legal_count: dict[int, int] = defaultdict(int)
    person_count: dict[int, int] = defaultdict(int)
    for eleve_pk, person_pk in links:
        legal_count[eleve_pk] += 1
        person_count[person_pk] += 1
    alone = sorted(
        (eleve_pk, person_pk)
        for eleve_pk, person_pk in links
        if legal_count[eleve_pk] == 1 and person_count[person_pk] == 1 and eleve_pk in active
    )
    chosen = rng.sample(alone, k=min(2, len(alone)))
    if chosen:
        _, person_pk = chosen[0]
        Personne.objects.filter(pk=person_pk).update(adresse=None)
    if len(chosen) > 1:
        eleve_pk, _ = chosen[1]
        LienResponsable.objects.filter(eleve_id=eleve_pk, niveau=1).update(
            niveau=LienResponsable.Niveau.CONTACT
        )


# --- The calendar -----------------------------------------------------------------------------


def _snapshot_from_truth(world: World, ids: _Ids, truth: _Truth, pupil_pk: int) -> dict:
    row = truth.pupils[pupil_pk]

    def address(pk: int) -> dict:
        a = truth.addresses[pk]
        return {
            "adresse_id": ids.adresse[pk],
            "ligne1": a["line1"],
            "ligne2": a["line2"],
            "ligne3": a["line3"],
            "ligne4": a["line4"],
            "code_postal": a["code_postal"],
            "code_commune_insee": a["commune_insee"],
            "commune": a["commune"],
            "code_pays": a["country_code"],
        }

    responsables = []
    for tie in truth.ties.get(pupil_pk, ()):
        resp = truth.responsables[tie["responsable_id"]]
        responsables.append(
            {
                "personne_id": ids.personne[resp["pk"]],
                "civilite": resp["civilite"],
                "nom": resp["last_name"],
                "nom_usage": resp["usage_name"],
                "prenom": resp["first_name"],
                "tel_personnel": resp["tel_personnel"],
                "tel_portable": resp["tel_portable"],
                "tel_professionnel": resp["tel_professionnel"],
                "mel": resp["email"],
                "code_profession": resp["profession_code"],
                "adresse": address(resp["address_id"]),
                "code_parente": tie["parente"],
                "niveau": tie["level"],
                "resp_financier": tie["financier"],
                "pers_paiement": tie["paiement"],
                "pers_contact": tie["contact"],
            }
        )
    return {
        **_eleve_fields(row),
        "adresse": address(row["address_id"]),
        "responsables": responsables,
    }


@transaction.atomic
def affectation_publier(*, world: World, event: CalendarEvent) -> int:
    """The affectation results (Affelnet) reach the establishment: the new pupils of its entry
    level, to receive in Importations > Dossiers depuis affectation."""
    annee = world.school_year(event.at) + 1
    home = event.establishment or world.home
    if home is None:
        return 0
    already = set(
        DossierEntrant.objects.filter(
            world=world, uai=home.uai, annee=annee, source=DossierEntrant.Source.AFFECTATION
        ).values_list("ine", flat=True)
    )
    schoolings = list(
        Schooling.objects.filter(
            world=world,
            establishment=home,
            school_year=annee,
            arrival=Schooling.Arrival.AFFECTATION,
        ).values("pupil_id", "mef_code")
    )
    if not schoolings:
        return 0
    ids = _Ids.load(world)
    truth = _Truth.load(world, {s["pupil_id"] for s in schoolings})
    accounts = dict(
        Personne.objects.filter(world=world)
        .exclude(compte_ts="")
        .values_list("personne_id", "compte_ts")
    )
    origins = {
        row["pupil_id"]: row
        for row in Schooling.objects.filter(
            world=world,
            school_year=annee - 1,
            pupil_id__in=[s["pupil_id"] for s in schoolings],
        ).values(
            "pupil_id",
            "mef_code",
            "establishment__uai",
            "establishment__name",
            "establishment__commune",
            "division__code",
        )
    }
    offers = []
    for schooling in schoolings:
        pupil = truth.pupils[schooling["pupil_id"]]
        if pupil["ine"] in already:
            continue
        snapshot = _snapshot_from_truth(world, ids, truth, schooling["pupil_id"])
        for resp in snapshot["responsables"]:
            resp["compte_ts"] = accounts.get(resp["personne_id"], "")
        origin = origins.get(schooling["pupil_id"])
        mef = nom.MEFS.get(schooling["mef_code"])
        offers.append(
            DossierEntrant(
                world=world,
                uai=home.uai,
                annee=annee,
                source=DossierEntrant.Source.AFFECTATION,
                eleve_id=None,
                mef_code=schooling["mef_code"],
                adresse=snapshot.pop("adresse"),
                responsables=snapshot.pop("responsables"),
                origine_uai=origin["establishment__uai"] if origin else "",
                origine_denomination=origin["establishment__name"] if origin else "",
                origine_commune=origin["establishment__commune"] if origin else "",
                origine_mef=(
                    origin["mef_code"]
                    if origin
                    else (nom.MEF_CM2 if mef is not None and mef.rank == 0 else "")
                ),
                origine_division=origin["division__code"] if origin else "",
                offert_le=event.at,
                **snapshot,
            )
        )
    DossierEntrant.objects.bulk_create(offers, batch_size=BATCH)
    return len(offers)


def _on_affectation_results(event: CalendarEvent) -> None:
    affectation_publier(world=event.world, event=event)


def _on_pupil_from_neighbour(event: CalendarEvent) -> None:
    """The school of origin exports the dossier of a pupil who moves to the trainee's school."""
    world = event.world
    origin_uai = event.data.get("origine")
    destination = event.establishment or world.home
    if not origin_uai or destination is None or event.pupil_id is None:
        return
    annee = world.school_year(event.at)
    ine = event.pupil.ine
    eleve = Eleve.objects.filter(world=world, uai=origin_uai, ine=ine).first()
    if eleve is None:
        ids = _Ids.load(world)
        truth = _Truth.load(world, {event.pupil_id})
        written = _Writer(world, ids, truth, {origin_uai}).write({origin_uai: [event.pupil_id]})
        eleve = Eleve.objects.get(pk=written[(origin_uai, event.pupil_id)])
    end = (
        Schooling.objects.filter(
            world=world,
            pupil_id=event.pupil_id,
            establishment__uai=origin_uai,
            end_date__isnull=False,
            school_year=annee,
        )
        .values_list("end_date", flat=True)
        .first()
    )
    services.dossier_eple_exporter(
        world=world,
        eleve=eleve,
        destination_uai=destination.uai,
        annee=annee,
        date_sortie=end or local(event.at).date(),
    )


@transaction.atomic
def bascule(*, world: World, annee: int) -> int:
    """The BEE bascule opens `annee` in preparation: every base carries its returning pupils
    (without MEF or division, to be re-affected); leavers are not carried over."""
    previous = annee - 1
    Etablissement.objects.filter(world=world, derniere_annee__lt=annee).update(derniere_annee=annee)
    returning = set(
        Schooling.objects.filter(
            world=world, school_year=annee, arrival=Schooling.Arrival.CONTINUING
        ).values_list("establishment__uai", "pupil__ine")
    )
    existing = set(
        Scolarite.objects.filter(world=world, annee=annee).values_list("eleve_id", flat=True)
    )
    rows = []
    for scolarite in Scolarite.objects.filter(
        world=world, annee=previous, date_sortie__isnull=True
    ).select_related("eleve"):
        if scolarite.eleve_id in existing:
            continue
        if (scolarite.uai, scolarite.eleve.ine) not in returning:
            continue
        rows.append(
            Scolarite(
                world=world,
                uai=scolarite.uai,
                eleve=scolarite.eleve,
                annee=annee,
                date_entree=scolarite.date_entree,
                an_dernier_mef=scolarite.mef_code,
                an_dernier_division=scolarite.division,
                an_dernier_uai=scolarite.uai,
            )
        )
    Scolarite.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _on_bascule(event: CalendarEvent) -> None:
    world = event.world
    bascule(world=world, annee=int(event.data.get("annee") or world.school_year(event.at) + 1))


@transaction.atomic
def voisins_rentree(*, world: World, annee: int, day: dt.date) -> int:
    """The neighbouring schools' own rentrée: their bases hold what really is (their pupils
    affected to MEF, division and options; leavers gone out). The trainee's school is left
    to the trainee."""
    home_uai = world.home.uai if world.home else None
    neighbours = {
        e.pk: e.uai for e in Establishment.objects.filter(world=world).exclude(uai=home_uai)
    }
    if not neighbours:
        return 0
    schoolings = list(
        Schooling.objects.filter(
            world=world,
            school_year=annee,
            establishment_id__in=list(neighbours),
            start_date__lte=day,
        ).values(
            "pupil_id", "establishment_id", "mef_code", "division__code", "options", "start_date"
        )
    )
    pupils_by_uai: dict[str, list[int]] = defaultdict(list)
    for row in schoolings:
        pupils_by_uai[neighbours[row["establishment_id"]]].append(row["pupil_id"])
    ids = _Ids.load(world)
    truth = _Truth.load(world, {row["pupil_id"] for row in schoolings})
    writer = _Writer(world, ids, truth, set(neighbours.values()))
    eleves = writer.write(pupils_by_uai)
    uais = set(neighbours.values())
    # Structures of the new year (the neighbours exported theirs from STS-web).
    Structure.objects.filter(world=world, uai__in=uais, annee=annee).delete()
    Structure.objects.bulk_create(_structure_rows(world, neighbours, annee), batch_size=BATCH)
    existing = {
        (s.uai, s.eleve_id): s
        for s in Scolarite.objects.filter(world=world, uai__in=uais, annee=annee)
    }
    keep = set()
    to_create, to_update = [], []
    for row in schoolings:
        uai = neighbours[row["establishment_id"]]
        eleve = eleves[(uai, row["pupil_id"])]
        keep.add((uai, eleve))
        scolarite = existing.get((uai, eleve))
        if scolarite is None:
            scolarite = Scolarite(world=world, uai=uai, eleve_id=eleve, annee=annee)
            to_create.append((scolarite, row))
        else:
            to_update.append((scolarite, row))
        scolarite.mef_code = row["mef_code"]
        scolarite.division = row["division__code"]
        scolarite.date_entree = scolarite.date_entree or row["start_date"]
    Scolarite.objects.bulk_create([s for s, _ in to_create], batch_size=BATCH)
    Scolarite.objects.bulk_update(
        [s for s, _ in to_update], ["mef_code", "division", "date_entree"], batch_size=BATCH
    )
    OptionEleve.objects.filter(world=world, scolarite__in=[s for s, _ in to_update]).delete()
    OptionEleve.objects.bulk_create(
        [
            option
            for scolarite, row in to_create + to_update
            for option in _options(world, scolarite.uai, scolarite, row["options"])
        ],
        batch_size=BATCH,
    )
    gone = [s.pk for key, s in existing.items() if key not in keep and not s.mef_code]
    Scolarite.objects.filter(pk__in=gone).delete()
    Scolarite.objects.filter(
        world=world, uai__in=uais, annee=annee - 1, date_sortie__isnull=True
    ).update(date_sortie=services.fin_annee(annee - 1))
    return len(schoolings)


def _on_rentree(event: CalendarEvent) -> None:
    world = event.world
    annee = int(event.data.get("annee") or world.school_year(event.at))
    voisins_rentree(world=world, annee=annee, day=local(event.at).date())


# --- For the trainer --------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendu:
    """A pupil who really comes from a neighbouring school (the truth), and his dossier in the
    school of origin's base, not yet exported."""

    eleve: Eleve
    origine: Etablissement
    annee: int
    arrivee: dt.date


def eleves_attendus(*, world: World) -> list[Attendu]:
    """Pupils arriving in the trainee's school from a school of the académie whose dossier the
    school of origin has not exported yet (formateur: "Faire exporter")."""
    home = world.home
    if home is None:
        return []
    year = world.school_year()
    arrivals = list(
        Schooling.objects.filter(
            world=world,
            establishment=home,
            school_year__gte=year,
            arrival=Schooling.Arrival.NEIGHBOUR,
        ).values("pupil_id", "pupil__ine", "school_year", "start_date")
    )
    if not arrivals:
        return []
    before = {
        (row["pupil_id"], row["school_year"]): row["establishment__uai"]
        for row in Schooling.objects.filter(
            world=world, pupil_id__in=[a["pupil_id"] for a in arrivals]
        )
        .exclude(establishment=home)
        .values("pupil_id", "school_year", "establishment__uai")
    }
    offered = set(
        DossierEntrant.objects.filter(
            world=world, uai=home.uai, source=DossierEntrant.Source.AUTRE_EPLE
        )
        .exclude(etat=DossierEntrant.Etat.SUPPRIME)
        .values_list("eleve_id", flat=True)
    )
    at_home = set(Eleve.objects.filter(world=world, uai=home.uai).values_list("ine", flat=True))
    establishments = {e.uai: e for e in Etablissement.objects.filter(world=world)}
    dossiers = {
        (e.uai, e.ine): e
        for e in Eleve.objects.filter(
            world=world, ine__in=[a["pupil__ine"] for a in arrivals]
        ).exclude(uai=home.uai)
    }
    result = []
    for arrival in arrivals:
        origin_uai = before.get((arrival["pupil_id"], arrival["school_year"])) or before.get(
            (arrival["pupil_id"], arrival["school_year"] - 1)
        )
        if origin_uai is None or arrival["pupil__ine"] in at_home:
            continue
        eleve = dossiers.get((origin_uai, arrival["pupil__ine"]))
        if eleve is None or eleve.eleve_id in offered:
            continue
        result.append(
            Attendu(
                eleve, establishments[origin_uai], arrival["school_year"], arrival["start_date"]
            )
        )
    return sorted(result, key=lambda a: (a.arrivee, a.eleve.nom, a.eleve.prenom))


def listeners() -> dict[str, object]:
    return {
        BASCULE: _on_bascule,
        AFFECTATION: _on_affectation_results,
        CalendarEvent.Kind.PUPIL_FROM_NEIGHBOUR: _on_pupil_from_neighbour,
        CalendarEvent.Kind.RENTREE: _on_rentree,
    }
