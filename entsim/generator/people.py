"""People of the académie: households (addresses, responsables), pupils, staff identities.

Names and street names come from Faker('fr_FR'); every other draw uses the generator's single
`random.Random`, so the whole académie is a function of the seed.

Conventions: family names in upper case without accents (as SIECLE and STS hold them), first
names in mixed case with accents. INE: 9 digits + 2 letters, like the real SIECLE sample
`070876696HA`; the 9 digits are a serial unique in the world and the letters are random (the
national key of the INE is not computed).
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field

from faker import Faker

from .. import nomenclatures as nom
from .types import Address, Pupil, Responsable, Tie

EMAIL_DOMAINS = ("example.fr", "example.com", "example.org", "example.net")
RESIDENCES = (
    "LES OLIVIERS",
    "LES PINS",
    "LES CIGALES",
    "LE PARC",
    "LES LAURIERS",
    "LES PLATANES",
    "LA GARRIGUE",
    "LES MIMOSAS",
    "BEAU SOLEIL",
    "LES TERRASSES",
    "LE MISTRAL",
    "LES CALANQUES",
)

# Household shapes and their weights: (kind, weight).
HOUSEHOLD_KINDS = (
    ("couple", 66),
    ("separated", 14),
    ("single_mother", 13),
    ("single_father", 4),
    ("tutor", 3),
)
HOUSEHOLD_WEIGHTS = tuple(w for _, w in HOUSEHOLD_KINDS)
P_SIBLING = 0.2  # a new pupil joins an existing household of the area
P_CONTACT = 0.15  # a household has an extra contact (level 3)
SIBLING_WINDOW = 400  # siblings are looked for among the area's most recent households
MAX_CHILDREN = 3

# Countries of birth abroad / foreign nationalities, and how often they occur.
FOREIGN_WEIGHTS = {
    "352": 22,  # Algérie
    "350": 16,  # Maroc
    "351": 14,  # Tunisie
    "139": 8,  # Portugal
    "127": 7,  # Italie
    "134": 6,  # Espagne
    "208": 5,  # Turquie
    "341": 4,  # Sénégal
    "109": 3,  # Allemagne
    "131": 3,  # Belgique
    "140": 3,  # Suisse
    "132": 3,  # Angleterre
    "212": 2,  # Afghanistan
    "216": 2,  # Chine
    "404": 2,  # États-Unis
}
PROFESSION_CODES = tuple(code for code in nom.PROFESSIONS if code not in ("73", "76"))


def ascii_upper(text: str) -> str:
    """'Lefèvre' -> 'LEFEVRE' (family names, street names)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def email_local(text: str) -> str:
    return "".join(c for c in ascii_upper(text).lower() if c.isalnum() or c == "-")


@dataclass(slots=True)
class Household:
    departement: str
    commune: nom.Commune
    surname: str
    child_address: int
    legal: list[tuple[int, str]]  # (responsable key, code parenté), 1 or 2
    contact: tuple[int, str] | None
    birth_years: list[int] = field(default_factory=list)


class People:
    """Creates identities; keeps the académie's addresses, responsables, pupils and ties."""

    def __init__(self, rng: random.Random, fake: Faker) -> None:
        self.rng = rng
        self.fake = fake
        self.addresses: list[Address] = []
        self.responsables: list[Responsable] = []
        self.pupils: list[Pupil] = []
        self.ties: list[Tie] = []
        self.pupils_by_ine: dict[str, Pupil] = {}
        self._households: dict[str, list[Household]] = {}
        self._communes_by_dep: dict[str, list[nom.Commune]] = {}
        for commune in nom.COMMUNES.values():
            self._communes_by_dep.setdefault(commune.departement, []).append(commune)
        self._all_communes = list(nom.COMMUNES.values())
        self._other_birth = list(nom.OTHER_BIRTH_COMMUNES.values())
        self._foreign = list(FOREIGN_WEIGHTS)
        self._foreign_weights = list(FOREIGN_WEIGHTS.values())
        self._ine_serial = rng.randrange(60_000_000, 90_000_000)

    # -- small draws --------------------------------------------------------------------------

    def phone_mobile(self) -> str:
        return self.rng.choice(("06", "07")) + f"{self.rng.randrange(10**8):08d}"

    def phone_landline(self, departement: str) -> str:
        prefix = self.rng.choice(nom.PHONE_PREFIXES.get(departement, ("0491",)))
        return prefix + f"{self.rng.randrange(10**6):06d}"

    def email(self, first_name: str, last_name: str) -> str:
        local = f"{email_local(first_name)}.{email_local(last_name)}"
        if self.rng.random() < 0.35:
            local += str(self.rng.randrange(1, 100))
        return f"{local}@{self.rng.choice(EMAIL_DOMAINS)}"

    def first_name(self, sex: str) -> str:
        return self.fake.first_name_male() if sex == "1" else self.fake.first_name_female()

    def last_name(self) -> str:
        return ascii_upper(self.fake.last_name())

    def street_line(self) -> str:
        number = self.rng.randrange(1, 160)
        street = ascii_upper(self.fake.street_name())
        return f"{number} {street}"[:38]

    def near_commune(self, commune: nom.Commune, stay: float = 0.72) -> nom.Commune:
        """Where a family of an establishment's catchment lives."""
        if self.rng.random() < stay:
            return commune
        return self.rng.choice(self._communes_by_dep[commune.departement])

    def new_address(self, commune: nom.Commune) -> int:
        line2 = ""
        line3 = ""
        if self.rng.random() < 0.2:
            line2 = f"BAT {self.rng.choice('ABCDEF')} APPT {self.rng.randrange(1, 60)}"
        if self.rng.random() < 0.12:
            line3 = f"RESIDENCE {self.rng.choice(RESIDENCES)}"
        key = len(self.addresses)
        self.addresses.append(
            Address(
                key=key,
                line1=self.street_line(),
                line2=line2,
                line3=line3,
                line4="",
                code_postal=commune.code_postal,
                commune_insee=commune.insee,
                commune=commune.mail_name,
            )
        )
        return key

    # -- responsables ---------------------------------------------------------------------------

    def _responsable(
        self,
        *,
        sex: str,
        last_name: str,
        usage_name: str,
        address: int,
        departement: str,
        legal: bool,
    ) -> int:
        rng = self.rng
        first = self.first_name(sex)
        key = len(self.responsables)
        self.responsables.append(
            Responsable(
                key=key,
                civilite="M." if sex == "1" else "MME",
                last_name=last_name,
                usage_name=usage_name,
                first_name=first,
                address=address,
                tel_personnel=self.phone_landline(departement) if rng.random() < 0.3 else "",
                tel_portable=self.phone_mobile() if rng.random() < 0.95 else "",
                tel_professionnel=(
                    self.phone_landline(departement) if legal and rng.random() < 0.2 else ""
                ),
                email=(
                    self.email(first, usage_name or last_name)
                    if legal and rng.random() < 0.78
                    else ""
                ),
                profession_code=rng.choice(PROFESSION_CODES)
                if legal and rng.random() < 0.85
                else "",
            )
        )
        return key

    def new_household(self, commune: nom.Commune) -> Household:
        rng = self.rng
        dep = commune.departement
        kind = rng.choices(HOUSEHOLD_KINDS, weights=HOUSEHOLD_WEIGHTS)[0][0]
        home = self.new_address(commune)
        legal: list[tuple[int, str]] = []
        if kind in ("couple", "separated"):
            father_name = self.last_name()
            mother_name = self.last_name()
            married = kind == "couple" and rng.random() < 0.55
            father_address = home
            if kind == "separated":
                father_address = self.new_address(self.near_commune(commune, 0.6))
            mother = self._responsable(
                sex="2",
                last_name=mother_name,
                usage_name=father_name if married else "",
                address=home,
                departement=dep,
                legal=True,
            )
            father = self._responsable(
                sex="1",
                last_name=father_name,
                usage_name="",
                address=father_address,
                departement=dep,
                legal=True,
            )
            # In a separated family the children mostly live with their mother.
            if kind == "separated" and rng.random() < 0.25:
                legal = [(father, "20"), (mother, "10")]
                child_address = father_address
            else:
                legal = [(mother, "10"), (father, "20")]
                child_address = home
            surname = father_name
            if rng.random() < 0.05:
                surname = f"{father_name}-{mother_name}"[:50]
        elif kind == "single_mother":
            surname = self.last_name()
            mother = self._responsable(
                sex="2",
                last_name=surname,
                usage_name="",
                address=home,
                departement=dep,
                legal=True,
            )
            legal = [(mother, "10")]
            child_address = home
        elif kind == "single_father":
            surname = self.last_name()
            father = self._responsable(
                sex="1",
                last_name=surname,
                usage_name="",
                address=home,
                departement=dep,
                legal=True,
            )
            legal = [(father, "20")]
            child_address = home
        else:  # tutor: a relative or a guardian holds the parental authority
            surname = self.last_name()
            tutor = self._responsable(
                sex=rng.choice("12"),
                last_name=self.last_name(),
                usage_name="",
                address=home,
                departement=dep,
                legal=True,
            )
            legal = [(tutor, "50")]
            child_address = home
        contact = None
        if rng.random() < P_CONTACT:
            contact_address = self.new_address(self.near_commune(commune, 0.8))
            sex = rng.choice("12")
            last = surname.split("-")[0] if rng.random() < 0.6 else self.last_name()
            contact_key = self._responsable(
                sex=sex,
                last_name=last,
                usage_name="",
                address=contact_address,
                departement=dep,
                legal=False,
            )
            contact = (contact_key, "38" if rng.random() < 0.7 else "39")
        household = Household(
            departement=dep,
            commune=commune,
            surname=surname,
            child_address=child_address,
            legal=legal,
            contact=contact,
        )
        self._households.setdefault(dep, []).append(household)
        return household

    def _find_sibling_household(self, departement: str, birth_year: int) -> Household | None:
        pool = self._households.get(departement)
        if not pool:
            return None
        low = max(0, len(pool) - SIBLING_WINDOW)
        for _ in range(3):
            candidate = pool[self.rng.randrange(low, len(pool))]
            years = candidate.birth_years
            if len(years) >= MAX_CHILDREN:
                continue
            if all(1 <= abs(y - birth_year) <= 8 for y in years):
                return candidate
        return None

    def _foreign_country(self) -> str:
        return self.rng.choices(self._foreign, weights=self._foreign_weights)[0]

    # -- pupils -----------------------------------------------------------------------------------

    def next_ine(self) -> str:
        self._ine_serial += self.rng.randrange(1, 40)
        letters = self.rng.choice(nom.UAI_LETTERS) + self.rng.choice(nom.UAI_LETTERS)
        return f"{self._ine_serial:09d}{letters}"

    def _birth_place(self, household: Household) -> tuple[str, str, str, str, str]:
        """(country, département, commune INSEE, commune name, nationality)."""
        rng = self.rng
        r = rng.random()
        if r < 0.95:
            if r < 0.8:
                commune = (
                    household.commune if rng.random() < 0.55 else rng.choice(self._all_communes)
                )
            else:
                commune = rng.choice(self._other_birth)
            nationality = nom.PAYS_FRANCE
            if rng.random() < 0.03:
                nationality = self._foreign_country()
            return nom.PAYS_FRANCE, commune.departement, commune.insee, commune.name, nationality
        country = self._foreign_country()
        city = rng.choice(nom.FOREIGN_CITIES[country])
        nationality = country if rng.random() < 0.55 else nom.PAYS_FRANCE
        return country, "", "", city, nationality

    def new_pupil(self, *, birth_year: int, commune: nom.Commune, regime: str) -> Pupil:
        """A pupil of an establishment's catchment: a new family, or a sibling."""
        rng = self.rng
        household = None
        if rng.random() < P_SIBLING:
            household = self._find_sibling_household(commune.departement, birth_year)
        if household is None:
            household = self.new_household(self.near_commune(commune))
        household.birth_years.append(birth_year)
        sex = rng.choice("12")
        first = self.first_name(sex)
        first2 = self.first_name(sex) if rng.random() < 0.5 else ""
        first3 = self.first_name(sex) if first2 and rng.random() < 0.3 else ""
        birth_date = dt.date(birth_year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        country, dep, insee, place, nationality = self._birth_place(household)
        pupil = Pupil(
            ine=self.next_ine(),
            last_name=household.surname,
            usage_name="",
            first_name=first,
            first_name2=first2,
            first_name3=first3,
            sex=sex,
            birth_date=birth_date,
            birth_country=country,
            birth_departement=dep,
            birth_commune_insee=insee,
            birth_commune=place,
            nationality=nationality,
            regime=regime,
            address=household.child_address,
        )
        self.pupils.append(pupil)
        self.pupils_by_ine[pupil.ine] = pupil
        for index, (resp, parente) in enumerate(household.legal):
            self.ties.append(
                Tie(
                    pupil=pupil.ine,
                    responsable=resp,
                    parente=parente,
                    level=1,
                    financier=index == 0 or rng.random() < 0.5,
                    contact=True,
                    paiement=index == 0,
                )
            )
        if household.contact is not None:
            resp, parente = household.contact
            self.ties.append(
                Tie(
                    pupil=pupil.ine,
                    responsable=resp,
                    parente=parente,
                    level=3,
                    financier=False,
                    contact=True,
                    paiement=False,
                )
            )
        return pupil

    # -- staff --------------------------------------------------------------------------------

    def staff_identity(self, born: tuple[int, int] = (1962, 2000)) -> dict[str, object]:
        """Civilité, sex, names and birth date of a member of staff (born in [from, to))."""
        rng = self.rng
        sex = "2" if rng.random() < 0.6 else "1"
        birth_name = self.last_name()
        last_name = birth_name
        if sex == "2" and rng.random() < 0.4:
            last_name = self.last_name()
        birth_date = dt.date(rng.randrange(*born), 1, 1) + dt.timedelta(days=rng.randrange(365))
        return {
            "civilite": "M." if sex == "1" else "MME",
            "sex": sex,
            "last_name": last_name,
            "birth_name": birth_name,
            "first_name": self.first_name(sex),
            "birth_date": birth_date,
        }
