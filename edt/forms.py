"""Forms of the timetable software; querysets are always the current world's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404

from entsim.forms import UploadForm
from entsim.forms_base import DsfrForm
from entsim.models import World

from . import selectors
from .models import Cours, Division, Eleve, Enseignant, Matiere, Service
from .services import CREATE, IGNORE, STRUCTURE_CODE_MAX


class StsUploadForm(UploadForm):
    file = forms.FileField(
        label="Fichier STS-web (sts_emp_<UAI>_<AAAA>.xml)",
        help_text="Le fichier de STS-web, menu Exports > Emploi du temps.",
    )


class ElevesOptionsForm(DsfrForm):
    avec_groupes = forms.BooleanField(
        label="Reprendre aussi les groupes déjà inscrits dans SIECLE",
        required=False,
        help_text="Seulement pour les groupes connus du logiciel ; aucun élève n'en est retiré.",
    )


class ElevesUploadForm(UploadForm, ElevesOptionsForm):
    file = forms.FileField(
        label="Export XML des élèves (ExportXML_ElevesSansAdresses.zip ou le fichier .xml)",
        help_text="SIECLE Base élèves, menu Exportations > En XML.",
    )


class WorldChoice(forms.ModelChoiceField):
    """One of the world's objects: an id from elsewhere is a 404, not a form error."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code == "invalid_choice":
                raise Http404("Élément introuvable.") from error
            raise


class WorldMultipleChoice(forms.ModelMultipleChoiceField):
    """Some of the world's objects: an id from elsewhere is a 404, not a form error."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except ValidationError as error:
            if error.code in ("invalid_choice", "invalid_pk_value"):
                raise Http404("Élément introuvable.") from error
            raise


class _WorldForm(DsfrForm):
    def __init__(self, *args, world: World, **kwargs) -> None:
        self.world = world
        super().__init__(*args, **kwargs)


class GroupeForm(_WorldForm):
    code = forms.CharField(
        label="Nom du groupe",
        max_length=STRUCTURE_CODE_MAX,
        help_text=f"{STRUCTURE_CODE_MAX} caractères au plus, par exemple 3ESP1.",
    )
    libelle = forms.CharField(label="Libellé", max_length=20, required=False)
    divisions = WorldMultipleChoice(
        label="Divisions d'où viennent les élèves",
        queryset=Division.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["divisions"].queryset = selectors.divisions(world=self.world)


class GroupeChoiceForm(_WorldForm):
    """A group named by its id in the form (POST)."""

    groupe = forms.IntegerField(widget=forms.HiddenInput)

    def clean_groupe(self):
        return selectors.get_or_404(
            selectors.groupes(world=self.world), self.cleaned_data["groupe"]
        )


class InscriptionForm(GroupeChoiceForm):
    """Put pupils in a group: one pupil, a whole division, or by option."""

    MODES = (("eleve", "Un élève"), ("division", "Une division entière"), ("option", "Par option"))
    mode = forms.ChoiceField(choices=MODES, widget=forms.HiddenInput)
    eleve = forms.IntegerField(required=False, label="Élève")
    division = forms.IntegerField(required=False, label="Division")
    divisions = WorldMultipleChoice(
        label="Divisions",
        queryset=Division.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    option = forms.CharField(required=False, label="Option (matière)", max_length=6)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["divisions"].queryset = selectors.divisions(world=self.world)

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == "eleve":
            if not data.get("eleve"):
                self.add_error("eleve", "Choisissez un élève.")
            else:
                data["eleve"] = selectors.get_or_404(
                    Eleve.objects.filter(world=self.world), data["eleve"]
                )
        elif mode == "division":
            if not data.get("division"):
                self.add_error("division", "Choisissez une division.")
            else:
                data["division"] = selectors.get_or_404(
                    selectors.divisions(world=self.world), data["division"]
                )
        elif mode == "option":
            if not data.get("divisions"):
                self.add_error("divisions", "Cochez au moins une division.")
            if not data.get("option"):
                self.add_error("option", "Choisissez l'option.")
        return data


class RetraitForm(GroupeChoiceForm):
    eleve = forms.IntegerField(widget=forms.HiddenInput)

    def clean_eleve(self):
        return selectors.get_or_404(
            Eleve.objects.filter(world=self.world), self.cleaned_data["eleve"]
        )


class ServiceForm(_WorldForm):
    matiere = WorldChoice(label="Matière", queryset=Matiere.objects.none())
    mod_cours = forms.ChoiceField(label="Modalité de cours", choices=())
    structure = forms.CharField(label="Division ou groupe", widget=forms.Select)
    enseignant = WorldChoice(label="Enseignant", queryset=Enseignant.objects.none(), required=False)
    heures = forms.DecimalField(
        label="Heures par semaine",
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("99"),
        decimal_places=2,
        help_text="Laissez vide : les heures sont comptées sur les cours placés.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["matiere"].queryset = selectors.matieres(world=self.world)
        self.fields["enseignant"].queryset = selectors.enseignants(world=self.world)
        self.fields["mod_cours"].choices = selectors.mods_cours(world=self.world)
        self.fields["structure"].widget.choices = structure_choices(self.world)

    def clean_structure(self):
        return structure_from(self.world, self.cleaned_data["structure"])


def structure_choices(world: World) -> list:
    return [
        ("Divisions", [(f"d{d.pk}", d.code) for d in selectors.divisions(world=world)]),
        ("Groupes", [(f"g{g.pk}", g.code) for g in selectors.groupes(world=world)]),
    ]


def structure_from(world: World, value: str):
    """'d12' → the division 12 of the world, 'g5' → the group 5 (404 otherwise)."""
    if value[:1] == "d":
        return selectors.get_or_404(selectors.divisions(world=world), value[1:])
    if value[:1] == "g":
        return selectors.get_or_404(selectors.groupes(world=world), value[1:])
    raise forms.ValidationError("Choisissez une division ou un groupe.")


class ObjectForm(_WorldForm):
    """An object of the world named by its id (POST), for deletions."""

    id = forms.IntegerField(widget=forms.HiddenInput)


class CoursForm(_WorldForm):
    service = WorldChoice(label="Service", queryset=Service.objects.none())
    jour = forms.TypedChoiceField(label="Jour", choices=Cours.Jour.choices, coerce=int)
    heure_debut = forms.TimeField(
        label="Début",
        input_formats=["%H:%M", "%Hh%M", "%H%M"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        initial=dt.time(8, 0),
    )
    duree = forms.TypedChoiceField(
        label="Durée",
        coerce=int,
        choices=[
            (m, f"{m // 60} h {m % 60:02d}" if m % 60 else f"{m // 60} h")
            for m in (30, 45, 55, 60, 90, 110, 120, 180, 240)
        ],
        initial=60,
    )
    salle = forms.CharField(label="Salle", max_length=20, required=False)

    def __init__(self, *args, services=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        queryset = services if services is not None else Service.objects.filter(world=self.world)
        self.fields["service"].queryset = queryset.select_related("matiere", "division", "groupe")
        self.fields["service"].label_from_instance = lambda s: (
            f"{s.structure} — {s.matiere} ({s.mod_cours})"
        )


class CorrespondancesForm(_WorldForm):
    """One choice per STS-web item waiting for its match."""

    def __init__(self, *args, kinds: list[selectors.MatchingKind], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rows = []
        for kind in kinds:
            choices = [
                ("", "Décider plus tard"),
                (CREATE, "Créer dans le logiciel"),
                (IGNORE, "Laisser de côté (non envoyé à STS-web)"),
            ] + [(str(obj.pk), f"Correspond à : {obj}") for obj in kind.unmatched]
            for row in kind.pending:
                name = f"c{row.pk}"
                self.fields[name] = forms.ChoiceField(
                    label=f"{row.get_kind_display()} {row.libelle}",
                    choices=choices,
                    required=False,
                    initial=IGNORE if row.ignoree else "",
                )
                self.rows.append((row, name))

    def fields_of(self, kind: str) -> list:
        return [self[name] for row, name in self.rows if row.kind == kind]

    def choix(self) -> dict[int, str]:
        return {row.pk: self.cleaned_data.get(name, "") for row, name in self.rows}
