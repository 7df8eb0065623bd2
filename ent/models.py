"""The ENT's own tables: what the nightly AAF files said, the accounts made from them, the
classes and groups, and the digital textbooks the establishment assigns.

The ENT knows only what the AAF files say: every row below comes from an import
(`services.aaf_exchange_import`) except the textbooks and their assignments, which the
establishment's staff enters in the ENT itself.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from entsim.models import World


class Structure(models.Model):
    """An establishment as the AAF describes it (EtabEducNat), keyed on its AAF id."""

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="+")
    jointure = models.CharField("identifiant AAF", max_length=20)
    uai = models.CharField("UAI", max_length=10, blank=True)
    sigle = models.CharField(max_length=20, blank=True)
    name = models.CharField("nom", max_length=120, blank=True)
    city = models.CharField("ville", max_length=80, blank=True)
    kind = models.CharField("type", max_length=60, blank=True)
    attributes = models.JSONField("attributs AAF", default=dict, blank=True)
    present = models.BooleanField("présente dans l'annuaire", default=True)
    feed = models.CharField("flux AAF", max_length=100, blank=True)

    class Meta:
        ordering = ["name", "jointure"]
        constraints = [
            models.UniqueConstraint(fields=["world", "jointure"], name="ent_structure_unique"),
        ]
        verbose_name = "établissement (ENT)"

    def __str__(self) -> str:
        label = self.name or f"Établissement {self.jointure}"
        return f"{label} ({self.uai})" if self.uai else label


class Nomenclature(models.Model):
    """A MEF (MefEducNat) or a subject (MatEducNat), keyed on its AAF id (the national code)."""

    class Kind(models.TextChoices):
        MEF = "mef", "MEF"
        MATIERE = "matiere", "Matière"

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    jointure = models.CharField("code", max_length=20)
    label = models.CharField("libellé", max_length=120, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    present = models.BooleanField(default=True)
    feed = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["kind", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["world", "kind", "jointure"], name="ent_nomenclature_unique"
            ),
        ]
        verbose_name = "nomenclature (ENT)"

    def __str__(self) -> str:
        return self.label or self.jointure


class Account(models.Model):
    """An ENT account, keyed on the AAF jointure id (ENTPersonJointure).

    `present` is what the last AAF file said; `state` is what the ENT made of it: a pupil or a
    staff member present has an active account; a responsable only when a pupil names them
    with legal = 1 (else "non retenu", and no login). The login, once given, is kept for life:
    a closed account keeps it and gets it back if it comes back.
    """

    class Profile(models.TextChoices):
        ELEVE = "eleve", "Élève"
        PARENT = "parent", "Parent"
        ENSEIGNANT = "enseignant", "Enseignant"
        PERSONNEL = "personnel", "Personnel"

    class State(models.TextChoices):
        ACTIF = "actif", "Actif"
        FERME = "ferme", "Fermé"
        NON_RETENU = "non_retenu", "Non retenu (pas de responsable légal)"

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="+")
    jointure = models.CharField("identifiant AAF", max_length=20)
    category = models.CharField("catégorie AAF", max_length=20)
    profile = models.CharField("profil", max_length=12, choices=Profile.choices)
    state = models.CharField("état", max_length=12, choices=State.choices, default=State.NON_RETENU)
    present = models.BooleanField("dans le dernier fichier AAF", default=True)
    feed = models.CharField("flux AAF", max_length=100, blank=True)
    attributes = models.JSONField("attributs AAF", default=dict, blank=True)
    last_name = models.CharField("nom", max_length=100, blank=True)
    first_name = models.CharField("prénom", max_length=100, blank=True)
    title = models.CharField("civilité", max_length=10, blank=True)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    email = models.CharField("courriel", max_length=150, blank=True)
    structure = models.ForeignKey(
        Structure, on_delete=models.SET_NULL, null=True, blank=True, related_name="accounts"
    )
    mef_code = models.CharField("MEF", max_length=20, blank=True)
    mef_label = models.CharField("libellé MEF", max_length=120, blank=True)
    # [[structure, filière, libellé filière, code discipline, libellé discipline], ...]
    functions = models.JSONField("fonctions", default=list, blank=True)
    search_key = models.CharField(max_length=300, blank=True)
    # NULL until the account is first active: the unique constraint holds only for real logins.
    login = models.CharField("identifiant", max_length=80, null=True, blank=True)  # noqa: DJ001
    activation_code = models.CharField("code d'activation", max_length=8, blank=True)
    activated_at = models.DateTimeField("activé le", null=True, blank=True)
    created_at = models.DateTimeField("créé le (heure simulée)")
    updated_at = models.DateTimeField("mis à jour le (heure simulée)")
    closed_at = models.DateTimeField("fermé le (heure simulée)", null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["world", "jointure"], name="ent_account_unique"),
            models.UniqueConstraint(
                fields=["world", "login"],
                condition=Q(login__isnull=False),
                name="ent_account_login_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["world", "state", "profile"]),
            models.Index(fields=["world", "last_name", "first_name"]),
        ]
        verbose_name = "compte ENT"

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.jointure

    @property
    def full_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip() or self.jointure

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIF

    @property
    def function_labels(self) -> list[str]:
        return [
            " — ".join(part for part in (f[2], f[4]) if part) for f in self.functions if len(f) == 5
        ]


class Cohort(models.Model):
    """A class (division) or a teaching group of a structure, as the AAF names it."""

    class Kind(models.TextChoices):
        CLASSE = "classe", "Classe"
        GROUPE = "groupe", "Groupe d'enseignement"

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="+")
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="cohorts")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=40)
    label = models.CharField("libellé", max_length=120, blank=True)
    # Listed by the structure itself (ENTStructureClasses / ENTStructureGroupes).
    declared = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["structure", "kind", "code"], name="ent_cohort_unique"),
        ]
        indexes = [models.Index(fields=["world", "kind"])]
        verbose_name = "classe ou groupe (ENT)"

    def __str__(self) -> str:
        return self.code

    @property
    def to_label(self) -> str:
        return "à la classe" if self.kind == self.Kind.CLASSE else "au groupe"

    @property
    def of_label(self) -> str:
        return "de la classe" if self.kind == self.Kind.CLASSE else "du groupe"


class Membership(models.Model):
    """A pupil in a class or group (ENTEleveClasses/Groupes), or a teacher teaching it
    (ENTAuxEnsClasses/Groupes, ...Matieres: the subjects, ...Principal: professeur principal)."""

    class Role(models.TextChoices):
        ELEVE = "eleve", "Élève"
        ENSEIGNANT = "enseignant", "Enseignant"

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices)
    subjects = models.JSONField("matières", default=list, blank=True)
    principal = models.BooleanField("professeur principal", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "account", "role"], name="ent_membership_unique"
            ),
        ]
        verbose_name = "appartenance (ENT)"

    def __str__(self) -> str:
        return f"{self.account_id} ({self.get_role_display()}) dans {self.cohort_id}"


class ParentLink(models.Model):
    """A pupil names a responsable (ENTElevePersRelEleve): relId$lien$financier$legal$..."""

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="parent_links")
    parent_jointure = models.CharField(max_length=20)
    relationship = models.CharField("lien de parenté", max_length=10, blank=True)
    financial = models.CharField(max_length=4, blank=True)
    legal = models.CharField(max_length=4, blank=True)
    contact = models.CharField(max_length=4, blank=True)
    payment = models.CharField(max_length=4, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "parent_jointure"], name="ent_parent_link_unique"
            ),
        ]
        indexes = [models.Index(fields=["world", "parent_jointure"])]
        verbose_name = "lien élève-responsable (ENT)"

    def __str__(self) -> str:
        return f"{self.pupil_id} → {self.parent_jointure} (légal {self.legal})"


class Textbook(models.Model):
    """A digital textbook (manuel numérique) the establishment gives access to."""

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="+")
    title = models.CharField("titre", max_length=120)
    publisher = models.CharField("éditeur", max_length=80, blank=True)
    created_at = models.DateTimeField("ajouté le (heure simulée)")

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(fields=["world", "title"], name="ent_textbook_unique"),
        ]
        verbose_name = "manuel numérique"

    def __str__(self) -> str:
        return self.title


class TextbookAssignment(models.Model):
    """Who may open a textbook: the pupils of a MEF, of a class or of a teaching group."""

    class Target(models.TextChoices):
        MEF = "mef", "MEF"
        CLASSE = "classe", "Classe"
        GROUPE = "groupe", "Groupe d'enseignement"

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="+")
    textbook = models.ForeignKey(Textbook, on_delete=models.CASCADE, related_name="assignments")
    target = models.CharField(max_length=10, choices=Target.choices)
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments"
    )
    mef_code = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField("attribué le (heure simulée)")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["textbook", "cohort"],
                condition=Q(cohort__isnull=False),
                name="ent_assignment_cohort_unique",
            ),
            models.UniqueConstraint(
                fields=["textbook", "mef_code"],
                condition=Q(target="mef"),
                name="ent_assignment_mef_unique",
            ),
        ]
        verbose_name = "attribution d'un manuel"

    def __str__(self) -> str:
        target = self.mef_code if self.target == self.Target.MEF else self.cohort_id
        return f"{self.textbook_id} → {self.get_target_display()} {target}"
