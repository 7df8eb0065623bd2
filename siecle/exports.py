"""Exportations > En XML (guide 2.10): ElevesSansAdresses, ElevesAvecAdresses (BEE_ELEVES 3.0),
ResponsablesAvecAdresses (BEE_RESPONSABLES 2.1), Nomenclature (BEE_NOMENCLATURES 3.1),
Structures (BEE_STRUCTURES 2.0).

Each is `ExportXML_<name>.zip` holding `<name>.xml`, for the year chosen (en cours or en
préparation), recorded as an Exchange (SIECLE → EDT; the responsables file has no reader in
the simulator: target "entsim") and in the Exportations log. The links import (ELEGROUPE) is
refused until a pupils export exists (check 5).
"""

from __future__ import annotations

from collections import defaultdict

from entsim import timeline
from entsim.formats import (
    bee_common,
    bee_eleves,
    bee_nomenclatures,
    bee_responsables,
    bee_structures,
)
from entsim.models import Exchange, World
from entsim.registry import ExchangeRefused
from entsim.services.exchanges import exchange_record

from . import selectors
from .models import (
    Adresse,
    EleveGroupe,
    Etablissement,
    Exportation,
    LienResponsable,
    Matiere,
    Mef,
    OptionEleve,
    Programme,
    Scolarite,
    Structure,
)

SANS_ADRESSES = "eleves_sans_adresses"
AVEC_ADRESSES = "eleves_avec_adresses"
RESPONSABLES = "responsables_avec_adresses"
NOMENCLATURE = "nomenclature"
STRUCTURES = "structures"
LABELS = {
    SANS_ADRESSES: "En XML : ElevesSansAdresses",
    AVEC_ADRESSES: "En XML : ElevesAvecAdresses",
    RESPONSABLES: "En XML : ResponsablesAvecAdresses",
    NOMENCLATURE: "En XML : Nomenclature",
    STRUCTURES: "En XML : Structures",
}
TARGETS = {RESPONSABLES: "entsim"}  # the others go to the timetable software
REGISTRY_LABELS = {
    SANS_ADRESSES: "SIECLE → EDT : export XML des élèves sans adresses (BEE_ELEVES)",
    AVEC_ADRESSES: "SIECLE → EDT : export XML des élèves avec adresses (BEE_ELEVES)",
    RESPONSABLES: "SIECLE : export XML des responsables avec adresses (BEE_RESPONSABLES)",
    NOMENCLATURE: "SIECLE → EDT : export XML des nomenclatures (BEE_NOMENCLATURES)",
    STRUCTURES: "SIECLE → EDT : export XML des structures (BEE_STRUCTURES)",
}


def _or_none(value: str) -> str | None:
    return value or None


def eleves_document(
    *, world: World, uai: str, annee: int, avec_adresses: bool
) -> bee_eleves.BeeEleves:
    """The pupils of the establishment schooled in `annee` (their division D and groups G)."""
    scolarites = list(
        Scolarite.objects.filter(world=world, uai=uai, annee=annee)
        .select_related("eleve")
        .order_by("eleve__nom", "eleve__prenom", "eleve__eleve_id")
    )
    options: dict[int, list[OptionEleve]] = defaultdict(list)
    for option in OptionEleve.objects.filter(world=world, uai=uai, scolarite__annee=annee).order_by(
        "num_option"
    ):
        options[option.scolarite_id].append(option)
    groupes: dict[int, list[str]] = defaultdict(list)
    for scolarite_id, code in (
        EleveGroupe.objects.filter(world=world, uai=uai, scolarite__annee=annee)
        .order_by("groupe")
        .values_list("scolarite_id", "groupe")
    ):
        groupes[scolarite_id].append(code)
    eleves, opts, structures = [], [], []
    adresse_ids: set[int] = set()
    for scolarite in scolarites:
        eleve = scolarite.eleve
        if eleve.adresse_id:
            adresse_ids.add(eleve.adresse_id)
        eleves.append(
            bee_eleves.Eleve(
                eleve_id=eleve.eleve_id,
                elenoet=str(eleve.eleve_id),
                id_national=_or_none(eleve.ine),
                nom_de_famille=eleve.nom,
                nom_usage=_or_none(eleve.nom_usage),
                prenom=eleve.prenom,
                prenom2=_or_none(eleve.prenom2),
                prenom3=_or_none(eleve.prenom3),
                date_naiss=eleve.date_naissance,
                doublement="1" if scolarite.doublement else "0",
                code_pays=eleve.code_pays_naiss,
                code_regime=eleve.code_regime,
                date_entree=scolarite.date_entree,
                date_sortie=scolarite.date_sortie,
                ville_naiss=_or_none(eleve.ville_naiss),
                code_sexe=_or_none(eleve.sexe),
                code_pays_nat=eleve.code_pays_nat,
                code_statut="ST",
                code_mef=_or_none(scolarite.mef_code),
                code_departement_naiss=_or_none(eleve.code_departement_naiss),
                code_commune_insee_naiss=_or_none(eleve.code_commune_insee_naiss),
                adresse_id=str(eleve.adresse_id) if avec_adresses and eleve.adresse_id else None,
            )
        )
        if options.get(scolarite.pk):
            opts.append(
                bee_eleves.Option(
                    eleve_id=eleve.eleve_id,
                    options_eleve=tuple(
                        bee_eleves.OptionEleve(
                            num_option=option.num_option,
                            code_modalite_elect=_or_none(option.modalite),
                            code_matiere=option.matiere_code,
                        )
                        for option in options[scolarite.pk]
                    ),
                )
            )
        found = []
        if scolarite.division:
            found.append(
                bee_eleves.Structure(
                    code_structure=scolarite.division,
                    type_structure=bee_eleves.TypeStructure.DIVISION,
                )
            )
        found += [
            bee_eleves.Structure(
                code_structure=code, type_structure=bee_eleves.TypeStructure.GROUPE
            )
            for code in groupes.get(scolarite.pk, ())
        ]
        if found:
            structures.append(
                bee_eleves.StructuresEleve(eleve_id=eleve.eleve_id, structures=tuple(found))
            )
    adresses = None
    if avec_adresses:
        adresses = tuple(
            bee_eleves.Adresse(**_adresse_fields(adresse))
            for adresse in Adresse.objects.filter(pk__in=adresse_ids).order_by("pk")
        )
    return bee_eleves.BeeEleves(
        version=bee_eleves.VERSION,
        parametres=_parametres(world, uai, annee),
        donnees=bee_eleves.Donnees(
            eleves=tuple(eleves),
            options=tuple(opts),
            structures=tuple(structures),
            adresses=adresses,
        ),
    )


def _parametres(world: World, uai: str, annee: int) -> bee_common.Parametres:
    """PARAMETRES of an export made now (the world's clock, local time)."""
    now = timeline.local(world.now()).replace(tzinfo=None, microsecond=0)
    return bee_common.Parametres(
        uaj=uai, annee_scolaire=annee, date_export=now.date(), horodatage=now
    )


def _adresse_fields(adresse: Adresse) -> dict:
    return {
        "adresse_id": str(adresse.pk),
        "ligne1_adresse": _or_none(adresse.ligne1),
        "ligne2_adresse": _or_none(adresse.ligne2),
        "ligne3_adresse": _or_none(adresse.ligne3),
        "ligne4_adresse": _or_none(adresse.ligne4),
        "code_postal": _or_none(adresse.code_postal),
        "code_pays": adresse.code_pays,
        "code_commune_insee": _or_none(adresse.code_commune_insee),
        "libelle_postal": _or_none(adresse.commune),
    }


CIVILITES = {"M.": "MONSIEUR", "MME": "MADAME"}


def responsables_document(
    *, world: World, uai: str, annee: int
) -> bee_responsables.BeeResponsables:
    """The responsables of the pupils schooled in `annee`, their links and addresses."""
    liens = list(
        LienResponsable.objects.filter(
            world=world, uai=uai, eleve__scolarites__annee=annee, eleve__scolarites__uai=uai
        )
        .select_related("eleve", "personne", "personne__adresse")
        .order_by("eleve__eleve_id", "niveau", "personne__personne_id")
        .distinct()
    )
    personnes = {}
    for lien in liens:
        personnes.setdefault(lien.personne.personne_id, lien.personne)
    adresses = {p.adresse.pk: p.adresse for p in personnes.values() if p.adresse is not None}
    return bee_responsables.BeeResponsables(
        version=bee_responsables.VERSION,
        parametres=_parametres(world, uai, annee),
        donnees=bee_responsables.Donnees(
            personnes=tuple(
                bee_responsables.Personne(
                    personne_id=p.personne_id,
                    lc_civilite=_or_none(p.civilite),
                    ll_civilite=CIVILITES.get(p.civilite),
                    nom_de_famille=p.nom,
                    nom_usage=_or_none(p.nom_usage),
                    prenom=p.prenom,
                    tel_personnel=_or_none(p.tel_personnel),
                    tel_portable=_or_none(p.tel_portable),
                    tel_professionnel=_or_none(p.tel_professionnel),
                    mel=_or_none(p.mel),
                    adresse_id=str(p.adresse.pk) if p.adresse is not None else None,
                    code_profession=_or_none(p.code_profession),
                )
                for _, p in sorted(personnes.items())
            ),
            responsables=tuple(
                bee_responsables.ResponsableEleve(
                    eleve_id=lien.eleve.eleve_id,
                    personne_id=lien.personne.personne_id,
                    niveau_responsabilite=str(lien.niveau),
                    code_parente=lien.code_parente,
                    paie_frais_scolaires="1" if lien.pers_paiement else "0",
                    percoit_les_aides="true" if lien.resp_financier else "false",
                    a_contacter_en_priorite="true" if lien.pers_contact else "false",
                )
                for lien in liens
            ),
            adresses=tuple(
                bee_responsables.Adresse(**_adresse_fields(a)) for _, a in sorted(adresses.items())
            ),
        ),
    )


def nomenclature_document(
    *, world: World, uai: str, annee: int
) -> bee_nomenclatures.BeeNomenclatures:
    """The establishment's MEFs, subjects and programmes."""
    return bee_nomenclatures.BeeNomenclatures(
        version=bee_nomenclatures.VERSION,
        parametres=_parametres(world, uai, annee),
        donnees=bee_nomenclatures.Donnees(
            mefs=tuple(
                bee_nomenclatures.Mef(
                    code_mef=m.code,
                    formation=_or_none(m.formation),
                    libelle_long=_or_none(m.libelle_long),
                    libelle_edition=_or_none(m.libelle_edition),
                    mef_rattachement=_or_none(m.mef_rattachement),
                    code_mefstat=_or_none(m.mefstat11),
                    nb_opt_oblig=str(m.nb_opt_oblig),
                )
                for m in Mef.objects.filter(world=world, uai=uai).order_by("code")
            ),
            matieres=tuple(
                bee_nomenclatures.Matiere(
                    code_matiere=m.code,
                    code_gestion=_or_none(m.code_gestion),
                    libelle_court=_or_none(m.libelle_court),
                    libelle_long=_or_none(m.libelle_long),
                    libelle_edition=_or_none(m.libelle_edition),
                )
                for m in Matiere.objects.filter(world=world, uai=uai).order_by("code")
            ),
            programmes=tuple(
                bee_nomenclatures.Programme(
                    code_mef=p.mef_code,
                    code_matiere=p.matiere_code,
                    code_modalite_elect=_or_none(p.modalite),
                    horaire=f"{p.horaire:.2f}",
                )
                for p in Programme.objects.filter(world=world, uai=uai)
            ),
        ),
    )


def _mefs_appartenance(structure: Structure) -> tuple[bee_structures.MefAppartenance, ...]:
    return tuple(bee_structures.MefAppartenance(code_mef=code) for code in structure.mefs)


def structures_document(*, world: World, uai: str, annee: int) -> bee_structures.BeeStructures:
    """The divisions and groups of the year (as received from STS-web)."""
    found = list(Structure.objects.filter(world=world, uai=uai, annee=annee).order_by("code"))
    return bee_structures.BeeStructures(
        version=bee_structures.VERSION,
        parametres=_parametres(world, uai, annee),
        donnees=bee_structures.Donnees(
            divisions=tuple(
                bee_structures.Division(
                    code_structure=s.code,
                    libelle_long=_or_none(s.libelle_long),
                    mefs_appartenance=_mefs_appartenance(s),
                )
                for s in found
                if s.type == Structure.Type.DIVISION
            ),
            groupes=tuple(
                bee_structures.Groupe(
                    code_structure=s.code,
                    libelle_long=_or_none(s.libelle_long),
                    divisions_appartenance=tuple(
                        bee_structures.DivisionAppartenance(code_structure=code)
                        for code in s.divisions
                    ),
                    mefs_appartenance=_mefs_appartenance(s),
                )
                for s in found
                if s.type == Structure.Type.GROUPE
            ),
        ),
    )


def _file(world: World, kind: str, uai: str, annee: int) -> tuple[str, bytes, dict]:
    if kind in (SANS_ADRESSES, AVEC_ADRESSES):
        avec = kind == AVEC_ADRESSES
        doc = eleves_document(world=world, uai=uai, annee=annee, avec_adresses=avec)
        name, content = bee_eleves.write_zip_file(doc, avec_adresses=avec)
        counts = {
            "eleves": len(doc.donnees.eleves),
            # exported as they are: the readers may refuse them until they are completed
            "fiches bloquantes": selectors.fiches_bloquantes_count(
                world=world, uai=uai, annee=annee
            ),
        }
    elif kind == RESPONSABLES:
        doc = responsables_document(world=world, uai=uai, annee=annee)
        name, content = bee_responsables.write_zip_file(doc)
        counts = {
            "personnes": len(doc.donnees.personnes),
            "liens": len(doc.donnees.responsables),
        }
    elif kind == NOMENCLATURE:
        doc = nomenclature_document(world=world, uai=uai, annee=annee)
        name, content = bee_nomenclatures.write_zip_file(doc)
        counts = {"mefs": len(doc.donnees.mefs), "matieres": len(doc.donnees.matieres)}
    elif kind == STRUCTURES:
        doc = structures_document(world=world, uai=uai, annee=annee)
        name, content = bee_structures.write_zip_file(doc)
        counts = {"divisions": len(doc.donnees.divisions), "groupes": len(doc.donnees.groupes)}
    else:
        raise ExchangeRefused(f"Export inconnu : « {kind} ».")
    return name, content, counts


def xml_export(*, world: World, kind: str, annee: int | None = None, user=None) -> Exchange:
    """Exportations > En XML: the zip, recorded as an Exchange and in the Exportations log."""
    if world.home is None:
        raise ExchangeRefused("Ce monde n'a pas d'établissement.")
    uai = world.home.uai
    if not Etablissement.objects.filter(world=world, uai=uai).exists():
        raise ExchangeRefused(f"Aucune base élèves pour l'établissement {uai}.")
    annee = annee if annee is not None else world.school_year()
    name, content, counts = _file(world, kind, uai, annee)
    exchange = exchange_record(
        world=world,
        kind=kind,
        source="siecle",
        target=TARGETS.get(kind, "edt"),
        filename=name,
        content=content,
        deposited_by=user,
        report={"uai": uai, "annee": annee, **counts},
    )
    Exportation.objects.create(
        world=world,
        uai=uai,
        annee=annee,
        nature=kind,
        libelle=LABELS[kind],
        le=world.now(),
        auteur=user,
        exchange=exchange,
        parametres=counts,
    )
    return exchange


def exporter(kind: str):
    """The registry's `export(world=, user=)` of one kind (the year in progress)."""

    def export(*, world: World, user=None) -> Exchange:
        return xml_export(world=world, kind=kind, user=user)

    export.__name__ = f"{kind}_export"
    return export
