"""The rules known third-party readers (Pix) apply to a BEE_ELEVES pupils export."""

from __future__ import annotations

from entsim.formats import bee_eleves


def readers_rule_violations(doc: bee_eleves.BeeEleves, uai: str) -> list[str]:
    """Every broken rule, one line each (empty: the file is accepted).

    UAJ equals the establishment; CODE_SEXE and DATE_NAISS present; INE of 11 characters and
    unique; CODE_COMMUNE_INSEE_NAISS when CODE_PAYS is 100; each active pupil has a
    TYPE_STRUCTURE D structure. Active: scolarisé(e) in SIECLE's sense, a CODE_MEF and no
    DATE_SORTIE (in the year in preparation, the pupils waiting for their affectation have
    neither MEF nor division; readers leave them aside).
    """
    problems = []
    if doc.uai != uai:
        problems.append(f"UAJ {doc.uai} au lieu de {uai}")
    structures = doc.structures_by_eleve()
    seen: set[str] = set()
    for eleve in doc.donnees.eleves:
        who = f"ELEVE_ID {eleve.eleve_id}"
        if eleve.code_sexe not in ("1", "2"):
            problems.append(f"{who} : CODE_SEXE absent")
        if eleve.date_naiss is None:
            problems.append(f"{who} : DATE_NAISS absente")
        ine = eleve.id_national or ""
        if len(ine) != 11:
            problems.append(f"{who} : INE « {ine} »")
        elif ine in seen:
            problems.append(f"{who} : INE {ine} en double")
        seen.add(ine)
        if eleve.code_pays == "100" and not eleve.code_commune_insee_naiss:
            problems.append(f"{who} : CODE_COMMUNE_INSEE_NAISS absent (CODE_PAYS 100)")
        if (
            eleve.date_sortie is None
            and eleve.code_mef
            and not any(
                s.type_structure == bee_eleves.TypeStructure.DIVISION
                for s in structures.get(eleve.eleve_id, ())
            )
        ):
            problems.append(f"{who} : aucune structure D")
    return problems
