"""The timetable software's own data: only what it read from files, and what its users built.

Nothing here comes from another system's tables: the EDT software knows STS-web through the
STS_EDT file (nomenclatures, divisions, groups, teachers, services) and SIECLE through its
pupils export (BEE_ELEVES). Subjects, teachers and divisions carry the STS code they are
matched to ("correspondance"); what is not matched is not sent back to STS-web.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from entsim.models import Exchange, World


class WorldOwned(models.Model):
    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Base(models.Model):
    """The software's base for one establishment: its licence (UAI), school year, mode."""

    world = models.OneToOneField(World, on_delete=models.CASCADE, related_name="edt_base")
    uai = models.CharField("UAI", max_length=8)
    annee = models.PositiveSmallIntegerField("année scolaire (début)", null=True, blank=True)
    date_debut = models.DateField("début de l'année", null=True, blank=True)
    date_fin = models.DateField("fin de l'année", null=True, blank=True)
    denomination = models.CharField("établissement", max_length=120, blank=True)
    academie = models.CharField("académie", max_length=60, blank=True)
    spr = models.BooleanField("mode superviseur (SPR)", default=False)
    num_envoi = models.PositiveIntegerField("dernier numéro d'envoi ELEGROUPE", default=0)

    class Meta:
        verbose_name = "base EDT"

    def __str__(self) -> str:
        return f"Base EDT {self.uai} {self.annee or ''}"

    @property
    def annee_libelle(self) -> str:
        return f"{self.annee}-{self.annee + 1}" if self.annee else "—"


class Nomenclature(WorldOwned):
    """Codes read from STS-web's NOMENCLATURES (MEF, modalités de cours, civilités)."""

    class Kind(models.TextChoices):
        MEF = "mef", "MEF"
        MOD_COURS = "mod_cours", "Modalité de cours"
        CIVILITE = "civilite", "Civilité"

    kind = models.CharField("nomenclature", max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=20)
    libelle_court = models.CharField(max_length=60, blank=True)
    libelle_long = models.CharField(max_length=100, blank=True)
    co_ens = models.BooleanField("co-enseignement", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "kind", "code"], name="edt_nomenclature_uq"),
        ]
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.libelle_long or self.libelle_court}"


class Matiere(WorldOwned):
    """A subject of the software, matched (or not) to an STS-web subject code."""

    libelle = models.CharField("libellé", max_length=60)
    sts_code = models.CharField("code STS", max_length=6, blank=True)
    ancien_sts_code = models.CharField("ancien code STS", max_length=6, blank=True)
    code_gestion = models.CharField(max_length=10, blank=True)
    libelle_long = models.CharField(max_length=60, blank=True)
    libelle_edition = models.CharField(max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["world", "sts_code"],
                condition=~models.Q(sts_code=""),
                name="edt_matiere_sts_uq",
            ),
        ]
        ordering = ["libelle"]

    def __str__(self) -> str:
        return self.libelle


class Enseignant(WorldOwned):
    """A teacher of the software, matched (or not) to an STS-web INDIVIDU."""

    sts_id = models.CharField("identifiant STS", max_length=20, blank=True)
    ancien_sts_id = models.CharField("ancien identifiant STS", max_length=20, blank=True)
    sts_type = models.CharField(max_length=5, default="epp")
    civilite = models.CharField(max_length=5, blank=True)
    nom = models.CharField(max_length=60)
    prenom = models.CharField("prénom", max_length=60, blank=True)
    nom_patronymique = models.CharField(max_length=60, blank=True)
    date_naissance = models.DateField(null=True, blank=True)
    fonction = models.CharField(max_length=5, blank=True)
    discipline = models.CharField(max_length=60, blank=True)
    suppleant = models.BooleanField("suppléant", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["world", "sts_id"],
                condition=~models.Q(sts_id=""),
                name="edt_enseignant_sts_uq",
            ),
        ]
        ordering = ["nom", "prenom"]

    def __str__(self) -> str:
        return f"{self.nom} {self.prenom}".strip()


class Division(WorldOwned):
    """A class of the software, matched (or not) to an STS-web division."""

    code = models.CharField(max_length=20)
    sts_code = models.CharField("code STS", max_length=8, blank=True)
    ancien_sts_code = models.CharField("ancien code STS", max_length=8, blank=True)
    libelle = models.CharField("libellé", max_length=40, blank=True)
    mefs = models.JSONField("MEF", default=list, blank=True)
    effectif_prevu = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "code"], name="edt_division_code_uq"),
            models.UniqueConstraint(
                fields=["world", "sts_code"],
                condition=~models.Q(sts_code=""),
                name="edt_division_sts_uq",
            ),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Groupe(WorldOwned):
    """A teaching group drawing its pupils from one or more divisions.

    The software does not enforce STS-web's naming rule (letters, digits, spaces, - and _):
    a name it refuses is only discovered at the import into STS-web (guide 2.7). Codes are at
    most 8 characters, the length of every structure code of the chain.
    """

    class Origine(models.TextChoices):
        STS = "sts", "Importé de STS-web"
        EDT = "edt", "Créé dans le logiciel"

    code = models.CharField(max_length=8)
    libelle = models.CharField("libellé", max_length=20, blank=True)
    effectif_prevu = models.PositiveIntegerField(null=True, blank=True)
    origine = models.CharField(max_length=3, choices=Origine.choices, default=Origine.EDT)
    divisions = models.ManyToManyField(Division, through="GroupeDivision", related_name="groupes")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "code"], name="edt_groupe_code_uq"),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class GroupeDivision(WorldOwned):
    groupe = models.ForeignKey(Groupe, on_delete=models.CASCADE, related_name="liens_divisions")
    division = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["groupe", "division"], name="edt_groupe_division_uq"),
        ]

    def __str__(self) -> str:
        return f"{self.groupe_id} ← {self.division_id}"


class Salle(WorldOwned):
    code = models.CharField(max_length=20)
    libelle = models.CharField("libellé", max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "code"], name="edt_salle_code_uq"),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Service(WorldOwned):
    """A teaching service: a subject taught to a division or a group, by one or more teachers.

    `heures` is the weekly volume when typed in; otherwise the export counts the placed courses.
    """

    matiere = models.ForeignKey(Matiere, on_delete=models.RESTRICT, related_name="services")
    mod_cours = models.CharField("modalité de cours", max_length=4, default="CG")
    division = models.ForeignKey(
        Division, on_delete=models.CASCADE, null=True, blank=True, related_name="services"
    )
    groupe = models.ForeignKey(
        Groupe, on_delete=models.CASCADE, null=True, blank=True, related_name="services"
    )
    heures = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    co_ens = models.BooleanField("co-enseignement", default=False)
    enseignants = models.ManyToManyField(
        Enseignant, through="ServiceEnseignant", related_name="services"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(division__isnull=False) ^ models.Q(groupe__isnull=False),
                name="edt_service_division_xor_groupe",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.matiere} — {self.structure}"

    @property
    def structure(self) -> Division | Groupe:
        return self.division or self.groupe


class ServiceEnseignant(WorldOwned):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="liens_enseignants")
    enseignant = models.ForeignKey(Enseignant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["service", "enseignant"], name="edt_service_ens_uq"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} — {self.enseignant_id}"


class Cours(WorldOwned):
    """A course placed in the weekly timetable."""

    class Jour(models.IntegerChoices):
        LUNDI = 1, "Lundi"
        MARDI = 2, "Mardi"
        MERCREDI = 3, "Mercredi"
        JEUDI = 4, "Jeudi"
        VENDREDI = 5, "Vendredi"
        SAMEDI = 6, "Samedi"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cours")
    enseignant = models.ForeignKey(
        Enseignant, on_delete=models.SET_NULL, null=True, blank=True, related_name="cours"
    )
    jour = models.PositiveSmallIntegerField(choices=Jour.choices)
    heure_debut = models.TimeField("début")
    duree = models.PositiveSmallIntegerField("durée (minutes)")
    salle = models.ForeignKey(
        Salle, on_delete=models.SET_NULL, null=True, blank=True, related_name="cours"
    )
    alternance = models.CharField(max_length=5, default="H")

    class Meta:
        ordering = ["jour", "heure_debut"]
        verbose_name_plural = "cours"

    def __str__(self) -> str:
        return f"{self.get_jour_display()} {self.heure_debut:%H:%M} {self.service}"


class Eleve(WorldOwned):
    """A pupil as read from SIECLE's export, keyed on SIECLE's ELEVE_ID.

    `actif` is False when the last pupils import no longer held them: kept (with their
    groups), not sent to SIECLE.
    """

    siecle_id = models.PositiveBigIntegerField("ELEVE_ID")
    elenoet = models.CharField(max_length=20, blank=True)
    ine = models.CharField("INE", max_length=11, blank=True)
    nom = models.CharField("nom de famille", max_length=100)
    nom_usage = models.CharField("nom d'usage", max_length=100, blank=True)
    prenom = models.CharField("prénom", max_length=100)
    prenom2 = models.CharField(max_length=100, blank=True)
    prenom3 = models.CharField(max_length=100, blank=True)
    date_naissance = models.DateField()
    sexe = models.CharField(max_length=1, blank=True)
    code_mef = models.CharField("MEF", max_length=11, blank=True)
    division = models.ForeignKey(
        Division, on_delete=models.SET_NULL, null=True, blank=True, related_name="eleves"
    )
    division_code = models.CharField("division (SIECLE)", max_length=20, blank=True)
    date_entree = models.DateField(null=True, blank=True)
    date_sortie = models.DateField(null=True, blank=True)
    actif = models.BooleanField("dans le dernier import", default=True)
    groupes = models.ManyToManyField(Groupe, through="Appartenance", related_name="eleves")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "siecle_id"], name="edt_eleve_id_uq"),
        ]
        ordering = ["nom", "prenom"]

    def __str__(self) -> str:
        return f"{self.nom} {self.prenom}"


class EleveOption(WorldOwned):
    """An option of a pupil (BEE_ELEVES OPTIONS_ELEVE)."""

    eleve = models.ForeignKey(Eleve, on_delete=models.CASCADE, related_name="options")
    num_option = models.PositiveSmallIntegerField()
    modalite = models.CharField("modalité d'élection", max_length=2, blank=True)
    code_matiere = models.CharField("matière", max_length=6)

    class Meta:
        ordering = ["num_option"]
        indexes = [models.Index(fields=["world", "code_matiere"])]

    def __str__(self) -> str:
        return f"{self.num_option} {self.code_matiere} ({self.modalite})"


class Appartenance(WorldOwned):
    """A pupil in a group."""

    groupe = models.ForeignKey(Groupe, on_delete=models.CASCADE, related_name="appartenances")
    eleve = models.ForeignKey(Eleve, on_delete=models.CASCADE, related_name="appartenances")
    date_debut = models.DateField("début dans le groupe", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["groupe", "eleve"], name="edt_appartenance_uq"),
        ]

    def __str__(self) -> str:
        return f"{self.eleve_id} ∈ {self.groupe_id}"


class Correspondance(WorldOwned):
    """An item of the last STS-web file still waiting for its match in the software.

    Created by an STS import when a subject, teacher or division of the file matches nothing
    while the software still holds unmatched ones of the same kind (a renaming, a new year):
    the user then says which one it is, or to create it, or to leave it aside.
    """

    class Kind(models.TextChoices):
        MATIERE = "matiere", "Matière"
        ENSEIGNANT = "enseignant", "Enseignant"
        DIVISION = "division", "Division"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    sts_code = models.CharField("code STS", max_length=20)
    libelle = models.CharField("libellé", max_length=120)
    donnees = models.JSONField(default=dict)
    ignoree = models.BooleanField("laissée de côté", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["world", "kind", "sts_code"], name="edt_correspondance_uq"
            ),
        ]
        ordering = ["kind", "libelle"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.sts_code} {self.libelle}"


class Importation(WorldOwned):
    """One file read by the software (history of imports)."""

    class Kind(models.TextChoices):
        STS = "sts", "Fichier STS-web (STS_EDT)"
        ELEVES = "eleves", "Élèves SIECLE (BEE_ELEVES)"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    filename = models.CharField("fichier", max_length=200)
    exchange = models.ForeignKey(
        Exchange, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField("le (heure simulée)")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    annee = models.PositiveSmallIntegerField()
    report = models.JSONField("compte rendu", default=dict)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.filename}"
