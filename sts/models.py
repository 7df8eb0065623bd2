"""STS-web's own tables: school years, nomenclatures, structure, staff, services, journal.

Every row belongs to one world. STS-web keeps its own copy of the establishments (keyed by
UAI) and of their staff (keyed by the STS id): it never points at the world's truth.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models


class StsEstablishment(models.Model):
    """An establishment as STS-web knows it (PARAMETRES/UAJ of its files)."""

    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    uai = models.CharField("UAI", max_length=8)
    sigle = models.CharField(max_length=5)
    denom_princ = models.CharField("dénomination principale", max_length=60)
    denom_compl = models.CharField("dénomination complémentaire", max_length=60, blank=True)
    code_nature = models.CharField("code nature", max_length=3)
    adresse = models.CharField(max_length=100, blank=True)
    commune = models.CharField(max_length=60, blank=True)
    code_postal = models.CharField(max_length=5, blank=True)
    telephone = models.CharField(max_length=20, blank=True)
    is_home = models.BooleanField("établissement du stagiaire", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "uai"], name="sts_establishment_uai_unique")
        ]
        ordering = ["-is_home", "uai"]
        verbose_name = "établissement (STS-web)"

    def __str__(self) -> str:
        return f"{self.uai} {self.denom_princ} {self.denom_compl}".strip()


class SchoolYear(models.Model):
    """A school year of one establishment: 'année en cours' or 'année en préparation'."""

    class State(models.TextChoices):
        EN_COURS = "en_cours", "Année en cours"
        EN_PREPARATION = "en_preparation", "Année en préparation"
        CLOSE = "close", "Année close"

    class Bascule(models.TextChoices):
        NONE = "", "—"
        DIVISIONS = "divisions", "Divisions seules"
        TOUT = "tout", "Divisions, groupes et services"

    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    establishment = models.ForeignKey(
        StsEstablishment, on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField("année scolaire (début)")
    state = models.CharField("état", max_length=20, choices=State.choices)
    opened_at = models.DateTimeField("ouverte le (heure simulée)", null=True, blank=True)
    bascule = models.CharField(
        "reconduction à la bascule", max_length=10, choices=Bascule.choices, blank=True
    )
    nomenclatures_received_at = models.DateTimeField(
        "nomenclatures réceptionnées le", null=True, blank=True
    )
    profiled_at = models.DateTimeField("profilage lancé le", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["establishment", "year"], name="sts_year_unique")
        ]
        ordering = ["year"]
        verbose_name = "année scolaire (STS-web)"

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.year}-{self.year + 1}"

    @property
    def date_debut(self) -> dt.date:
        return dt.date(self.year, 9, 1)

    @property
    def date_fin(self) -> dt.date:
        return dt.date(self.year + 1, 8, 31)


class NomenclatureEntry(models.Model):
    """A national code received for a year, selected and profiled by the establishment."""

    class Kind(models.TextChoices):
        MEF = "mef", "MEF"
        MATIERE = "matiere", "Matière"
        MOD_COURS = "mod_cours", "Modalité de cours"

    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="nomenclatures")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=11)
    libelle_court = models.CharField("libellé court", max_length=40, blank=True)
    libelle_long = models.CharField("libellé long", max_length=60, blank=True)
    libelle_edition = models.CharField("libellé édition", max_length=80, blank=True)
    formation = models.CharField(max_length=20, blank=True)  # MEF
    mefstat11 = models.CharField(max_length=11, blank=True)  # MEF
    mefstat4 = models.CharField(max_length=4, blank=True)  # MEF
    code_gestion = models.CharField("code gestion", max_length=10, blank=True)  # matière
    co_ens = models.BooleanField("co-enseignement", null=True, blank=True)  # modalité
    selected = models.BooleanField("sélectionnée", default=False)
    profiled = models.BooleanField("profilée", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "kind", "code"], name="sts_nomenclature_unique")
        ]
        ordering = ["kind", "code"]
        verbose_name = "nomenclature (STS-web)"

    def __str__(self) -> str:
        return f"{self.code} {self.libelle_long}"


class NomenclatureRequest(models.Model):
    """'Nomenclature manquante': a message to the académie asking for a missing code."""

    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="requests")
    kind = models.CharField(max_length=10, choices=NomenclatureEntry.Kind.choices)
    code = models.CharField("code (s'il est connu)", max_length=11, blank=True)
    libelle = models.CharField("libellé", max_length=80)
    message = models.TextField()
    recipient = models.CharField("destinataire", max_length=120)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField("envoyée le (heure simulée)")

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = "demande de nomenclature"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code} {self.libelle}".strip()


class Teacher(models.Model):
    """A member of staff (INDIVIDU of the STS files), with the dates of their affectation.

    A REP (remplaçant) is in Ressources like any teacher; a SUP (suppléant) is not: STS-web
    shows them in Services suppléants only.
    """

    class Replacement(models.TextChoices):
        NONE = "", "—"
        REP = "REP", "Remplaçant (REP)"
        SUP = "SUP", "Suppléant (SUP)"

    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    establishment = models.ForeignKey(
        StsEstablishment, on_delete=models.CASCADE, related_name="teachers"
    )
    sts_id = models.PositiveIntegerField("identifiant STS")
    civilite = models.CharField(max_length=4)  # "M.", "MME"
    sexe = models.CharField(max_length=1)
    nom_usage = models.CharField("nom d'usage", max_length=50)
    nom_patronymique = models.CharField("nom patronymique", max_length=50)
    prenom = models.CharField("prénom", max_length=50)
    date_naissance = models.DateField(null=True, blank=True)
    grade = models.CharField(max_length=12, blank=True)
    fonction = models.CharField(max_length=3)
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
    arrived_at = models.DateTimeField("arrivé dans STS-web le", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "sts_id"], name="sts_teacher_id_unique")
        ]
        ordering = ["nom_usage", "prenom", "sts_id"]
        verbose_name = "enseignant (STS-web)"

    def __str__(self) -> str:
        return f"{self.nom_usage} {self.prenom}"

    @property
    def full_name(self) -> str:
        return f"{self.nom_usage.upper()} {self.prenom.upper()}"


class Division(models.Model):
    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="divisions")
    code = models.CharField(max_length=8)
    libelle_long = models.CharField("libellé long", max_length=20)
    mef_code = models.CharField("MEF", max_length=11, blank=True)
    effectif_prevu = models.PositiveIntegerField("effectif prévu", null=True, blank=True)
    prof_principal = models.ForeignKey(
        Teacher, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="sts_division_code_unique")
        ]
        ordering = ["code"]
        verbose_name = "division (STS-web)"

    def __str__(self) -> str:
        return self.code


class Group(models.Model):
    """A groupe: pupils of one or more divisions taught together."""

    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(max_length=8)
    libelle_long = models.CharField("libellé long", max_length=20)
    effectif_prevu = models.PositiveIntegerField("effectif prévu", null=True, blank=True)
    divisions = models.ManyToManyField(Division, related_name="groups", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="sts_group_code_unique")
        ]
        ordering = ["code"]
        verbose_name = "groupe (STS-web)"

    def __str__(self) -> str:
        return self.code


class Service(models.Model):
    """A teaching service: a subject taught to a division or a group, by one or more teachers."""

    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="services")
    division = models.ForeignKey(
        Division, on_delete=models.CASCADE, null=True, blank=True, related_name="services"
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="services"
    )
    subject_code = models.CharField("matière", max_length=6)
    mod_cours = models.CharField("modalité de cours", max_length=3, default="CG")
    hours = models.DecimalField("heures", max_digits=5, decimal_places=2, default=0)
    co_ens = models.BooleanField("co-enseignement", default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(division__isnull=False) ^ models.Q(group__isnull=False),
                name="sts_service_division_xor_group",
            ),
        ]
        ordering = ["id"]
        verbose_name = "service (STS-web)"

    def __str__(self) -> str:
        return f"{self.structure_code} {self.subject_code} {self.mod_cours}"

    @property
    def structure(self) -> Division | Group:
        return self.division if self.division_id else self.group

    @property
    def structure_code(self) -> str:
        return self.structure.code


class ServiceTeacher(models.Model):
    """A teacher of a service (ENSEIGNANT), with their hours (HEURES_AGENT).

    `origin` records how they came: by a changement de support (REP) or attached as the
    suppléant (SUP) of `replaced` for the dates of the suppléance.
    """

    class Origin(models.TextChoices):
        NONE = "", "—"
        REP = "REP", "Changement de support"
        SUP = "SUP", "Suppléance"

    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="assignments")
    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="assignments")
    hours = models.DecimalField("heures prof.", max_digits=5, decimal_places=2, default=0)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    origin = models.CharField(max_length=3, choices=Origin.choices, blank=True, default="")
    replaced = models.ForeignKey(
        Teacher, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "teacher"], name="sts_service_teacher_unique"
            )
        ]
        ordering = ["id"]
        verbose_name = "enseignant d'un service"

    def __str__(self) -> str:
        return f"{self.teacher} — {self.service}"


class EdtImport(models.Model):
    """One 'Import > Emploi du temps' applied to a year (annule et remplace)."""

    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="imports")
    exchange = models.ForeignKey(
        "entsim.Exchange", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField("importé le (heure simulée)")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    report = models.JSONField("compte rendu", default=dict)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "import emploi du temps"

    def __str__(self) -> str:
        return f"Import emploi du temps {self.year} ({self.at:%d/%m/%Y %H:%M})"


class Change(models.Model):
    """A change made directly in STS-web to groups or services (the import would erase it)."""

    class Kind(models.TextChoices):
        GROUP_CREATE = "group_create", "Création de groupe"
        GROUP_UPDATE = "group_update", "Modification de groupe"
        GROUP_DELETE = "group_delete", "Suppression de groupe"
        SERVICE_CREATE = "service_create", "Création de service"
        SERVICE_DELETE = "service_delete", "Suppression de service"
        SUPPORT_CHANGE = "support_change", "Changement de support"
        SUPPLEANCE = "suppleance", "Rattachement d'un suppléant"

    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField("détail", max_length=300)
    at = models.DateTimeField("le (heure simulée)")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overwritten_by = models.ForeignKey(
        EdtImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="overwritten"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "modification directe dans STS-web"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.label}"


class Export(models.Model):
    """One export written by STS-web (Exports > Emploi du temps, Structure, Services)."""

    class Kind(models.TextChoices):
        EMPLOI_DU_TEMPS = "sts_emp", "Emploi du temps"
        STRUCTURE = "sts_structure", "Structure"
        SERVICES = "sts_services", "Services"

    world = models.ForeignKey("entsim.World", on_delete=models.CASCADE, related_name="+")
    year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="exports")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    exchange = models.ForeignKey(
        "entsim.Exchange", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField("exporté le (heure simulée)")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Services only: was a structure export of the same year made before? (guide 2.9)
    after_structure = models.BooleanField("structure exportée avant", null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "export STS-web"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year} ({self.at:%d/%m/%Y %H:%M})"
