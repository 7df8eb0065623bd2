"""STS-web's forms (DSFR). Business rules live in services; forms only parse input."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from entsim import nomenclatures as nom
from entsim.formats import structure_codes
from entsim.forms_base import DsfrForm

from .models import NomenclatureEntry

CARRY_OVER_ACK = "J'ai lu le conseil et je reconduis quand même les groupes et les services."


class YearSwitchForm(DsfrForm):
    annee = forms.ChoiceField(
        label="Année de travail",
        choices=(("en_cours", "Année en cours"), ("en_preparation", "Année en préparation")),
        widget=forms.RadioSelect,
    )


class BasculeForm(DsfrForm):
    reconduction = forms.ChoiceField(
        label="Éléments basculés dans l'année en préparation",
        choices=(
            ("divisions", "Les divisions seulement (recommandé)"),
            ("tout", "Les divisions, les groupes et les services"),
        ),
        initial="divisions",
        widget=forms.RadioSelect,
    )
    confirmation = forms.BooleanField(label=CARRY_OVER_ACK, required=False)

    def clean(self):
        data = super().clean()
        if data.get("reconduction") == "tout" and not data.get("confirmation"):
            self.add_error(
                "confirmation",
                "Pour reconduire les groupes et les services, cochez la case qui confirme que "
                "vous avez lu le conseil du guide.",
            )
        return data

    @property
    def carry_over(self) -> bool:
        return self.cleaned_data["reconduction"] == "tout"


class NomenclatureSelectionForm(DsfrForm):
    mefs = forms.MultipleChoiceField(
        label="MEF", required=False, widget=forms.CheckboxSelectMultiple
    )
    matieres = forms.MultipleChoiceField(
        label="Matières", required=False, widget=forms.CheckboxSelectMultiple
    )
    mods_cours = forms.MultipleChoiceField(
        label="Modalités de cours", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        by_kind: dict[str, list[tuple[str, str]]] = {k: [] for k in NomenclatureEntry.Kind.values}
        selected: dict[str, list[str]] = {k: [] for k in NomenclatureEntry.Kind.values}
        for entry in entries:
            by_kind[entry.kind].append((entry.code, f"{entry.code} — {entry.libelle_long}"))
            if entry.selected:
                selected[entry.kind].append(entry.code)
        kind = NomenclatureEntry.Kind
        for name, k in (
            ("mefs", kind.MEF),
            ("matieres", kind.MATIERE),
            ("mods_cours", kind.MOD_COURS),
        ):
            self.fields[name].choices = by_kind[k]
            self.fields[name].initial = selected[k]


class NomenclatureRequestForm(DsfrForm):
    kind = forms.ChoiceField(label="Type de nomenclature", choices=NomenclatureEntry.Kind.choices)
    code = forms.CharField(label="Code (s'il est connu)", max_length=11, required=False)
    libelle = forms.CharField(label="Libellé de la nomenclature manquante", max_length=80)
    message = forms.CharField(
        label="Message à l'académie",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text="Décrivez la formation, la matière ou la modalité qui manque et pourquoi.",
    )


def _code_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=structure_codes.CODE_MAX,
        help_text=(
            f"{structure_codes.CODE_MAX} caractères au plus : {structure_codes.ALLOWED_TEXT}."
        ),
        strip=True,
    )


def _libelle_field() -> forms.CharField:
    return forms.CharField(
        label="Libellé long",
        max_length=structure_codes.LIBELLE_MAX,
        help_text="20 caractères au plus.",
    )


class DivisionForm(DsfrForm):
    code = _code_field("Code de la division")
    libelle_long = _libelle_field()
    mef_code = forms.ChoiceField(label="MEF d'appartenance", required=False)
    effectif_prevu = forms.IntegerField(
        label="Effectif prévu", required=False, min_value=0, max_value=99
    )

    def __init__(self, *args, mefs: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— Aucun MEF —"), *mefs]
        current = self.initial.get("mef_code")
        if current and current not in dict(mefs):
            mef = nom.MEFS.get(current)
            choices.append((current, f"{current} {mef.libelle_long if mef else ''}".strip()))
        self.fields["mef_code"].choices = choices
        if not mefs:
            hint = (
                "Aucun MEF profilé pour cette année : passez par le module Nomenclatures "
                "(réceptionner, sélectionner, lancer le profilage)."
            )
            self.fields["mef_code"].help_text = hint
            self["mef_code"].help_text = hint  # the bound field was built by DsfrForm

    def clean_code(self):
        code = self.cleaned_data["code"]
        problem = structure_codes.code_problem(code)
        if problem:
            raise forms.ValidationError(problem[0].upper() + problem[1:] + ".")
        return code


class GroupForm(DsfrForm):
    code = _code_field("Code du groupe")
    libelle_long = _libelle_field()
    divisions = forms.MultipleChoiceField(
        label="Divisions d'appartenance",
        widget=forms.CheckboxSelectMultiple,
        help_text="Un groupe appartient à une ou plusieurs divisions.",
    )
    effectif_prevu = forms.IntegerField(
        label="Effectif prévu", required=False, min_value=0, max_value=999
    )

    def __init__(self, *args, divisions: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["divisions"].choices = [(str(pk), label) for pk, label in divisions]

    def clean_code(self):
        code = self.cleaned_data["code"]
        problem = structure_codes.code_problem(code)
        if problem:
            raise forms.ValidationError(problem[0].upper() + problem[1:] + ".")
        return code

    def division_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["divisions"]]


class ServiceForm(DsfrForm):
    structure = forms.ChoiceField(label="Division ou groupe")
    subject = forms.ChoiceField(label="Matière")
    mod_cours = forms.ChoiceField(label="Modalité de cours")
    hours = forms.DecimalField(
        label="Heures", min_value=Decimal("0.25"), max_value=Decimal(99), decimal_places=2
    )
    teacher = forms.ChoiceField(label="Enseignant", required=False)

    def __init__(
        self,
        *args,
        structures: list[tuple[str, str]] = (),
        subjects: list[tuple[str, str]] = (),
        mods: list[tuple[str, str]] = (),
        teachers: list[tuple[int, str]] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["structure"].choices = structures
        self.fields["subject"].choices = [(c, f"{c} — {label}") for c, label in subjects]
        self.fields["mod_cours"].choices = [(c, f"{c} — {label}") for c, label in mods]
        self.fields["teacher"].choices = [("", "— Sans enseignant —")] + [
            (str(pk), label) for pk, label in teachers
        ]


class ServiceSelectionForm(DsfrForm):
    services = forms.TypedMultipleChoiceField(coerce=int, label="Services")

    def __init__(self, *args, service_ids: list[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].choices = [(pk, pk) for pk in service_ids]


class TeacherChoiceForm(DsfrForm):
    """Services et ARE - Changement de support: 'Enseignant à remplacer'."""

    enseignant = forms.TypedChoiceField(coerce=int, label="Enseignant à remplacer")

    def __init__(self, *args, teachers: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enseignant"].choices = [("", "— Choisissez —"), *teachers]


class SupportChangeForm(DsfrForm):
    assignments = forms.TypedMultipleChoiceField(
        coerce=int,
        label="Sélectionnez le(s) service(s) que vous souhaitez basculer",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Sélectionnez le ou les services à basculer."},
    )
    remplacant = forms.TypedChoiceField(
        coerce=int,
        label="Enseignant à qui attribuer ce(s) service(s)",
        error_messages={"required": "Choisissez l'enseignant sur lequel basculer les services."},
    )

    def __init__(
        self,
        *args,
        assignment_ids: list[int] = (),
        teachers: list[tuple[int, str]] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["assignments"].choices = [(pk, pk) for pk in assignment_ids]
        self.fields["remplacant"].choices = [("", "— Choisissez —"), *teachers]


class SuppleantsForm(DsfrForm):
    suppleants = forms.TypedMultipleChoiceField(
        coerce=int,
        label="Suppléants",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez au moins un suppléant."},
    )

    def __init__(self, *args, teacher_ids: list[int] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suppleants"].choices = [(pk, pk) for pk in teacher_ids]
