"""Which options (SIECLE OPTIONS_ELEVE) a pupil takes, from the MEF's programme.

A pupil moving up keeps their LV2, usually their latin, and in terminale two of their three
spécialités of première.
"""

from __future__ import annotations

import random

from .. import nomenclatures as nom
from .types import Option

LV2_WEIGHTS = {nom.ESPAGNOL_LV2: 62, nom.ALLEMAND_LV2: 14, nom.ITALIEN_LV2: 24}
SPE_WEIGHTS = {
    nom.MATHEMATIQUES: 62,
    nom.PHYSIQUE_CHIMIE: 40,
    nom.SVT: 38,
    nom.SES: 36,
    nom.HGGSP: 30,
    nom.HLP: 14,
    nom.LLCER_ANGLAIS: 22,
    nom.NSI: 10,
    nom.SCIENCES_INGENIEUR: 4,
}
# Weight of dropping a spécialité at the end of première.
SPE_DROP_WEIGHTS = {
    nom.MATHEMATIQUES: 8,
    nom.PHYSIQUE_CHIMIE: 10,
    nom.SVT: 10,
    nom.SES: 8,
    nom.HGGSP: 10,
    nom.HLP: 12,
    nom.LLCER_ANGLAIS: 12,
    nom.NSI: 10,
    nom.SCIENCES_INGENIEUR: 8,
}
LATIN_NEW = {"college": 0.16, "gt": 0.03, "pro": 0.0}  # a pupil generated at that level
LATIN_START_5EME = 0.18  # moving up from 6e
LATIN_KEEP = {"college": 0.88, "gt": 0.7, "pro": 0.0}
LATIN_KEEP_INTO_LYCEE = 0.35


def _sample(rng: random.Random, weights: dict[str, int], allowed: tuple[str, ...], k: int):
    pool = [s for s in allowed if weights.get(s, 1) > 0]
    chosen: list[str] = []
    for _ in range(min(k, len(pool))):
        pick = rng.choices(pool, weights=[weights.get(s, 1) for s in pool])[0]
        chosen.append(pick)
        pool.remove(pick)
    return [s for s in allowed if s in chosen]  # programme order


def choose_options(
    rng: random.Random,
    mef_code: str,
    previous: tuple[Option, ...] | None = None,
    previous_mef: str | None = None,
) -> tuple[Option, ...]:
    """The options of a pupil in `mef_code`, carried over from `previous` when given."""
    programme = nom.PROGRAMMES[mef_code]
    voie = nom.MEFS[mef_code].voie
    prev_subjects = [o.subject for o in previous] if previous else []
    prev_voie = nom.MEFS[previous_mef].voie if previous_mef else None
    out: list[Option] = []
    spes: list[str] = []
    for slot in programme.slots:
        picked: list[str] = []
        if slot.key == "LV1":
            picked = list(slot.subjects)
        elif slot.key == "LV2":
            kept = [s for s in prev_subjects if s in slot.subjects]
            picked = kept[:1] or _sample(rng, LV2_WEIGHTS, slot.subjects, 1)
        elif slot.key == "SPE":
            kept = [s for s in prev_subjects if s in slot.subjects]
            if len(kept) > slot.choose:
                while len(kept) > slot.choose:
                    drop = rng.choices(kept, weights=[SPE_DROP_WEIGHTS.get(s, 10) for s in kept])
                    kept.remove(drop[0])
                picked = kept
            elif len(kept) == slot.choose:
                picked = kept
            else:
                picked = _sample(rng, SPE_WEIGHTS, slot.subjects, slot.choose)
            spes = picked
        elif slot.key == "OPT":
            if nom.MATHEMATIQUES in spes:
                if rng.random() < 0.22:
                    picked = [nom.MATHS_EXPERTES]
            elif rng.random() < 0.28:
                picked = [nom.MATHS_COMPLEMENTAIRES]
            if not picked and rng.random() < 0.05:
                picked = [nom.DGEMC]
            picked = [s for s in picked if s in slot.subjects]
        elif slot.key == "LATIN":
            had = any(s in slot.subjects for s in prev_subjects)
            if previous is None:
                p = LATIN_NEW.get(voie, 0.0)
            elif had:
                p = LATIN_KEEP_INTO_LYCEE if prev_voie != voie else LATIN_KEEP.get(voie, 0.0)
            elif previous_mef == nom.MEF_6EME:
                p = LATIN_START_5EME
            else:
                p = 0.0
            if rng.random() < p:
                picked = list(slot.subjects)
        out.extend(Option(subject, slot.modalite) for subject in picked)
    return tuple(out)
