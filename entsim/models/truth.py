"""The world's truth: what is really so in the académie, independent of any system.

Generated from a seed (`entsim.generator`). Each system's data are seeded from it as the system
would hold them at the scenario's start; training checks and the help desk trace compare the
systems with it. No system app reads these tables at run time: only `entsim` (seeding, checks).
"""

from __future__ import annotations

from django.db import models

from .world import World


class WorldOwned(models.Model):
    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Establishment(WorldOwned):
    """An EPLE of the académie (the trainee's, or a neighbour)."""

    class Kind(models.TextChoices):
        COLLEGE = "college", "Collège"
        LYCEE = "lycee", "Lycée général et technologique"
        LP = "lp", "Lycée professionnel"

    uai = models.CharField("UAI", max_length=8)
    kind = models.CharField("type", max_length=10, choices=Kind.choices)
    sigle = models.CharField(max_length=5)  # CLG, LYC, LP
    nature_code = models.CharField("code nature", max_length=3)  # 340 collège, 300 LGT, 320 LP
    name = models.CharField("dénomination principale", max_length=60)
    commune = models.CharField(max_length=60)
    commune_insee = models.CharField(max_length=5)
    code_postal = models.CharField(max_length=5)
    address = models.CharField("adresse", max_length=100)
    telephone = models.CharField(max_length=20)
    is_home = models.BooleanField("établissement du stagiaire", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "uai"], name="establishment_uai_unique"),
        ]
        ordering = ["-is_home", "uai"]
        verbose_name = "établissement"

    def __str__(self) -> str:
        return f"{self.sigle} {self.name} ({self.uai})"


class Address(WorldOwned):
    """A postal address, shared by the members of one household."""

    line1 = models.CharField(max_length=50)
    line2 = models.CharField(max_length=50, blank=True)
    line3 = models.CharField(max_length=50, blank=True)
    line4 = models.CharField(max_length=50, blank=True)
    code_postal = models.CharField(max_length=5)
    commune_insee = models.CharField(max_length=5)
    commune = models.CharField(max_length=60)
    country_code = models.CharField(max_length=3, default="100")

    def __str__(self) -> str:
        return f"{self.line1}, {self.code_postal} {self.commune}"


class Responsable(WorldOwned):
    """A pupil's relative or contact (responsable légal, personne en charge, à contacter)."""

    civilite = models.CharField(max_length=4)  # "M.", "MME"
    last_name = models.CharField("nom de famille", max_length=50)
    usage_name = models.CharField("nom d'usage", max_length=50, blank=True)
    first_name = models.CharField("prénom", max_length=50)
    address = models.ForeignKey(Address, on_delete=models.RESTRICT, related_name="responsables")
    tel_personnel = models.CharField(max_length=20, blank=True)
    tel_portable = models.CharField(max_length=20, blank=True)
    tel_professionnel = models.CharField(max_length=20, blank=True)
    email = models.CharField(max_length=100, blank=True)
    profession_code = models.CharField(max_length=2, blank=True)

    def __str__(self) -> str:
        return f"{self.civilite} {self.last_name} {self.first_name}"


class Pupil(WorldOwned):
    """A pupil as they really are (identity, birth, family)."""

    ine = models.CharField("INE", max_length=11)
    last_name = models.CharField("nom de famille", max_length=50)
    usage_name = models.CharField("nom d'usage", max_length=50, blank=True)
    first_name = models.CharField("prénom", max_length=50)
    first_name2 = models.CharField("prénom 2", max_length=50, blank=True)
    first_name3 = models.CharField("prénom 3", max_length=50, blank=True)
    sex = models.CharField("sexe", max_length=1, choices=[("1", "Masculin"), ("2", "Féminin")])
    birth_date = models.DateField("date de naissance")
    birth_country = models.CharField("pays de naissance", max_length=3, default="100")
    birth_departement = models.CharField(max_length=3, blank=True)
    birth_commune_insee = models.CharField(max_length=5, blank=True)
    birth_commune = models.CharField("commune de naissance", max_length=60)
    nationality = models.CharField("nationalité", max_length=3, default="100")
    regime = models.CharField("régime", max_length=2, default="0")
    address = models.ForeignKey(Address, on_delete=models.RESTRICT, related_name="pupils")
    responsables = models.ManyToManyField(
        Responsable, through="PupilResponsable", related_name="pupils"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "ine"], name="pupil_ine_unique"),
        ]
        verbose_name = "élève"

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}"


class PupilResponsable(WorldOwned):
    """The tie between a pupil and a relative (BEE RESPONSABLE_ELEVE)."""

    class Level(models.IntegerChoices):
        LEGAL = 1, "Représentant légal"
        EN_CHARGE = 2, "Personne en charge de l'élève"
        CONTACT = 3, "Personne à contacter"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="ties")
    responsable = models.ForeignKey(Responsable, on_delete=models.CASCADE, related_name="ties")
    parente = models.CharField("code parenté", max_length=2)  # 10 mère, 20 père, ...
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    financier = models.BooleanField(default=False)
    contact = models.BooleanField(default=False)
    paiement = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pupil", "responsable"], name="pupil_resp_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.responsable} → {self.pupil} ({self.parente})"


class Staff(WorldOwned):
    """A member of staff of an establishment (teacher, head, CPE, secretary...)."""

    class Function(models.TextChoices):
        ENS = "ENS", "Enseignement"
        DIR = "DIR", "Direction"
        EDU = "EDU", "Éducation"
        DOC = "DOC", "Documentation"
        ADF = "ADF", "Personnels administratifs"

    class Replacement(models.TextChoices):
        NONE = "", "—"
        REP = "REP", "Remplaçant (changement de support)"
        SUP = "SUP", "Suppléant"

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="staff")
    sts_id = models.PositiveIntegerField("identifiant STS")
    function = models.CharField("fonction", max_length=3, choices=Function.choices)
    civilite = models.CharField(max_length=4)  # "M.", "MME"
    sex = models.CharField(max_length=1, choices=[("1", "Masculin"), ("2", "Féminin")])
    last_name = models.CharField("nom d'usage", max_length=50)
    birth_name = models.CharField("nom patronymique", max_length=50)
    first_name = models.CharField("prénom", max_length=50)
    birth_date = models.DateField()
    grade = models.CharField(max_length=12, blank=True)
    discipline_code = models.CharField(max_length=5, blank=True)
    hours = models.DecimalField("heures", max_digits=4, decimal_places=2, default=0)
    start_date = models.DateField("début d'affectation")
    end_date = models.DateField("fin d'affectation", null=True, blank=True)
    replacement = models.CharField(
        max_length=3, choices=Replacement.choices, blank=True, default=Replacement.NONE
    )
    replaces = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "sts_id"], name="staff_sts_id_unique"),
        ]
        verbose_name = "personnel"

    def __str__(self) -> str:
        return f"{self.civilite} {self.last_name} {self.first_name}"


class Division(WorldOwned):
    """A class (division) as it really runs in a school year."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="divisions"
    )
    school_year = models.PositiveSmallIntegerField("année scolaire (début)")
    code = models.CharField(max_length=8)
    label = models.CharField("libellé", max_length=20)
    mef_code = models.CharField("MEF", max_length=11)
    prof_principal = models.ForeignKey(
        Staff, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "school_year", "code"], name="division_code_unique"
            ),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class TeachingGroup(WorldOwned):
    """A teaching group (groupe) drawing pupils from one or more divisions."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="teaching_groups"
    )
    school_year = models.PositiveSmallIntegerField("année scolaire (début)")
    code = models.CharField(max_length=8)
    label = models.CharField("libellé", max_length=20)
    subject_code = models.CharField("matière", max_length=6)
    divisions = models.ManyToManyField(Division, related_name="groups")
    pupils = models.ManyToManyField(Pupil, related_name="teaching_groups")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "school_year", "code"], name="group_code_unique"
            ),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Schooling(WorldOwned):
    """Which school a pupil really attends in a school year, at which level, with which options."""

    class Arrival(models.TextChoices):
        CONTINUING = "continuing", "Poursuite dans l'établissement"
        AFFECTATION = "affectation", "Affectation (entrée en 6e ou 2de)"
        NEIGHBOUR = "neighbour", "Arrivée d'un établissement de l'académie"
        OTHER_ACADEMIE = "other_academie", "Arrivée d'une autre académie"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="schoolings")
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="schoolings"
    )
    school_year = models.PositiveSmallIntegerField("année scolaire (début)")
    mef_code = models.CharField("MEF", max_length=11)
    division = models.ForeignKey(Division, on_delete=models.RESTRICT, related_name="schoolings")
    # [{"subject": "030602", "modalite": "O"}, ...] in NUM_OPTION order.
    options = models.JSONField(default=list, blank=True)
    start_date = models.DateField("date d'entrée")
    end_date = models.DateField("date de sortie", null=True, blank=True)
    arrival = models.CharField(max_length=20, choices=Arrival.choices, default=Arrival.CONTINUING)

    class Meta:
        indexes = [models.Index(fields=["world", "school_year", "establishment"])]
        verbose_name = "scolarité"

    def __str__(self) -> str:
        return f"{self.pupil} — {self.mef_code} {self.school_year}"


class Service(WorldOwned):
    """A teaching service: a teacher teaches a subject to a division or a group."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="services"
    )
    school_year = models.PositiveSmallIntegerField("année scolaire (début)")
    teacher = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="services")
    division = models.ForeignKey(
        Division, on_delete=models.CASCADE, null=True, blank=True, related_name="services"
    )
    group = models.ForeignKey(
        TeachingGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="services"
    )
    subject_code = models.CharField("matière", max_length=6)
    mod_cours = models.CharField("modalité de cours", max_length=3, default="CG")
    hours = models.DecimalField("heures", max_digits=4, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(division__isnull=False) ^ models.Q(group__isnull=False),
                name="service_division_xor_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} — {self.subject_code} ({self.hours} h)"


class CalendarEvent(WorldOwned):
    """Something that happens in the académie at a simulated date (the world's calendar)."""

    class Kind(models.TextChoices):
        TEACHER_ABSENCE = "teacher_absence", "Absence d'un enseignant"
        TEACHER_REP = "teacher_rep", "Arrivée d'un remplaçant (REP)"
        TEACHER_SUP = "teacher_sup", "Arrivée d'un suppléant (SUP)"
        PUPIL_FROM_NEIGHBOUR = "pupil_from_neighbour", "Arrivée d'un élève de l'académie"
        PUPIL_FROM_OTHER_ACADEMIE = (
            "pupil_from_other_academie",
            "Arrivée d'un élève d'une autre académie",
        )
        PUPIL_LEAVES = "pupil_leaves", "Départ d'un élève"
        AFFECTATION_RESULTS = "affectation_results", "Résultats de l'affectation"
        BEE_BASCULE = "bee_bascule", "Bascule de la base élèves"
        RENTREE = "rentree", "Rentrée scolaire"

    at = models.DateTimeField("date simulée")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    label = models.CharField("libellé", max_length=200)
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    pupil = models.ForeignKey(
        Pupil, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    staff = models.ForeignKey(
        Staff, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    data = models.JSONField(default=dict, blank=True)
    happened_at = models.DateTimeField("survenu le", null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["world", "at"])]
        verbose_name = "événement du calendrier"

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y} {self.label}"
