"""The ENT's forms (DSFR)."""

from __future__ import annotations

from django import forms

from entsim.forms_base import DsfrForm

from .models import Account


class AccountSearchForm(DsfrForm):
    q = forms.CharField(label="Nom, prénom ou identifiant", required=False, max_length=100)
    profil = forms.ChoiceField(
        label="Profil",
        required=False,
        choices=[("", "Tous les profils"), *Account.Profile.choices],
    )
    etat = forms.ChoiceField(
        label="État",
        required=False,
        choices=[("", "Tous les états"), *Account.State.choices],
    )


class ActivationForm(DsfrForm):
    login = forms.CharField(label="Identifiant", max_length=80)
    code = forms.CharField(label="Code d'activation", max_length=8, min_length=8)


class TextbookForm(DsfrForm):
    title = forms.CharField(label="Titre du manuel", max_length=120)
    publisher = forms.CharField(label="Éditeur", max_length=80, required=False)


class AssignmentForm(DsfrForm):
    """Give a textbook to a class, a group or a MEF: `cible` is "c<cohort id>" or "m<MEF>"."""

    textbook = forms.IntegerField(widget=forms.HiddenInput)
    cible = forms.ChoiceField(label="Attribuer à")

    def __init__(self, *args, cohorts=(), mefs=(), **kwargs):
        super().__init__(*args, **kwargs)
        classes = [
            (f"c{c.pk}", f"{c.code} — {c.label or c.code}") for c in cohorts if c.kind == "classe"
        ]
        groups = [
            (f"c{c.pk}", f"{c.code} — {c.label or c.code}") for c in cohorts if c.kind == "groupe"
        ]
        choices = [("", "Choisir…")]
        if groups:
            choices.append(("Groupes d'enseignement", groups))
        if classes:
            choices.append(("Classes", classes))
        if mefs:
            choices.append(
                ("MEF", [(f"m{code}", f"{label or code} ({code})") for code, label in mefs])
            )
        self.fields["cible"].choices = choices

    def target(self) -> tuple[int | None, str]:
        value = self.cleaned_data["cible"]
        if value.startswith("c"):
            return int(value[1:]), ""
        return None, value[1:]
