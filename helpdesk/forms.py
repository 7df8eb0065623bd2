"""The help desk's forms (DSFR)."""

from __future__ import annotations

from django import forms
from dsfr.forms import DsfrBaseForm


class TraceForm(DsfrBaseForm):
    q = forms.CharField(
        label="Personne",
        help_text="INE, « NOM Prénom », identifiant STS, identifiant ENT (prenom.nom) ou "
        "identifiant de jointure AAF",
        max_length=100,
    )
