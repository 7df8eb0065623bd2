"""National nomenclatures (BCN, SIECLE, STS-web) used across the simulator.

Pure data, no Django: the académie generator and every system app (STS-web, SIECLE, AAF, ENT)
read the codes from here, so that a code means the same thing everywhere.

Sources: `reference/NOMENCLATURES.md` (what was seen where). Every value below was seen in a
public source unless its line carries `# inferred` (chosen by analogy, not seen) — same
convention as the reference page. Labels are copied as they appear there (upper case,
abbreviations, missing accents included); `libelle_edition` labels are written in mixed case.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# --------------------------------------------------------------------------------------------
# Académie
# --------------------------------------------------------------------------------------------

ACADEMIE_CODE = "002"  # inferred: STS writes 3 digits (Créteil "024"); FRC gives "02"
ACADEMIE_NAME = "AIX-MARSEILLE"
ACADEMIE_DEPARTEMENTS = ("004", "005", "013", "084")

# Other académies (origin of pupils arriving from outside the world).
OTHER_ACADEMIES: dict[str, str] = {
    "023": "NICE",  # inferred 3-digit form of "23"
    "024": "CRETEIL",
}


# --------------------------------------------------------------------------------------------
# UAI (RNE)
# --------------------------------------------------------------------------------------------

UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # 23 letters: no I, O, Q


def uai_check_letter(seven_digits: str) -> str:
    """The UAI key: letter = UAI_LETTERS[int(first 7 digits) mod 23]."""
    return UAI_LETTERS[int(seven_digits) % 23]


def uai_make(seven_digits: str) -> str:
    return seven_digits + uai_check_letter(seven_digits)


def uai_is_valid(uai: str) -> bool:
    return (
        len(uai) == 8
        and uai[:7].isdigit()
        and uai[:7].isascii()
        and uai[7] == uai_check_letter(uai[:7])
    )


# --------------------------------------------------------------------------------------------
# MEF
# --------------------------------------------------------------------------------------------


class Voie:
    COLLEGE = "college"
    GT = "gt"  # lycée général et technologique
    PRO = "pro"  # voie professionnelle


@dataclass(frozen=True, slots=True)
class Mef:
    code: str  # CODE_MEF, 11 characters
    formation: str
    libelle_long: str
    libelle_edition: str
    mefstat11: str
    mefstat4: str
    rank: int  # level rank: 0 = 6e, 1 = 5e, 2 = 4e, 3 = 3e, 4 = 2de, 5 = 1re, 6 = Tle
    next_code: str | None  # the MEF of the following year for a pupil who moves up, if any
    voie: str
    inferred: bool = False  # True when the code itself was not seen (see comments)


# fmt: off
_MEF_LIST: tuple[Mef, ...] = (
    # Collège (DOS nomenclature_tout_niveau.xml, GEPI, AAF13, MSS, EDT).
    Mef("10010012110", "6EME", "6EME", "6ème", "21110010012", "2111", 0, "10110001110", "college"),
    Mef("10110001110", "5G", "5EME", "5ème", "21120010001", "2112", 1, "10210001110", "college"),
    Mef("10210001110", "4G", "4EME", "4ème", "21150010001", "2115", 2, "10310019110", "college"),
    Mef("10310019110", "3EME", "3EME", "3ème", "21160010019", "2116", 3, None, "college"),
    # SEGPA (DOS seed_demo.rb, AAF13; FORMATION and LIBELLE_EDITION not seen).
    Mef("16410002110", "6SEGPA", "6EME SEGPA", "6ème SEGPA", "24310010002", "2431", 0,
        "16510002110", "college"),
    Mef("16510002110", "5SEGPA", "5EME SEGPA", "5ème SEGPA", "24320010002", "2432", 1,
        "16610002110", "college"),
    Mef("16610002110", "4SEGPA", "4EME SEGPA", "4ème SEGPA", "24330010002", "2433", 2,
        "16710002110", "college"),
    Mef("16710002110", "3SEGPA", "3EME SEGPA", "3ème SEGPA", "24340010002", "2434", 3, None,
        "college"),
    # Lycée général et technologique. The post-2019 2nde GT code was not seen: the simulator
    # uses the (seen) pre-2019 "2DEGT2" code 20010015110 with the current labels (inferred).
    Mef("20010015110", "2DEGT2", "2NDE GENERALE ET TECHNOLOGIQUE",  # labels inferred
        "2nde générale et technologique", "22111410015", "2211", 4, "20110019110",
        "gt"),
    # 1re générale: code and LIBELLE_LONG seen (MSS SYGNE); FORMATION, MEFSTAT11 inferred.
    Mef("20110019110", "1ERE G", "PREMIERE GENERALE", "Première générale",
        "22121410019", "2212", 5, "20210019110", "gt"),
    # Terminale générale: code inferred (201 -> 202 as 1L/TL), labels and MEFSTAT11 inferred.
    Mef("20210019110", "TLE G", "TERMINALE GENERALE", "Terminale générale",
        "22131410019", "2213", 6, None, "gt", inferred=True),
    Mef("21133103110", "1-ST2S", "1-ST2S SCIENCES & TECHNO. SANTE & SOCIAL",
        "1re ST2S", "22122433103", "2212", 5, "21233103110", "gt"),
    Mef("21233103110", "T-ST2S", "T-ST2S SCIENCES & TECHNO. SANTE & SOCIAL",
        "Terminale ST2S", "22132433103", "2213", 6, None, "gt"),
    # Voie professionnelle (AAF13; codes valid in 2013).
    Mef("24731202310", "2NDPRO", "2NDPRO COMMERCE", "2nde pro Commerce",
        "23810031202", "2381", 4, "24731202320", "pro"),
    Mef("24731202320", "1ERPRO", "1ERPRO COMMERCE", "1re pro Commerce",
        "23820031202", "2382", 5, "24731202330", "pro"),
    Mef("24731202330", "TLEPRO", "TLEPRO COMMERCE", "Terminale pro Commerce",
        "23830031202", "2383", 6, None, "pro"),
    Mef("24731402310", "2NDPRO", "2NDPRO COMPTABILITE", "2nde pro Comptabilité",
        "23810031402", "2381", 4, "24731402320", "pro"),
    Mef("24731402320", "1ERPRO", "1ERPRO COMPTABILITE", "1re pro Comptabilité",
        "23820031402", "2382", 5, "24731402330", "pro"),
    Mef("24731402330", "TLEPRO", "TLEPRO COMPTABILITE", "Terminale pro Comptabilité",
        "23830031402", "2383", 6, None, "pro"),
    Mef("24732402310", "2NDPRO", "2NDPRO SECRETARIAT", "2nde pro Secrétariat",
        "23810032402", "2381", 4, "24732402320", "pro"),
    Mef("24732402320", "1ERPRO", "1ERPRO SECRETARIAT", "1re pro Secrétariat",
        "23820032402", "2382", 5, "24732402330", "pro"),
    Mef("24732402330", "TLEPRO", "TLEPRO SECRETARIAT", "Terminale pro Secrétariat",
        "23830032402", "2383", 6, None, "pro"),
    Mef("24725506310", "2NDPRO", "2NDPRO ELECTROTEC. ENERG. EQUIP.COMMUNIC",
        "2nde pro ELEEC", "23810025506", "2381", 4, "24725506320", "pro"),
    Mef("24725506320", "1ERPRO", "1ERPRO ELECTROTEC. ENERG. EQUIP.COMMUNIC",
        "1re pro ELEEC", "23820025506", "2382", 5, "24725506330", "pro"),
    Mef("24725506330", "TLEPRO", "TLEPRO ELECTROTEC. ENERG. EQUIP.COMMUNIC",
        "Terminale pro ELEEC", "23830025506", "2383", 6, None, "pro"),
    Mef("24725007310", "2NDPRO", "2NDPRO MAINTENANCE EQUIPEMENTS INDUST.",
        "2nde pro MEI", "23810025007", "2381", 4, "24725007320", "pro"),
    Mef("24725007320", "1ERPRO", "1ERPRO MAINTENANCE EQUIPEMENTS INDUST.",
        "1re pro MEI", "23820025007", "2382", 5, "24725007330", "pro"),
    Mef("24725007330", "TLEPRO", "TLEPRO MAINTENANCE EQUIPEMENTS INDUST.",
        "Terminale pro MEI", "23830025007", "2383", 6, None, "pro"),
    Mef("24122131210", "1CAP2", "1CAP2  CUISINE", "1re année CAP Cuisine",
        "23210022131", "2321", 4, "24122131220", "pro"),
    Mef("24122131220", "2CAP2", "2CAP2  CUISINE", "2e année CAP Cuisine",
        "23220022131", "2322", 5, None, "pro"),
    Mef("24133610210", "1CAP2", "1CAP2  COIFFURE", "1re année CAP Coiffure",
        "23210033610", "2321", 4, "24133610220", "pro"),
    Mef("24133610220", "2CAP2", "2CAP2  COIFFURE", "2e année CAP Coiffure",
        "23220033610", "2322", 5, None, "pro"),
    Mef("24131216210", "1CAP2", "1CAP2  EMPL.VENTE: PRDTS EQUIP.COURANT(S)",
        "1re année CAP EVPEC", "23210031216", "2321", 4, "24131216220", "pro"),
    Mef("24131216220", "2CAP2", "2CAP2  EMPL.VENTE: PRDTS EQUIP.COURANT(S)",
        "2e année CAP EVPEC", "23220031216", "2322", 5, None, "pro"),
)
# fmt: on
# MEFSTAT4 of the CAP rows (2321 / 2322) are the MEFSTAT11 prefixes (rule from CAT mef.md).

MEFS: dict[str, Mef] = {mef.code: mef for mef in _MEF_LIST}

# The MEFs the generator puts pupils in, by name.
MEF_6EME = "10010012110"
MEF_5EME = "10110001110"
MEF_4EME = "10210001110"
MEF_3EME = "10310019110"
MEF_2NDE_GT = "20010015110"
MEF_1ERE_G = "20110019110"
MEF_TLE_G = "20210019110"
MEF_2NDPRO_COMMERCE = "24731202310"
MEF_1ERPRO_COMMERCE = "24731202320"
MEF_TLEPRO_COMMERCE = "24731202330"
MEF_2NDPRO_SECRETARIAT = "24732402310"
MEF_1ERPRO_SECRETARIAT = "24732402320"
MEF_TLEPRO_SECRETARIAT = "24732402330"

# MEFSTAT4 labels (level labels, AAF13 ENTEleveNivFormation / MSS).
MEFSTAT4_LABELS: dict[str, str] = {
    "2111": "6EME",
    "2112": "5EME",
    "2115": "4EME",
    "2116": "3EME",
    "2211": "2NDE G-T",
    "2212": "1ERE G-T",
    "2213": "TERMINALE G-T",  # inferred
    "2381": "BAC PRO 3 ANS : 2NDE PRO (OU 1ERE ANNEE)",
    "2382": "BAC PRO 3 ANS : 1ERE PRO (OU 2EME ANNEE)",
    "2383": "BAC PRO 3 ANS : TERM PRO (OU 3EME ANNEE)",
    "2321": "CAP EN 2 ANS : 1ERE ANNEE",
    "2322": "CAP EN 2 ANS : 2EME ANNEE",
    "2431": "6EME SEGPA",
    "2432": "5EME SEGPA",
    "2433": "4E SEGPA",
    "2434": "3E SEGPA",
}

# MEF of the previous year of a pupil entering 6e (CM2, DOS debussy / AAF13).
MEF_CM2 = "00310002220"


# --------------------------------------------------------------------------------------------
# Subjects (matières, CODE_MATIERE)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Subject:
    code: str  # 6 characters
    code_gestion: str
    libelle_court: str  # <= 20 characters
    libelle_long: str
    libelle_edition: str


# Full triples seen only for 020700, 061300 and 020300. For the others CODE_GESTION and
# LIBELLE_LONG come from BCN; LIBELLE_COURT and LIBELLE_EDITION are inferred (short labels
# seen in unnamed client code are used where they exist).
# fmt: off
_SUBJECT_LIST: tuple[Subject, ...] = (
    Subject("020700", "FRANC", "FRANCAIS", "FRANCAIS", "Français"),
    Subject("061300", "MATHS", "MATHEMATIQUES", "MATHEMATIQUES", "Mathématiques"),
    Subject("020300", "LCALA", "LCA LATIN", "LANGUES ET CULTURES DE L'ANTIQUITE LATIN",
            "Langues et cultures de l'Antiquité LATIN"),
    Subject("040600", "HIGEO", "HISTOIRE-GEOGRAPHIE", "HISTOIRE ET GEOGRAPHIE",
            "Histoire et géographie"),
    Subject("042100", "HIGCV", "HIST-GEO-EMC", "HISTOIRE-GEOGRAPHIE-ENS. MORAL & CIVIQUE",
            "Histoire-géographie-EMC"),
    Subject("043800", "EMC", "ENS. MORAL & CIVIQUE", "ENSEIGNEMENT MORAL ET CIVIQUE",
            "Enseignement moral et civique"),
    Subject("041400", "EDCIV", "EDUCATION CIVIQUE", "EDUCATION CIVIQUE", "Éducation civique"),
    Subject("030201", "AGL1", "ANGLAIS LV1", "ANGLAIS LV1", "Anglais LV1"),
    Subject("030202", "AGL2", "ANGLAIS LV2", "ANGLAIS LV2", "Anglais LV2"),
    Subject("030101", "ALL1", "ALLEMAND LV1", "ALLEMAND LV1", "Allemand LV1"),
    Subject("030102", "ALL2", "ALLEMAND LV2", "ALLEMAND LV2", "Allemand LV2"),
    Subject("030601", "ESP1", "ESPAGNOL LV1", "ESPAGNOL LV1", "Espagnol LV1"),
    Subject("030602", "ESP2", "ESPAGNOL LV2", "ESPAGNOL LV2", "Espagnol LV2"),
    Subject("030901", "ITA1", "ITALIEN LV1", "ITALIEN LV1", "Italien LV1"),
    Subject("030902", "ITA2", "ITALIEN LV2", "ITALIEN LV2", "Italien LV2"),
    Subject("030903", "ITA3", "ITALIEN LV3", "ITALIEN LV3", "Italien LV3"),
    Subject("030204", "AGL4", "ANGLAIS APPROFONDI", "ANGLAIS  APPROFONDI", "Anglais approfondi"),
    # 030208 used as the LLCER anglais spécialité (inferred).
    Subject("030208", "AGL 8", "LITT. EN ANGLAIS", "LITTERATURE EN ANGLAIS",
            "Littérature en anglais"),
    Subject("062900", "SVT", "SCIENCES VIE & TERRE", "SCIENCES DE LA VIE ET DE LA TERRE",
            "Sciences de la vie et de la Terre"),
    Subject("062300", "PH-CH", "PHYSIQUE-CHIMIE", "PHYSIQUE-CHIMIE", "Physique-chimie"),
    Subject("070800", "TECHN", "TECHNOLOGIE", "TECHNOLOGIE", "Technologie"),
    Subject("100100", "EPS", "ED.PHYSIQUE & SPORT.", "EDUCATION PHYSIQUE ET SPORTIVE",
            "Éducation physique et sportive"),
    Subject("090100", "A-PLA", "ARTS PLASTIQUES", "ARTS PLASTIQUES", "Arts plastiques"),
    Subject("081300", "EDMUS", "EDUCATION MUSICALE", "EDUCATION MUSICALE", "Éducation musicale"),
    Subject("020100", "LATIN", "LATIN", "LATIN", "Latin"),
    Subject("020200", "GREC", "GREC ANCIEN", "GREC ANCIEN", "Grec ancien"),
    Subject("020400", "LCAGR", "LCA GREC", "LANGUES ET CULTURES DE L'ANTIQUITE GREC",
            "Langues et cultures de l'Antiquité GREC"),
    Subject("050700", "SES", "SC. ECONO.& SOCIALES", "SCIENCES ECONOMIQUES ET SOCIALES",
            "Sciences économiques et sociales"),
    Subject("010300", "PHILO", "PHILOSOPHIE", "PHILOSOPHIE", "Philosophie"),
    Subject("065300", "G-SCI", "ENS. SCIENTIFIQUE", "ENSEIGNEMENT SCIENTIFIQUE",
            "Enseignement scientifique"),
    Subject("074600", "SNTEC", "SC.NUMERIQ.TECHNOL.", "SCIENCES NUMERIQUES ET TECHNOLOGIE",
            "Sciences numériques et technologie"),
    Subject("074700", "NSINF", "NUMERIQUE SC.INFORM.", "NUMERIQUE ET SCIENCES INFORMATIQUES",
            "Numérique et sciences informatiques"),
    Subject("010500", "HLPHI", "HUMANITES LITT.PHILO", "HUMANITES, LITTÉRATURE ET PHILOSOPHIE",
            "Humanités, littérature et philosophie"),
    Subject("043900", "HGGSP", "HIST.GEO.GEOPOL.S.P.", "HIST.-GEO. GEOPOLITIQUE & SC.POLITIQUES",
            "Histoire-géographie, géopolitique et sciences politiques"),
    Subject("024100", "LLCAL", "LITT. & LCA LATIN", "LITTERATURE ET LCA LATIN",
            "Littérature et LCA latin"),
    Subject("067300", "SC-IG", "SC. DE L'INGENIEUR", "SCIENCES DE L'INGENIEUR",
            "Sciences de l'ingénieur"),
    Subject("480300", "MATCO", "MATHS COMPLEMENT.", "MATHEMATIQUES COMPLEMENTAIRES",
            "Mathématiques complémentaires"),
    Subject("480400", "MATEX", "MATHS EXPERTES", "MATHEMATIQUES EXPERTES",
            "Mathématiques expertes"),
    Subject("365700", "DGEMC", "DROIT ENJEUX MONDE", "DROIT GRANDS ENJEUX MONDE CONTEMPORAIN",
            "Droit et grands enjeux du monde contemporain"),
    Subject("006600", "ACCPE", "ACCOMPAGNEMT. PERSO.", "ACCOMPAGNEMENT PERSONNALISE",
            "Accompagnement personnalisé"),
    Subject("470600", "ACHOR", "ACCOMP. ORIENTATION", "ACCOMPAGNEMENT AU CHOIX DE L'ORIENTATION",
            "Accompagnement au choix de l'orientation"),
    Subject("008400", "VICLA", "VIE DE CLASSE", "VIE DE CLASSE", "Vie de classe"),
    Subject("009800", "AEAID", "AIDE DEVOIRS LECONS", "ACCOMPAGN.EDUCATIF- AIDE DEVOIRS LECONS",
            "Aide aux devoirs et leçons"),
    # Technological series (mapping to the series inferred); 366800 and 434500 also serve as
    # the économie-droit and professional teaching of the bac pro tertiaire (inferred).
    Subject("436700", "SGENU", "SC. GESTION NUMERIQ.", "SCIENCES DE GESTION ET NUMERIQUE",
            "Sciences de gestion et numérique"),
    Subject("434500", "MANAG", "MANAGEMENT", "MANAGEMENT", "Management"),
    Subject("366800", "DROEC", "DROIT ET ECONOMIE", "DROIT ET ECONOMIE", "Droit et économie"),
    Subject("490100", "INDED", "INGENIERIE DEV. DUR.", "INGENIERIE ET DEVELOPPEMENT DURABLE",
            "Ingénierie et développement durable"),
    Subject("074900", "INNTE", "INNOVATION TECHNO.", "INNOVATION TECHNOLOGIQUE",
            "Innovation technologique"),
    Subject("480700", "PHCHM", "PHYSIQUE-CHIMIE MATH", "PHYSIQUE-CHIMIE ET MATHEMATIQUES",
            "Physique-chimie et mathématiques"),
    Subject("501100", "ETLV1", "ENS. TECHNO. EN LV1", "ENSEIGNEMENT TECHNOLOGIQUE EN LV1",
            "Enseignement technologique en LV1"),
)
# fmt: on

SUBJECTS: dict[str, Subject] = {subject.code: subject for subject in _SUBJECT_LIST}

# Subjects by name, for code that needs one in particular.
FRANCAIS = "020700"
MATHEMATIQUES = "061300"
HISTOIRE_GEO = "040600"
EMC = "043800"
ANGLAIS_LV1 = "030201"
ALLEMAND_LV2 = "030102"
ESPAGNOL_LV2 = "030602"
ITALIEN_LV2 = "030902"
LCA_LATIN = "020300"
SVT = "062900"
PHYSIQUE_CHIMIE = "062300"
TECHNOLOGIE = "070800"
EPS = "100100"
ARTS_PLASTIQUES = "090100"
EDUCATION_MUSICALE = "081300"
SES = "050700"
PHILOSOPHIE = "010300"
ENS_SCIENTIFIQUE = "065300"
SNT = "074600"
NSI = "074700"
HLP = "010500"
HGGSP = "043900"
LLCER_ANGLAIS = "030208"  # inferred use of 030208
SCIENCES_INGENIEUR = "067300"
MATHS_COMPLEMENTAIRES = "480300"
MATHS_EXPERTES = "480400"
DGEMC = "365700"
ACHOR = "470600"
ACC_PERSO = "006600"
DROIT_ECONOMIE = "366800"
MANAGEMENT = "434500"
GESTION_NUMERIQUE = "436700"

LV2_SUBJECTS = (ESPAGNOL_LV2, ALLEMAND_LV2, ITALIEN_LV2)


# --------------------------------------------------------------------------------------------
# Modalités
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Modalite:
    code: str
    libelle_court: str
    libelle_long: str


MODALITES_ELECTION: dict[str, Modalite] = {
    m.code: m
    for m in (
        Modalite("S", "TRONC COMM", "MATIERE ENSEIGNEE EN TRONC COMMUN"),
        Modalite("O", "OBLIGATOIR", "MATIERE ENSEIGNEE OPTION OBLIGATOIRE"),
        Modalite("F", "FACULTATIF", "MATIERE ENSEIGNEE OPTION FACULTATIVE"),
        Modalite("N", "OBL OU FAC", "MATIERE ENSEIGNEE OBLIG. OU FACULTATIVE"),
        Modalite("X", "MESURE SPE", "MESURE SPECIFIQUE"),
        Modalite("L", "AJOUT ACAD", "AJOUT ACADEMIQUE AU PROGRAMME"),
        Modalite("R", "ENS.RELIG.", "ENSEIGNEMENT RELIGIEUX"),
    )
}


@dataclass(frozen=True, slots=True)
class ModCours:
    code: str
    libelle_court: str
    libelle_long: str
    co_ens: bool


MODS_COURS: dict[str, ModCours] = {
    # CG: code seen (EDT emp_sts.xml), labels not seen (inferred).
    "CG": ModCours("CG", "COURS GEN", "COURS GENERAL", False),
    "AI": ModCours("AI", "AIDE IND", "AIDE INDIVIDUALISEE - SOUTIEN", True),
}


# --------------------------------------------------------------------------------------------
# Programmes: what each MEF teaches (STS PROGRAMMES, SIECLE options)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProgrammeLine:
    """A subject every pupil of the MEF takes, taught to the whole division.

    `split_hours` of the `hours` are taught in half-division groups (dédoublement, e.g. the
    practical work of physique-chimie in 2de): the division has `hours - split_hours`, each
    half `split_hours`.
    """

    subject: str
    hours: Decimal
    modalite: str = "S"
    split_hours: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class OptionSlot:
    """A choice a pupil makes (SIECLE option): `choose` subjects among `subjects`.

    `in_division`: the option is taught to the whole division (LV1 anglais: everyone takes
    it); otherwise it is taught in teaching groups drawn from several divisions.
    `mandatory`: every pupil takes it (modalité O); otherwise some pupils do (modalité F).
    """

    key: str
    label: str
    subjects: tuple[str, ...]
    choose: int
    modalite: str
    hours: Decimal
    mandatory: bool
    in_division: bool = False


@dataclass(frozen=True, slots=True)
class Programme:
    mef_code: str
    core: tuple[ProgrammeLine, ...]
    slots: tuple[OptionSlot, ...]

    def lines(self) -> tuple[tuple[str, Decimal, str], ...]:
        """(subject, weekly hours, modalité) of every subject of the MEF (STS PROGRAMME)."""
        out = [(line.subject, line.hours, line.modalite) for line in self.core]
        for slot in self.slots:
            out.extend((subject, slot.hours, slot.modalite) for subject in slot.subjects)
        return tuple(out)

    def split_lines(self) -> tuple[tuple[str, Decimal], ...]:
        """(subject, hours of each half) taught in half-division groups."""
        return tuple((line.subject, line.split_hours) for line in self.core if line.split_hours)

    def division_lines(self) -> tuple[tuple[str, Decimal], ...]:
        """(subject, hours) taught to the whole division (services on the division)."""
        out = [
            (line.subject, line.hours - line.split_hours)
            for line in self.core
            if line.hours > line.split_hours
        ]
        for slot in self.slots:
            if slot.in_division:
                out.extend((subject, slot.hours) for subject in slot.subjects)
        return tuple(out)


def _h(value: str) -> Decimal:
    return Decimal(value)


# Weekly hours follow the national timetables (rounded; inferred where the code is).
def _lv1(hours: str) -> OptionSlot:
    return OptionSlot("LV1", "Langue vivante 1", (ANGLAIS_LV1,), 1, "O", _h(hours), True, True)


def _lv2(hours: str, subjects: tuple[str, ...] = LV2_SUBJECTS) -> OptionSlot:
    return OptionSlot("LV2", "Langue vivante 2", subjects, 1, "O", _h(hours), True)


def _latin(hours: str) -> OptionSlot:
    return OptionSlot("LATIN", "Latin (LCA)", (LCA_LATIN,), 1, "F", _h(hours), False)


_SPECIALITES = (
    MATHEMATIQUES,
    PHYSIQUE_CHIMIE,
    SVT,
    SES,
    HGGSP,
    HLP,
    LLCER_ANGLAIS,
    NSI,
    SCIENCES_INGENIEUR,
)


def _programme(mef: str, lines: tuple[tuple[str, str], ...], *slots: OptionSlot) -> Programme:
    core = []
    for subject, hours in lines:
        whole, _, split = hours.partition("/")  # "3/1.5": 3 h, of which 1.5 h in halves
        core.append(ProgrammeLine(subject, _h(whole), "S", _h(split or "0")))
    return Programme(mef, tuple(core), slots)


PROGRAMMES: dict[str, Programme] = {
    p.mef_code: p
    for p in (
        _programme(
            MEF_6EME,
            (
                (FRANCAIS, "4.5"),
                (MATHEMATIQUES, "4.5"),
                (HISTOIRE_GEO, "2.5"),
                (EMC, "0.5"),
                (SVT, "1.5"),
                (PHYSIQUE_CHIMIE, "1"),
                (TECHNOLOGIE, "1.5"),
                (EPS, "4"),
                (ARTS_PLASTIQUES, "1"),
                (EDUCATION_MUSICALE, "1"),
            ),
            _lv1("4"),
        ),
        _programme(
            MEF_5EME,
            (
                (FRANCAIS, "4.5"),
                (MATHEMATIQUES, "3.5"),
                (HISTOIRE_GEO, "2.5"),
                (EMC, "0.5"),
                (SVT, "1.5"),
                (PHYSIQUE_CHIMIE, "1.5"),
                (TECHNOLOGIE, "1.5"),
                (EPS, "3"),
                (ARTS_PLASTIQUES, "1"),
                (EDUCATION_MUSICALE, "1"),
            ),
            _lv1("3"),
            _lv2("2.5"),
            _latin("1"),
        ),
        _programme(
            MEF_4EME,
            (
                (FRANCAIS, "4.5"),
                (MATHEMATIQUES, "3.5"),
                (HISTOIRE_GEO, "2.5"),
                (EMC, "0.5"),
                (SVT, "1.5"),
                (PHYSIQUE_CHIMIE, "1.5"),
                (TECHNOLOGIE, "1.5"),
                (EPS, "3"),
                (ARTS_PLASTIQUES, "1"),
                (EDUCATION_MUSICALE, "1"),
            ),
            _lv1("3"),
            _lv2("2.5"),
            _latin("2"),
        ),
        _programme(
            MEF_3EME,
            (
                (FRANCAIS, "4"),
                (MATHEMATIQUES, "3.5"),
                (HISTOIRE_GEO, "3"),
                (EMC, "0.5"),
                (SVT, "1.5"),
                (PHYSIQUE_CHIMIE, "1.5"),
                (TECHNOLOGIE, "1.5"),
                (EPS, "3"),
                (ARTS_PLASTIQUES, "1"),
                (EDUCATION_MUSICALE, "1"),
            ),
            _lv1("3"),
            _lv2("2.5"),
            _latin("2"),
        ),
        _programme(
            MEF_2NDE_GT,
            (
                (FRANCAIS, "4"),
                (MATHEMATIQUES, "4"),
                (HISTOIRE_GEO, "3"),
                (EMC, "0.5"),
                (SES, "1.5"),
                (PHYSIQUE_CHIMIE, "3/1.5"),
                (SVT, "1.5/1"),
                (SNT, "1.5/1.5"),
                (EPS, "2"),
                (ACHOR, "1"),
                (ACC_PERSO, "1"),
            ),
            _lv1("3"),
            _lv2("2.5"),
            _latin("3"),
        ),
        _programme(
            MEF_1ERE_G,
            (
                (FRANCAIS, "4"),
                (HISTOIRE_GEO, "3"),
                (EMC, "0.5"),
                (ENS_SCIENTIFIQUE, "2"),
                (EPS, "2"),
                (ACHOR, "1"),
                (ACC_PERSO, "1"),
            ),
            _lv1("2.5"),
            _lv2("2"),
            OptionSlot("SPE", "Enseignements de spécialité", _SPECIALITES, 3, "O", _h("4"), True),
            _latin("3"),
        ),
        _programme(
            MEF_TLE_G,
            (
                (PHILOSOPHIE, "4"),
                (HISTOIRE_GEO, "3"),
                (EMC, "0.5"),
                (ENS_SCIENTIFIQUE, "2"),
                (EPS, "2"),
                (ACHOR, "1"),
                (ACC_PERSO, "1"),
            ),
            _lv1("2"),
            _lv2("2"),
            OptionSlot("SPE", "Enseignements de spécialité", _SPECIALITES, 2, "O", _h("6"), True),
            OptionSlot(
                "OPT",
                "Option de terminale",
                (MATHS_COMPLEMENTAIRES, MATHS_EXPERTES, DGEMC),
                1,
                "F",
                _h("3"),
                False,
            ),
            _latin("3"),
        ),
    )
}

# Bac pro tertiaire (commerce, secrétariat): general subjects, économie-droit and the
# professional teaching (MANAGEMENT and SC. GESTION NUMERIQ. used for it: inferred), LV2
# espagnol or italien.
_PRO_CORE = (
    (FRANCAIS, "2"),
    (HISTOIRE_GEO, "1"),
    (EMC, "0.5"),
    (MATHEMATIQUES, "1.5"),
    (ARTS_PLASTIQUES, "1"),
    (EPS, "2.5"),
    (DROIT_ECONOMIE, "1"),
    (MANAGEMENT, "6"),
    (GESTION_NUMERIQUE, "5"),
)
for _mef in (
    MEF_2NDPRO_COMMERCE,
    MEF_1ERPRO_COMMERCE,
    MEF_TLEPRO_COMMERCE,
    MEF_2NDPRO_SECRETARIAT,
    MEF_1ERPRO_SECRETARIAT,
    MEF_TLEPRO_SECRETARIAT,
):
    PROGRAMMES[_mef] = _programme(
        _mef, _PRO_CORE, _lv1("2"), _lv2("2", (ESPAGNOL_LV2, ITALIEN_LV2))
    )
del _mef


# --------------------------------------------------------------------------------------------
# Staff: disciplines, functions, grades, civilités
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Discipline:
    code: str
    libelle: str
    libelle_court: str  # STS DISCIPLINE/LIBELLE_COURT: seen for L0202, L0422; others inferred


_DISCIPLINE_LIST: tuple[Discipline, ...] = (
    Discipline("L0100", "PHILOSOPHIE", "PHILO"),
    Discipline("L0201", "LETTRES CLASSIQUES", "LET CLASS"),
    Discipline("L0202", "LETTRES MODERNES", "LET MODERN"),
    Discipline("L0421", "ALLEMAND", "ALLEMAND"),
    Discipline("L0422", "ANGLAIS", "ANGLAIS"),
    Discipline("L0423", "ARABE", "ARABE"),
    Discipline("L0424", "CHINOIS", "CHINOIS"),
    Discipline("L0426", "ESPAGNOL", "ESPAGNOL"),
    Discipline("L0429", "ITALIEN", "ITALIEN"),
    Discipline("L0434", "RUSSE", "RUSSE"),
    Discipline("L0444", "OCCITAN - LANGUE D'OC", "OCCITAN"),
    Discipline("L1000", "HISTOIRE GEOGRAPHIE", "HIST GEO"),
    Discipline("L1100", "SCIENCES ECONOMIQUES ET SOCIALES", "SES"),
    Discipline("L1300", "MATHEMATIQUES", "MATHS"),
    Discipline("L1400", "TECHNOLOGIE", "TECHNO"),
    Discipline("L1500", "SCIENCES PHYSIQUES ET CHIMIQUES", "SC PHYS"),
    Discipline("L1600", "SCIENCES DE LA VIE ET DE LA TERRE", "S. V. T."),
    Discipline("L1700", "EDUCATION MUSICALE", "ED MUSIC"),
    Discipline("L1800", "ARTS PLASTIQUES", "ARTS PLAST"),
    Discipline("L1900", "EDUCATION PHYSIQUE ET SPORTIVE", "E. P. S"),
    Discipline("L8011", "ECO ET GEST.OPTION COMM, ORG, GRH", "ECO GEST"),
    Discipline("L8012", "ECO ET GEST.OPTION COMPTABILITE ET FINANCE", "ECO G COMP"),
    Discipline("L8013", "ECO ET GEST.OPTION MARKETING", "ECO G MARK"),
    Discipline("P0210", "LETTRES HISTOIRE GEOGRAPHIE", "LET HIST"),
    Discipline("P0222", "LETTRES ANGLAIS", "LET ANGL"),
    Discipline("P1315", "MATH.SCIENCES PHYSIQUES", "MATH SC PH"),
    Discipline("L0080", "DOCUMENTATION", "DOCUMENT"),
    Discipline("E0030", "EDUCATION  (CE ,CPE)", "EDUCATION"),
    Discipline("D0010", "DIRECTION CHEF D'ETABLISSEMENT", "DIRECTION"),
    Discipline("D0011", "DIRECTION ADJOINT AU CHEF ETABLISSEMENT", "DIR ADJ"),
    Discipline("O0040", "ORIENTATION", "ORIENTAT"),
    Discipline("S0054", "ENCADRE. SUR. DES ELEVES (HORS INTERNAT)", "SURVEILL"),
)

DISCIPLINES: dict[str, Discipline] = {d.code: d for d in _DISCIPLINE_LIST}

# Which disciplines teach a subject, in order of preference (inferred mapping).
TEACHING_DISCIPLINES: dict[str, tuple[str, ...]] = {
    FRANCAIS: ("L0202", "L0201"),
    LCA_LATIN: ("L0201",),
    "024100": ("L0201",),
    HISTOIRE_GEO: ("L1000",),
    EMC: ("L1000",),
    HGGSP: ("L1000",),
    MATHEMATIQUES: ("L1300",),
    MATHS_COMPLEMENTAIRES: ("L1300",),
    MATHS_EXPERTES: ("L1300",),
    NSI: ("L1300",),
    ANGLAIS_LV1: ("L0422",),
    LLCER_ANGLAIS: ("L0422",),
    ESPAGNOL_LV2: ("L0426",),
    ALLEMAND_LV2: ("L0421",),
    ITALIEN_LV2: ("L0429",),
    SVT: ("L1600",),
    PHYSIQUE_CHIMIE: ("L1500",),
    ENS_SCIENTIFIQUE: ("L1500", "L1600"),
    TECHNOLOGIE: ("L1400",),
    SNT: ("L1400", "L1300"),
    SCIENCES_INGENIEUR: ("L1400",),
    EPS: ("L1900",),
    ARTS_PLASTIQUES: ("L1800",),
    EDUCATION_MUSICALE: ("L1700",),
    SES: ("L1100",),
    DGEMC: ("L1100",),
    PHILOSOPHIE: ("L0100",),
    HLP: ("L0100", "L0202"),
    ACHOR: ("L1000", "L0202", "L1300"),
    ACC_PERSO: ("L0202", "L1300"),
    DROIT_ECONOMIE: ("L8011",),
    MANAGEMENT: ("L8011",),
    GESTION_NUMERIQUE: ("L8011",),
}

# Voie professionnelle: PLP disciplines where they exist (inferred mapping).
TEACHING_DISCIPLINES_PRO: dict[str, tuple[str, ...]] = {
    FRANCAIS: ("P0210",),
    HISTOIRE_GEO: ("P0210",),
    EMC: ("P0210",),
    MATHEMATIQUES: ("P1315",),
    ANGLAIS_LV1: ("P0222",),
}


def teaching_disciplines(subject: str, voie: str) -> tuple[str, ...]:
    if voie == Voie.PRO and subject in TEACHING_DISCIPLINES_PRO:
        return TEACHING_DISCIPLINES_PRO[subject]
    return TEACHING_DISCIPLINES[subject]


# FONCTION codes (AAF13/AAF24).
FONCTIONS: dict[str, str] = {
    "ENS": "ENSEIGNEMENT",
    "DOC": "DOCUMENTATION",
    "EDU": "EDUCATION",
    "DIR": "DIRECTION",
    "AED": "ASSISTANT D'EDUCATION",
    "ORI": "ORIENTATION",
    "ADF": "PERSONNELS ADMINISTRATIFS",
    "CTR": "CHEF DE TRAVAUX",
    "CFC": "CONSEILLER EN FORMATION CONTINUE",
    "ADA": "READAPTATION",
    "FIJ": "FORMATION INSERTION JEUNES DEVANT ELEVES",
    "AEH": "ACCOMPAGNEMENT",
    "-": "SANS OBJET",
}

# STS GRADE codes seen (EDT, PYK); labels not seen. Weekly service (ORS) hours: 18 for
# certifiés and contractuels, 15 for agrégés (EDT NB_HEURES 18.00 / 15.00).
GRADES: dict[str, Decimal] = {
    "CERT. CL N": Decimal("18"),
    "CERT. H CL": Decimal("18"),
    "CERT CE": Decimal("18"),
    "AGREGE CLN": Decimal("15"),
    "AGREGE HCL": Decimal("15"),
    "AGREGE CE": Decimal("15"),
    "CHAIRE SUP": Decimal("15"),
    "AC2C2": Decimal("18"),
}


@dataclass(frozen=True, slots=True)
class Civilite:
    code: str  # STS / private import CODE_CIVILITE
    sexe: str  # CODE_SEXE
    libelle_court: str  # LC_CIVILITE
    libelle_long: str  # LL_CIVILITE
    libelle_sts: str  # STS nomenclature LIBELLE_LONG (M. / Mme)


CIVILITES: dict[str, Civilite] = {
    "1": Civilite("1", "1", "M.", "MONSIEUR", "M."),  # LL "MONSIEUR" inferred
    "2": Civilite("2", "2", "MME", "MADAME", "Mme"),
}
CIVILITE_BY_LC: dict[str, Civilite] = {c.libelle_court: c for c in CIVILITES.values()}
SEXES: dict[str, str] = {"1": "MASCULIN", "2": "FEMININ"}


# --------------------------------------------------------------------------------------------
# Pupils and responsables
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parente:
    code: str
    libelle: str  # DOS key
    titre: str  # GEPI title


CODES_PARENTE: dict[str, Parente] = {
    p.code: p
    for p in (
        Parente("10", "MERE", "MERE"),
        Parente("20", "PERE", "PERE"),
        Parente("37", "FRATRIE", "FRATRIE"),
        Parente("38", "ASCENDANT", "ASCENDANT"),
        Parente("39", "AUTRE MEMBRE DE LA FAMILLE", "AUTRE MEMBRE"),
        Parente("41", "EDUCATEUR", "EDUCATEUR"),
        Parente("42", "ASS. FAMIL", "ASSISTANT FAMILIAL"),
        Parente("50", "TUTEUR", "TUTEUR"),
        Parente("51", "AIDE SOCIALE A L'ENFANCE", "ASE"),
        Parente("70", "ELEVE", "ELEVE LUI-MEME"),
        Parente("90", "AUTRE LIEN", "AUTRE CAS"),
    )
}

NIVEAUX_RESPONSABILITE: dict[int, tuple[str, str]] = {
    1: ("LEGAL", "REPRESENTANT LEGAL"),
    2: ("EN CHARGE", "PERSONNE EN CHARGE DE L'ELEVE"),
    3: ("CONTACT", "PERSONNE A CONTACTER"),
}


@dataclass(frozen=True, slots=True)
class Regime:
    code: str
    libelle_court: str
    libelle_long: str


REGIMES: dict[str, Regime] = {
    r.code: r
    for r in (
        Regime("0", "EXTERN", "EXTERNE LIBRE"),
        Regime("1", "EX.SUR", "EXTERNE SURVEILLE"),
        Regime("2", "DP DAN", "DEMI-PENSIONNAIRE DANS L'ETABLISSEMENT"),
        *(
            Regime(str(20 + i), "DP DAN", f"DEMI-PENSIONNAIRE DANS L'ETABLISSEMENT {i}")
            for i in range(1, 7)
        ),
        Regime("29", "AU TIC", "DEMI-PENSIONNAIRE AU TICKET"),
        Regime("3", "INTERN", "INTERNE DANS L'ETABLISSEMENT"),
        *(
            Regime(str(30 + i), f"INT {i}J", f"INTERNE {i} JOUR{'S' if i > 1 else ''}")
            for i in range(1, 7)
        ),
        Regime("38", "1/2 IN", "DEMI INTERNE"),
        Regime("39", "INT WE", "INTERNE WEEK END"),
        Regime("4", "IN.EX.", "INTERNE EXTERNE"),
        Regime("5", "IN.HEB", "INTERNE HEBERGE"),
        Regime("6", "DP HOR", "DEMI-PENSIONNAIRE HORS L'ETABLISSEMENT"),
    )
}


@dataclass(frozen=True, slots=True)
class Pays:
    code: str
    libelle: str  # CODE_PAYS label
    nationalite: str  # CODE_PAYS_NAT label


# Nationality labels seen: FRANCAISE, ESPAGNOLE, PORTUGAISE, MAROCAINE, TUNISIENNE,
# ALGERIENNE; the others are inferred.
PAYS: dict[str, Pays] = {
    p.code: p
    for p in (
        Pays("100", "FRANCE", "FRANCAISE"),
        Pays("109", "ALLEMAGNE", "ALLEMANDE"),
        Pays("127", "ITALIE", "ITALIENNE"),
        Pays("131", "BELGIQUE", "BELGE"),
        Pays("132", "ANGLETERRE", "BRITANNIQUE"),
        Pays("134", "ESPAGNE", "ESPAGNOLE"),
        Pays("139", "PORTUGAL", "PORTUGAISE"),
        Pays("140", "SUISSE", "SUISSE"),
        Pays("208", "TURQUIE", "TURQUE"),
        Pays("212", "AFGHANISTAN", "AFGHANE"),
        Pays("216", "CHINE POPUL.", "CHINOISE"),
        Pays("341", "SENEGAL", "SENEGALAISE"),
        Pays("350", "MAROC", "MAROCAINE"),
        Pays("351", "TUNISIE", "TUNISIENNE"),
        Pays("352", "ALGERIE", "ALGERIENNE"),
        Pays("404", "ETATS-UNIS", "AMERICAINE"),
        Pays("990", "AUTRES PAYS", "AUTRES NATIONALITE"),
        Pays("995", "SANS PAYS", "SANS NATIONALITE"),
    )
}
PAYS_FRANCE = "100"

# Birth places abroad: a few cities per country (city names as SIECLE would hold them).
FOREIGN_CITIES: dict[str, tuple[str, ...]] = {
    "109": ("BERLIN", "MUNICH"),
    "127": ("MILAN", "TURIN", "NAPLES"),
    "131": ("BRUXELLES", "LIEGE"),
    "132": ("LONDRES",),
    "134": ("MADRID", "BARCELONE", "VALENCE"),
    "139": ("LISBONNE", "PORTO"),
    "140": ("GENEVE", "LAUSANNE"),
    "208": ("ISTANBUL", "ANKARA"),
    "212": ("KABOUL",),
    "216": ("PEKIN", "SHANGHAI"),
    "341": ("DAKAR",),
    "350": ("CASABLANCA", "RABAT", "MARRAKECH"),
    "351": ("TUNIS", "SFAX"),
    "352": ("ALGER", "ORAN", "CONSTANTINE"),
    "404": ("NEW YORK",),
}

# CODE_PROFESSION (SIECLE uses the INSEE PCS categories). Seen: 10, 30, 73, 75, 76, 78 (DOS);
# the labels and the other codes are inferred from the INSEE PCS.
PROFESSIONS: dict[str, str] = {
    "10": "AGRICULTEUR EXPLOITANT",
    "21": "ARTISAN",
    "22": "COMMERCANT ET ASSIMILE",
    "23": "CHEF D'ENTREPRISE DE 10 SALARIES OU PLUS",
    "31": "PROFESSION LIBERALE",
    "33": "CADRE DE LA FONCTION PUBLIQUE",
    "34": "PROFESSEUR, PROFESSION SCIENTIFIQUE",
    "37": "CADRE ADMINISTRATIF ET COMMERCIAL D'ENTREPRISE",
    "38": "INGENIEUR, CADRE TECHNIQUE D'ENTREPRISE",
    "42": "PROFESSEUR DES ECOLES, INSTITUTEUR",
    "43": "PROFESSION INTERMEDIAIRE DE LA SANTE ET DU TRAVAIL SOCIAL",
    "46": "PROFESSION INTERMEDIAIRE ADMINISTRATIVE ET COMMERCIALE",
    "47": "TECHNICIEN",
    "52": "EMPLOYE CIVIL, AGENT DE SERVICE DE LA FONCTION PUBLIQUE",
    "53": "POLICIER, MILITAIRE",
    "54": "EMPLOYE ADMINISTRATIF D'ENTREPRISE",
    "55": "EMPLOYE DE COMMERCE",
    "56": "PERSONNEL DES SERVICES DIRECTS AUX PARTICULIERS",
    "62": "OUVRIER QUALIFIE DE TYPE INDUSTRIEL",
    "67": "OUVRIER NON QUALIFIE DE TYPE INDUSTRIEL",
    "73": "RETRAITE CADRE, PROFESSION INTERMEDIAIRE",
    "76": "RETRAITE EMPLOYE, OUVRIER",
    "81": "CHOMEUR N'AYANT JAMAIS TRAVAILLE",
    "82": "PERSONNE SANS ACTIVITE PROFESSIONNELLE",
}


# --------------------------------------------------------------------------------------------
# Establishments
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NatureEtab:
    code: str
    kind: str  # entsim Establishment.Kind value
    sigle: str
    libelle: str


NATURES: dict[str, NatureEtab] = {
    "340": NatureEtab("340", "college", "CLG", "COLLEGE"),
    "300": NatureEtab("300", "lycee", "LYC", "LYCEE ENSEIGNT GENERAL ET TECHNOLOGIQUE"),  # inferred
    "320": NatureEtab("320", "lp", "LP", "LYCEE PROFESSIONNEL"),  # inferred
}
NATURE_BY_KIND: dict[str, NatureEtab] = {n.kind: n for n in NATURES.values()}


# --------------------------------------------------------------------------------------------
# Communes
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Commune:
    insee: str
    code_postal: str
    name: str  # official name, upper case (birth place, SIECLE LL_COMMUNE_INSEE)
    departement: str  # 3 digits
    postal_name: str = ""  # libellé d'acheminement when it differs (Marseille arrondissements)

    @property
    def mail_name(self) -> str:
        return self.postal_name or self.name


def _marseille(n: int) -> Commune:
    suffix = "1ER" if n == 1 else f"{n}E"
    return Commune(
        f"132{n:02d}", f"130{n:02d}", f"MARSEILLE {suffix} ARRONDISSEMENT", "013", "MARSEILLE"
    )


# Communes of the académie (INSEE code, postal code). Marseille is given by arrondissement.
_COMMUNE_LIST: tuple[Commune, ...] = (
    *(_marseille(n) for n in range(1, 17)),
    Commune("13001", "13100", "AIX-EN-PROVENCE", "013"),
    Commune("13002", "13190", "ALLAUCH", "013"),
    Commune("13004", "13200", "ARLES", "013"),
    Commune("13005", "13400", "AUBAGNE", "013"),
    Commune("13014", "13130", "BERRE-L'ETANG", "013"),
    Commune("13022", "13260", "CASSIS", "013"),
    Commune("13027", "13160", "CHATEAURENARD", "013"),
    Commune("13028", "13600", "LA CIOTAT", "013"),
    Commune("13039", "13270", "FOS-SUR-MER", "013"),
    Commune("13041", "13120", "GARDANNE", "013"),
    Commune("13047", "13800", "ISTRES", "013"),
    Commune("13054", "13700", "MARIGNANE", "013"),
    Commune("13056", "13500", "MARTIGUES", "013"),
    Commune("13063", "13140", "MIRAMAS", "013"),
    Commune("13071", "13170", "LES PENNES-MIRABEAU", "013"),
    Commune("13077", "13110", "PORT-DE-BOUC", "013"),
    Commune("13103", "13300", "SALON-DE-PROVENCE", "013"),
    Commune("13108", "13150", "TARASCON", "013"),
    Commune("13117", "13127", "VITROLLES", "013"),
    Commune("84007", "84000", "AVIGNON", "084"),
    Commune("84031", "84200", "CARPENTRAS", "084"),
    Commune("84035", "84300", "CAVAILLON", "084"),
    Commune("84087", "84100", "ORANGE", "084"),
    Commune("84089", "84120", "PERTUIS", "084"),
    Commune("84003", "84400", "APT", "084"),
    Commune("05061", "05000", "GAP", "005"),
    Commune("05023", "05100", "BRIANCON", "005"),
    Commune("05046", "05200", "EMBRUN", "005"),
    Commune("04070", "04000", "DIGNE-LES-BAINS", "004"),
    Commune("04112", "04100", "MANOSQUE", "004"),
    Commune("04209", "04200", "SISTERON", "004"),
    Commune("04088", "04300", "FORCALQUIER", "004"),
)

COMMUNES: dict[str, Commune] = {c.insee: c for c in _COMMUNE_LIST}

# Birth places in France outside the académie.
OTHER_BIRTH_COMMUNES: dict[str, Commune] = {
    c.insee: c
    for c in (
        Commune("75056", "75000", "PARIS", "075"),
        Commune("69123", "69000", "LYON", "069"),
        Commune("06088", "06000", "NICE", "006"),
        Commune("83137", "83000", "TOULON", "083"),
        Commune("34172", "34000", "MONTPELLIER", "034"),
        Commune("30189", "30000", "NIMES", "030"),
        Commune("31555", "31000", "TOULOUSE", "031"),
        Commune("33063", "33000", "BORDEAUX", "033"),
        Commune("59350", "59000", "LILLE", "059"),
    )
}

# Telephone prefixes (first 4 digits) by département, for plausible landline numbers.
PHONE_PREFIXES: dict[str, tuple[str, ...]] = {
    "013": ("0491", "0442", "0490", "0488"),
    "084": ("0490", "0432"),
    "004": ("0492",),
    "005": ("0492",),
}
