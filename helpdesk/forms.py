"""The help desk's forms (DSFR)."""

from __future__ import annotations

from django import forms

from entsim.forms_base import DsfrForm


class TraceForm(DsfrForm):
    q = forms.CharField(
        label="Personne",
        help_text="INE, « NOM Prénom », identifiant STS, identifiant ENT (prenom.nom) ou "
        "identifiant de jointure AAF",
        max_length=100,
    )
