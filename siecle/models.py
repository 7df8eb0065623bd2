"""SIECLE Base élèves établissement (BEE): what each establishment's base holds.

One BEE per establishment of the world (the trainee's and its neighbours): every row carries
its `world` and the `uai` of the establishment whose base it belongs to. A school year is named
by its first year (2026 = 2026-2027), as in the world's truth.

The identifiers the real exports carry are kept as stable numbers: ELEVE_ID (the académie's
number of a pupil: kept when a dossier moves from one EPLE to another, new for a dossier
received from the affectation or created by hand), PERSONNE_ID and ADRESSE_ID. They are drawn
from per-world counters (`Compteur`), never reused.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from entsim.models import World

# The school year's last day used when a dossier leaves at the end of a year (guess: the
# national calendar ends the school year in the first days of July).
FIN_ANNEE_MOIS_JOUR = (7, 4)


class BeeOwned(models.Model):
    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="+")
    uai = models.CharField("UAI", max_length=8)

    class Meta:
        abstract = True


class Compteur(models.Model):
    """A per-world number sequence (ELEVE_ID, PERSONNE_ID, ADRESSE_ID, téléservices)."""

    world = models.ForeignKey(World, on_delete=models.CASCADE, related_name="+")
    nom = models.CharField(max_length=80)
    valeur = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "nom"], name="siecle_compteur_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.nom} = {self.valeur}"


class Etablissement(BeeOwned):
    """An establishment as SIECLE knows it; `accueil` marks the trainee's own base."""

    sigle = models.CharField(max_length=5)
    nature_code = models.CharField("code nature", max_length=3)
    denomination = models.CharField("dénomination", max_length=60)
    commune = models.CharField(max_length=60)
    commune_insee = models.CharField(max_length=5)
    code_postal = models.CharField(max_length=5)
    adresse = models.CharField(max_length=100, blank=True)
    telephone = models.CharField(max_length=20, blank=True)
    accueil = models.BooleanField("établissement du stagiaire", default=False)
    # The last school year opened by the bascule (the year in preparation while it is ahead
    # of the school year in progress).
    derniere_annee = models.PositiveSmallIntegerField("dernière année ouverte")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "uai"], name="siecle_etab_unique"),
        ]
        ordering = ["-accueil", "uai"]
        verbose_name = "établissement (BEE)"

    def __str__(self) -> str:
        return f"{self.uai} {self.denomination}"

    @property
    def libelle_complet(self) -> str:
        return f"{self.uai} {self.denomination} {self.commune}"


# --- Nomenclatures ----------------------------------------------------------------------------


class Mef(BeeOwned):
    code = models.CharField("code MEF", max_length=11)
    formation = models.CharField(max_length=20)
    libelle_long = models.CharField("libellé long", max_length=60)
    libelle_edition = models.CharField("libellé édition", max_length=60)
    mef_rattachement = models.CharField(max_length=11)
    mefstat11 = models.CharField(max_length=11)
    mefstat4 = models.CharField(max_length=4)
    nb_opt_oblig = models.PositiveSmallIntegerField(default=0)
    rang = models.PositiveSmallIntegerField("rang du niveau", default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "uai", "code"], name="siecle_mef_unique"),
        ]
        ordering = ["rang", "code"]
        verbose_name = "MEF"

    def __str__(self) -> str:
        return f"{self.code} {self.libelle_long}"


class Matiere(BeeOwned):
    code = models.CharField("code matière", max_length=6)
    code_gestion = models.CharField(max_length=10)
    libelle_court = models.CharField(max_length=20)
    libelle_long = models.CharField(max_length=60)
    libelle_edition = models.CharField(max_length=80)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["world", "uai", "code"], name="siecle_matiere_unique"),
        ]
        ordering = ["code"]
        verbose_name = "matière"

    def __str__(self) -> str:
        return f"{self.code} {self.libelle_long}"


class Programme(BeeOwned):
    """A subject of a MEF with its modalité d'élection (S tronc commun, O, F)."""

    mef_code = models.CharField(max_length=11)
    matiere_code = models.CharField(max_length=6)
    modalite = models.CharField("modalité d'élection", max_length=1)
    horaire = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    # The option choice the subject belongs to (nomenclatures.OptionSlot.key), "" for the core.
    choix = models.CharField(max_length=10, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["world", "uai", "mef_code", "matiere_code", "modalite"],
                name="siecle_programme_unique",
            ),
        ]
        ordering = ["mef_code", "modalite", "matiere_code"]

    def __str__(self) -> str:
        return f"{self.mef_code} {self.matiere_code} {self.modalite}"


# --- Structures -------------------------------------------------------------------------------


class Structure(BeeOwned):
    """A division (D) or a group (G) of a school year, as received from STS-web."""

    class Type(models.TextChoices):
        DIVISION = "D", "Division"
        GROUPE = "G", "Groupe"

    annee = models.PositiveSmallIntegerField("année scolaire")
    type = models.CharField(max_length=1, choices=Type.choices)
    code = models.CharField(max_length=8)
    libelle_long = models.CharField(max_length=20, blank=True)
    mefs = models.JSONField("MEF d'appartenance", default=list, blank=True)
    divisions = models.JSONField("divisions d'appartenance", default=list, blank=True)
    recue_le = models.DateTimeField("reçue le (heure simulée)", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["world", "uai", "annee", "type", "code"], name="siecle_structure_unique"
            ),
        ]
        ordering = ["type", "code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_type_display()} {self.annee})"


class Enseignant(BeeOwned):
    """A teacher of a school year as STS-web's Services export names them (INDIVIDU, or
    SUPPLEANT for a substitute). Replaced with the services at each reception."""

    annee = models.PositiveSmallIntegerField("année scolaire")
    sts_id = models.CharField("identifiant STS", max_length=20)
    civilite = models.CharField(max_length=4, blank=True)  # "M.", "MME"
    nom = models.CharField(max_length=50)
    prenom = models.CharField("prénom", max_length=50, blank=True)
    suppleant = models.BooleanField("suppléant", default=False)
    recu_le = models.DateTimeField("reçu le (heure simulée)", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["world", "uai", "annee", "sts_id"], name="siecle_enseignant_unique"
            ),
        ]
        ordering = ["nom", "prenom", "sts_id"]
        verbose_name = "enseignant"

    def __str__(self) -> str:
        return " ".join(part for part in (self.civilite, self.nom, self.prenom) if part)


class Service(BeeOwned):
    """A teaching service of a division (D) or a group (G) as received from STS-web: a
    subject, a teaching mode and one of its teachers (one row per teacher; a service
    without teacher has one row without). Gives teachers their divisions and groups."""

    annee = models.PositiveSmallIntegerField("année scolaire")
    structure_type = models.CharField(max_length=1, choices=Structure.Type.choices)
    structure_code = models.CharField(max_length=8)
    matiere_code = models.CharField("code matière", max_length=6)
    mod_cours = models.CharField("modalité de cours", max_length=10)
    enseignant = models.ForeignKey(
        Enseignant, on_delete=models.CASCADE, null=True, blank=True, related_name="services"
    )

    class Meta:
        indexes = [models.Index(fields=["world", "uai", "annee", "structure_code"])]
        ordering = ["structure_type", "structure_code", "matiere_code", "mod_cours", "id"]

    def __str__(self) -> str:
        return f"{self.structure_code} {self.matiere_code} {self.mod_cours} {self.enseignant}"


# --- People -----------------------------------------------------------------------------------


class Adresse(BeeOwned):
    adresse_id = models.PositiveBigIntegerField("ADRESSE_ID")
    ligne1 = models.CharField(max_length=50, blank=True)
    ligne2 = models.CharField(max_length=50, blank=True)
    ligne3 = models.CharField(max_length=50, blank=True)
    ligne4 = models.CharField(max_length=50, blank=True)
    code_postal = models.CharField(max_length=5, blank=True)
    code_commune_insee = models.CharField(max_length=5, blank=True)
    commune = models.CharField("libellé postal", max_length=60, blank=True)
    code_pays = models.CharField(max_length=3, default="100")

    class Meta:
        indexes = [models.Index(fields=["world", "uai", "adresse_id"])]

    def __str__(self) -> str:
        return self.une_ligne

    @property
    def lignes(self) -> list[str]:
        return [line for line in (self.ligne1, self.ligne2, self.ligne3, self.ligne4) if line]

    @property
    def une_ligne(self) -> str:
        parts = [*self.lignes, f"{self.code_postal} {self.commune}".strip()]
        if self.code_pays != "100":
            from entsim.nomenclatures import PAYS

            pays = PAYS.get(self.code_pays)
            parts.append(pays.libelle if pays else self.code_pays)
        else:
            parts.append("FRANCE")
        return " ".join(part for part in parts if part)

    @property
    def est_complete(self) -> bool:
        return bool(self.ligne1 and self.code_postal and self.commune)


class Personne(BeeOwned):
    """A responsable (BEE_RESPONSABLES PERSONNE), with their téléservices account."""

    personne_id = models.PositiveBigIntegerField("PERSONNE_ID")
    civilite = models.CharField(max_length=4)  # LC_CIVILITE: "M.", "MME"
    nom = models.CharField("nom de famille", max_length=50)
    nom_usage = models.CharField("nom d'usage", max_length=50, blank=True)
    prenom = models.CharField("prénom", max_length=50)
    adresse = models.ForeignKey(
        Adresse, on_delete=models.SET_NULL, null=True, blank=True, related_name="personnes"
    )
    tel_personnel = models.CharField(max_length=20, blank=True)
    tel_portable = models.CharField(max_length=20, blank=True)
    tel_professionnel = models.CharField(max_length=20, blank=True)
    mel = models.CharField(max_length=100, blank=True)
    code_profession = models.CharField(max_length=2, blank=True)
    # Compte téléservices: identifier "m.dupont3"; "" when the person has no account.
    compte_ts = models.CharField("compte téléservices", max_length=80, blank=True)
    compte_ts_utilise = models.BooleanField("compte utilisé", default=False)

    class Meta:
        indexes = [
            models.Index(fields=["world", "uai", "nom"]),
            models.Index(fields=["world", "uai", "personne_id"]),
        ]
        verbose_name = "responsable"

    def __str__(self) -> str:
        return f"{self.civilite} {self.nom} {self.prenom}"


class Eleve(BeeOwned):
    """A pupil's dossier in one establishment's base (identity, birth, address)."""

    class Origine(models.TextChoices):
        BASE = "base", "Présent dans la base"
        AFFECTATION = "affectation", "Dossier depuis affectation"
        AUTRE_EPLE = "autre_eple", "Dossier depuis autre EPLE"
        SAISIE = "saisie", "Création intégrale"

    eleve_id = models.PositiveBigIntegerField("ELEVE_ID")
    ine = models.CharField("INE", max_length=11, blank=True)
    nom = models.CharField("nom de famille", max_length=50)
    nom_usage = models.CharField("nom d'usage", max_length=50, blank=True)
    prenom = models.CharField("prénom", max_length=50)
    prenom2 = models.CharField("prénom 2", max_length=50, blank=True)
    prenom3 = models.CharField("prénom 3", max_length=50, blank=True)
    sexe = models.CharField(
        "sexe", max_length=1, blank=True, choices=[("1", "Masculin"), ("2", "Féminin")]
    )
    date_naissance = models.DateField("date de naissance", null=True, blank=True)
    code_pays_naiss = models.CharField("pays de naissance", max_length=3, default="100")
    code_departement_naiss = models.CharField(max_length=3, blank=True)
    code_commune_insee_naiss = models.CharField("commune de naissance", max_length=5, blank=True)
    ville_naiss = models.CharField("ville de naissance", max_length=60, blank=True)
    code_pays_nat = models.CharField("nationalité", max_length=3, default="100")
    code_regime = models.CharField("régime", max_length=2, default="0")
    adresse = models.ForeignKey(
        Adresse, on_delete=models.SET_NULL, null=True, blank=True, related_name="eleves"
    )
    origine = models.CharField(max_length=12, choices=Origine.choices, default=Origine.BASE)
    cree_le = models.DateTimeField("créé le (heure simulée)", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["world", "uai", "eleve_id"], name="siecle_eleve_id_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["world", "uai", "nom"]),
            models.Index(fields=["world", "ine"]),
        ]
        verbose_name = "élève"

    def __str__(self) -> str:
        return f"{self.nom} {self.prenom}"

    @property
    def cree_a_la_main(self) -> bool:
        return self.origine == self.Origine.SAISIE

    @property
    def prenoms(self) -> str:
        return " ".join(p for p in (self.prenom, self.prenom2, self.prenom3) if p)


class Scolarite(BeeOwned):
    """A pupil's schooling in the establishment for one school year.

    Scolarisé(e): a MEF and no date de sortie. The bascule puts the returning pupils in the
    year in preparation without MEF or division: they wait to be re-affected.
    """

    eleve = models.ForeignKey(Eleve, on_delete=models.CASCADE, related_name="scolarites")
    annee = models.PositiveSmallIntegerField("année scolaire")
    mef_code = models.CharField("MEF", max_length=11, blank=True)
    division = models.CharField(max_length=8, blank=True)
    date_entree = models.DateField("date d'entrée", null=True, blank=True)
    date_sortie = models.DateField("date de sortie", null=True, blank=True)
    doublement = models.BooleanField(default=False)
    # SCOLARITE_AN_DERNIER
    an_dernier_mef = models.CharField(max_length=11, blank=True)
    an_dernier_division = models.CharField(max_length=8, blank=True)
    an_dernier_uai = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["eleve", "annee"], name="siecle_scolarite_unique"),
        ]
        indexes = [
            models.Index(fields=["world", "uai", "annee", "division"]),
            models.Index(fields=["world", "annee", "date_sortie"]),
        ]
        verbose_name = "scolarité"

    def __str__(self) -> str:
        return f"{self.eleve} {self.annee} {self.mef_code} {self.division}"

    @property
    def scolarise(self) -> bool:
        return bool(self.mef_code) and self.date_sortie is None


class OptionEleve(BeeOwned):
    """OPTIONS_ELEVE: an option the pupil is enrolled in for the year, in NUM_OPTION order."""

    scolarite = models.ForeignKey(Scolarite, on_delete=models.CASCADE, related_name="options")
    num_option = models.PositiveSmallIntegerField()
    matiere_code = models.CharField(max_length=6)
    modalite = models.CharField(max_length=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scolarite", "matiere_code"], name="siecle_option_unique"
            ),
        ]
        ordering = ["num_option"]

    def __str__(self) -> str:
        return f"{self.num_option} {self.matiere_code} {self.modalite}"


class LienResponsable(BeeOwned):
    """RESPONSABLE_ELEVE: the tie between a pupil and a person."""

    class Niveau(models.IntegerChoices):
        LEGAL = 1, "Représentant légal"
        EN_CHARGE = 2, "Personne en charge de l'élève"
        CONTACT = 3, "Personne à contacter"

    eleve = models.ForeignKey(Eleve, on_delete=models.CASCADE, related_name="liens")
    personne = models.ForeignKey(Personne, on_delete=models.CASCADE, related_name="liens")
    code_parente = models.CharField("lien de parenté", max_length=2)
    niveau = models.PositiveSmallIntegerField("niveau de responsabilité", choices=Niveau.choices)
    resp_financier = models.BooleanField("responsable financier", default=False)
    pers_paiement = models.BooleanField("personne qui paie", default=False)
    pers_contact = models.BooleanField("à contacter en priorité", default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["eleve", "personne"], name="siecle_lien_unique"),
        ]
        ordering = ["niveau", "id"]

    def __str__(self) -> str:
        return f"{self.personne} → {self.eleve} ({self.code_parente})"


class EleveGroupe(BeeOwned):
    """A pupil's membership of a group (STS group received as a Structure of type G).

    Written by the ELEGROUPE night import (links from the EDT software) or directly in SIECLE.
    """

    class Source(models.TextChoices):
        ELEGROUPE = "elegroupe", "Import des liens élève-groupe"
        SIECLE = "siecle", "Saisie dans SIECLE"

    scolarite = models.ForeignKey(Scolarite, on_delete=models.CASCADE, related_name="groupes")
    groupe = models.CharField("code du groupe", max_length=8)
    date_debut = models.DateField(null=True, blank=True)
    date_fin = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SIECLE)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scolarite", "groupe"], name="siecle_eleve_groupe_unique"
            ),
        ]
        ordering = ["groupe"]

    def __str__(self) -> str:
        return f"{self.scolarite.eleve} ∈ {self.groupe}"


# --- Importations -----------------------------------------------------------------------------


class DossierEntrant(BeeOwned):
    """A dossier waiting in Importations (`uai` is the receiving establishment).

    Affectation: a pupil affected to the establishment (Affelnet results). Autre EPLE: a dossier
    exported by a school of the académie; it keeps its ELEVE_ID and INE. The pupil's data are
    a snapshot of what was sent (identity, address, responsables): the file, not a link.
    """

    class Source(models.TextChoices):
        AFFECTATION = "affectation", "Dossiers depuis affectation"
        AUTRE_EPLE = "autre_eple", "Dossiers depuis autre EPLE"

    class Etat(models.TextChoices):
        EN_ATTENTE = "en_attente", "En attente"
        IMPORTE = "importe", "Importé"
        SUPPRIME = "supprime", "Supprimé"

    annee = models.PositiveSmallIntegerField("année scolaire")
    source = models.CharField(max_length=12, choices=Source.choices)
    etat = models.CharField(max_length=12, choices=Etat.choices, default=Etat.EN_ATTENTE)
    ine = models.CharField("INE", max_length=11, blank=True)
    eleve_id = models.PositiveBigIntegerField("ELEVE_ID d'origine", null=True, blank=True)
    nom = models.CharField(max_length=50)
    nom_usage = models.CharField(max_length=50, blank=True)
    prenom = models.CharField(max_length=50)
    prenom2 = models.CharField(max_length=50, blank=True)
    prenom3 = models.CharField(max_length=50, blank=True)
    sexe = models.CharField(max_length=1, blank=True)
    date_naissance = models.DateField(null=True, blank=True)
    code_pays_naiss = models.CharField(max_length=3, default="100")
    code_departement_naiss = models.CharField(max_length=3, blank=True)
    code_commune_insee_naiss = models.CharField(max_length=5, blank=True)
    ville_naiss = models.CharField(max_length=60, blank=True)
    code_pays_nat = models.CharField(max_length=3, default="100")
    code_regime = models.CharField(max_length=2, default="0")
    mef_code = models.CharField("MEF d'affectation", max_length=11, blank=True)
    options = models.JSONField(default=list, blank=True)  # [{"matiere": , "modalite": }]
    adresse = models.JSONField(default=dict, blank=True)
    responsables = models.JSONField(default=list, blank=True)
    origine_uai = models.CharField(max_length=8, blank=True)
    origine_denomination = models.CharField(max_length=60, blank=True)
    origine_commune = models.CharField(max_length=60, blank=True)
    origine_mef = models.CharField(max_length=11, blank=True)
    origine_division = models.CharField(max_length=8, blank=True)
    date_sortie = models.DateField("sortie le", null=True, blank=True)
    offert_le = models.DateTimeField("envoyé le (heure simulée)")
    traite_le = models.DateTimeField(null=True, blank=True)
    traite_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    eleve_cree = models.ForeignKey(
        Eleve, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["world", "uai", "annee", "source", "etat"])]
        ordering = ["nom", "prenom", "id"]
        verbose_name = "dossier à importer"

    def __str__(self) -> str:
        return f"{self.nom} {self.prenom} ({self.get_source_display()})"

    @property
    def origine_libelle(self) -> str:
        return " ".join(
            part
            for part in (self.origine_uai, self.origine_denomination, self.origine_commune)
            if part
        )


# --- Académie signals, history, exports -------------------------------------------------------


class Signalement(BeeOwned):
    """A signal of the académie base on the dashboard (recomputed by the night batch)."""

    class Nature(models.TextChoices):
        MULTI_INSCRIPTION = "multi_inscription", "Multi-inscription"

    annee = models.PositiveSmallIntegerField("année scolaire")
    nature = models.CharField(max_length=20, choices=Nature.choices)
    eleve = models.ForeignKey(
        Eleve, on_delete=models.CASCADE, null=True, blank=True, related_name="signalements"
    )
    ine = models.CharField(max_length=11, blank=True)
    texte = models.TextField()
    releve_le = models.DateTimeField("relevé le (heure simulée)")

    class Meta:
        ordering = ["releve_le", "id"]
        indexes = [models.Index(fields=["world", "uai", "annee"])]

    def __str__(self) -> str:
        return self.texte


class Historique(BeeOwned):
    """What changed on a pupil's fiche: who, when (simulated time), what."""

    eleve = models.ForeignKey(Eleve, on_delete=models.CASCADE, related_name="historique")
    le = models.DateTimeField("le (heure simulée)")
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    auteur_nom = models.CharField(max_length=150)
    action = models.CharField(max_length=80)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-le", "-id"]
        verbose_name = "historique"

    def __str__(self) -> str:
        return f"{self.le:%d/%m/%Y %H:%M} {self.auteur_nom} {self.action}"


class Exportation(BeeOwned):
    """Exportations log: a file written by the BEE (XML exports, dossiers to another EPLE)."""

    annee = models.PositiveSmallIntegerField("année scolaire")
    nature = models.CharField(max_length=40)
    libelle = models.CharField(max_length=120)
    le = models.DateTimeField("le (heure simulée)")
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exchange = models.ForeignKey(
        "entsim.Exchange", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    parametres = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-le", "-id"]

    def __str__(self) -> str:
        return f"{self.le:%d/%m/%Y %H:%M} {self.libelle}"
