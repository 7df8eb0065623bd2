"""Forms of SIECLE Base élèves (DSFR). Choices that depend on the base come from the view."""

from __future__ import annotations

from django import forms

from entsim import nomenclatures as nat
from entsim.forms import UploadForm
from entsim.forms_base import DsfrForm

from .models import LienResponsable
from .selectors import Criteres

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]

SEXE_CHOICES = [("1", "Masculin"), ("2", "Féminin")]
PAYS_CHOICES = [(p.code, p.libelle) for p in sorted(nat.PAYS.values(), key=lambda p: p.libelle)]
NATIONALITE_CHOICES = [
    (p.code, p.nationalite) for p in sorted(nat.PAYS.values(), key=lambda p: p.nationalite)
]
REGIME_CHOICES = [(r.code, f"{r.libelle_court} — {r.libelle_long}") for r in nat.REGIMES.values()]
_BIRTH_COMMUNES = (*nat.COMMUNES.values(), *nat.OTHER_BIRTH_COMMUNES.values())
COMMUNE_CHOICES = [
    ("", "— non renseignée —"),
    *sorted(((c.insee, f"{c.name} ({c.insee})") for c in _BIRTH_COMMUNES), key=lambda i: i[1]),
]
PARENTE_CHOICES = [(p.code, p.libelle) for p in nat.CODES_PARENTE.values()]
NIVEAU_CHOICES = [(value, label) for value, label in LienResponsable.Niveau.choices]
CIVILITE_CHOICES = [("MME", "MME"), ("M.", "M.")]


def date_field(label: str, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class IdsField(forms.Field):
    """Ticked rows (checkboxes named alike): a list of integers."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        try:
            return [int(item) for item in value]
        except (TypeError, ValueError) as error:
            raise forms.ValidationError("Sélection illisible.") from error


class AnneeForm(DsfrForm):
    annee = forms.TypedChoiceField(label="Année scolaire", coerce=int, choices=())

    def __init__(self, *args, annees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = annees.choices()


class RechercheForm(DsfrForm):
    """Fiches élèves - Recherche et MAJ (guide 3.2.2): Élève and Responsable criteria."""

    nom = forms.CharField(label="Nom", required=False, max_length=50)
    prenom = forms.CharField(label="Prénom", required=False, max_length=50)
    division = forms.ChoiceField(label="Division", required=False, choices=())
    ne_en = forms.IntegerField(label="Né(e) en", required=False, min_value=1950, max_value=2030)
    scolarise = forms.ChoiceField(
        label="Scolarisé(e)",
        required=False,
        choices=[("", "tous"), ("oui", "Oui"), ("non", "Non")],
    )
    etat = forms.ChoiceField(
        label="État",
        required=False,
        choices=[("", "tous"), ("a_completer", "À compléter"), ("complet", "complet")],
    )
    resp_nom = forms.CharField(label="Nom du responsable", required=False, max_length=50)
    resp_prenom = forms.CharField(label="Prénom du responsable", required=False, max_length=50)

    def __init__(self, *args, divisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].choices = [("", "toutes")] + [(d, d) for d in divisions]

    def criteres(self) -> Criteres:
        data = self.cleaned_data
        return Criteres(
            nom=data.get("nom", "").strip(),
            prenom=data.get("prenom", "").strip(),
            division=data.get("division", ""),
            ne_en=data.get("ne_en"),
            scolarise=data.get("scolarise", ""),
            etat=data.get("etat", ""),
            resp_nom=data.get("resp_nom", "").strip(),
            resp_prenom=data.get("resp_prenom", "").strip(),
        )


class IdentiteForm(DsfrForm):
    nom = forms.CharField(label="Nom de famille", max_length=50)
    nom_usage = forms.CharField(label="Nom d'usage", max_length=50, required=False)
    prenom = forms.CharField(label="Prénom", max_length=50)
    prenom2 = forms.CharField(label="Prénom 2", max_length=50, required=False)
    prenom3 = forms.CharField(label="Prénom 3", max_length=50, required=False)
    sexe = forms.ChoiceField(label="Sexe", choices=SEXE_CHOICES, widget=forms.RadioSelect)
    date_naissance = date_field("Date de naissance", required=True)
    code_pays_naiss = forms.ChoiceField(
        label="Pays de naissance", choices=PAYS_CHOICES, initial=nat.PAYS_FRANCE
    )
    code_commune_insee_naiss = forms.ChoiceField(
        label="Commune de naissance (si né(e) en France)", choices=COMMUNE_CHOICES, required=False
    )
    ville_naiss = forms.CharField(
        label="Ville de naissance (si né(e) à l'étranger)", max_length=60, required=False
    )
    code_pays_nat = forms.ChoiceField(
        label="Nationalité", choices=NATIONALITE_CHOICES, initial=nat.PAYS_FRANCE
    )
    code_regime = forms.ChoiceField(label="Régime", choices=REGIME_CHOICES, initial="0")

    def identity(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if key in self.fields}


def _mef_choices(mefs) -> list[tuple[str, str]]:
    return [("", "— aucun —")] + [(m.code, f"{m.libelle_long} ({m.code})") for m in mefs]


def _division_choices(divisions) -> list[tuple[str, str]]:
    return [("", "— aucune —")] + [
        (d.code, f"{d.code} — {d.libelle_long}" if d.libelle_long else d.code) for d in divisions
    ]


class CreationForm(IdentiteForm):
    """Création intégrale (guide 3.2.2): identity, birth, sex; MEF and division optional."""

    ine = forms.CharField(
        label="INE (s'il est connu)",
        max_length=11,
        required=False,
        help_text="11 caractères, par exemple 070866055XM.",
    )
    mef_code = forms.ChoiceField(label="MEF", required=False, choices=())
    division = forms.ChoiceField(label="Division", required=False, choices=())
    date_entree = date_field("Date d'entrée dans l'établissement")

    def __init__(self, *args, mefs=(), divisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mef_code"].choices = _mef_choices(mefs)
        self.fields["division"].choices = _division_choices(divisions)

    def identity(self) -> dict:
        skip = {"ine", "mef_code", "division", "date_entree"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}


class ScolariteForm(DsfrForm):
    mef_code = forms.ChoiceField(label="MEF", required=False, choices=())
    division = forms.ChoiceField(label="Division", required=False, choices=())
    date_entree = date_field("Date d'entrée")
    date_sortie = date_field("Date de sortie (déscolarisation)")

    def __init__(self, *args, mefs=(), divisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mef_code"].choices = _mef_choices(mefs)
        self.fields["division"].choices = _division_choices(divisions)


class DescolariserForm(DsfrForm):
    date_sortie = date_field("Date de sortie", required=True)


class AdresseForm(DsfrForm):
    ligne1 = forms.CharField(label="Ligne 1 (numéro et voie)", max_length=50)
    ligne2 = forms.CharField(label="Ligne 2 (bâtiment, appartement)", max_length=50, required=False)
    ligne3 = forms.CharField(label="Ligne 3 (résidence, lieu-dit)", max_length=50, required=False)
    ligne4 = forms.CharField(label="Ligne 4", max_length=50, required=False)
    code_postal = forms.CharField(label="Code postal", max_length=10)
    commune = forms.CharField(label="Commune", max_length=60)
    code_pays = forms.ChoiceField(label="Pays", choices=PAYS_CHOICES, initial=nat.PAYS_FRANCE)

    def lignes(self) -> list[str]:
        return [self.cleaned_data.get(f"ligne{i}", "") for i in range(1, 5)]


class OptionForm(DsfrForm):
    matiere_code = forms.ChoiceField(label="Option", choices=())

    def __init__(self, *args, possibles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matiere_code"].choices = [
            (
                o.matiere,
                f"{o.libelle} ({o.matiere}, modalité {o.modalite})"
                + (f" — {o.choix}" if o.choix else ""),
            )
            for o in possibles
        ]


class LienForm(DsfrForm):
    code_parente = forms.ChoiceField(label="Lien de parenté", choices=PARENTE_CHOICES)
    niveau = forms.TypedChoiceField(
        label="Niveau de responsabilité", choices=NIVEAU_CHOICES, coerce=int
    )


class RattacherForm(LienForm):
    personne = forms.IntegerField(widget=forms.HiddenInput)


class ResponsableRechercheForm(DsfrForm):
    resp_nom = forms.CharField(label="Nom du responsable", max_length=50, min_length=2)
    resp_prenom = forms.CharField(label="Prénom", max_length=50, required=False)


class ResponsableCreerForm(LienForm):
    civilite = forms.ChoiceField(label="Civilité", choices=CIVILITE_CHOICES)
    nom = forms.CharField(label="Nom de famille", max_length=50)
    nom_usage = forms.CharField(label="Nom d'usage", max_length=50, required=False)
    prenom = forms.CharField(label="Prénom", max_length=50)
    tel_portable = forms.CharField(label="Téléphone portable", max_length=20, required=False)
    mel = forms.EmailField(label="Courriel", max_length=100, required=False)
    meme_adresse = forms.BooleanField(
        label="Même adresse que l'élève", required=False, initial=True
    )
    ligne1 = forms.CharField(label="Adresse, ligne 1", max_length=50, required=False)
    ligne2 = forms.CharField(label="Adresse, ligne 2", max_length=50, required=False)
    code_postal = forms.CharField(label="Code postal", max_length=10, required=False)
    commune = forms.CharField(label="Commune", max_length=60, required=False)

    field_order = [
        "civilite",
        "nom",
        "nom_usage",
        "prenom",
        "code_parente",
        "niveau",
        "tel_portable",
        "mel",
        "meme_adresse",
        "ligne1",
        "ligne2",
        "code_postal",
        "commune",
    ]

    def clean(self):
        data = super().clean()
        if not data.get("meme_adresse") and not data.get("ligne1"):
            self.add_error("ligne1", "Indiquez l'adresse, ou cochez « Même adresse que l'élève ».")
        return data

    def adresse(self) -> dict | None:
        data = self.cleaned_data
        if data.get("meme_adresse"):
            return None
        return {
            "lignes": [data.get("ligne1", ""), data.get("ligne2", "")],
            "code_postal": data.get("code_postal", ""),
            "commune": data.get("commune", ""),
        }


class DoublonsForm(DsfrForm):
    nom = forms.CharField(label="Nom", required=False, max_length=50)
    prenom = forms.CharField(label="Prénom", required=False, max_length=50)


class FusionForm(DsfrForm):
    supprimer = forms.IntegerField(
        error_messages={"required": "Cochez le responsable à supprimer."}
    )
    remplacer = forms.IntegerField(
        error_messages={"required": "Cochez le responsable qui le remplace."}
    )


class AffectationForm(DsfrForm):
    mef_code = forms.ChoiceField(label="MEF", required=False, choices=())
    division = forms.ChoiceField(label="Division", required=False, choices=())

    def __init__(self, *args, mefs=(), divisions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mef_code"].choices = _mef_choices(mefs)
        self.fields["division"].choices = _division_choices(divisions)


class SaisieMasseForm(AffectationForm):
    eleves = IdsField(required=False)
    option = forms.ChoiceField(label="Inscrire dans l'option", required=False, choices=())
    groupe = forms.ChoiceField(label="Inscrire dans le groupe", required=False, choices=())

    def __init__(self, *args, options=(), groupes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["option"].choices = [("", "— aucune —"), *list(options)]
        self.fields["groupe"].choices = [("", "— aucun —"), *list(groupes)]


class GroupeForm(DsfrForm):
    groupe = forms.ChoiceField(label="Groupe", choices=())

    def __init__(self, *args, groupes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groupe"].choices = list(groupes)


class DossiersForm(DsfrForm):
    dossiers = IdsField(required=False)
    tous = forms.BooleanField(required=False)


class FaireExporterForm(DsfrForm):
    eleve = forms.IntegerField(widget=forms.HiddenInput)


class ElegroupeUploadForm(UploadForm):
    file = forms.FileField(
        label="Fichier des liens élève-groupe (<UAI>ELEGROUPE<AAAA><AAMMJJhhmmss>.zip)",
        help_text="Le fichier du logiciel d'emploi du temps ; importé la nuit suivante.",
    )
