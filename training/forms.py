from __future__ import annotations

from django import forms

from entsim.forms_base import DsfrForm
from entsim.models import World

from .scenarios import scenarios_all
from .services import MAX_TRAINEES


class SessionForm(DsfrForm):
    name = forms.CharField(
        label="Nom de la session",
        max_length=50,
        help_text="Il donne les identifiants (ex. « Rentrée mars » → rentree-mars-01, -02…).",
    )
    scenario = forms.ChoiceField(label="Scénario")
    trainee_count = forms.IntegerField(
        label="Nombre de stagiaires", min_value=1, max_value=MAX_TRAINEES, initial=10
    )
    world_size = forms.ChoiceField(
        label="Taille des mondes", choices=World.Size.choices, initial=World.Size.COLLEGE
    )
    seed = forms.IntegerField(
        label="Graine (facultatif)",
        required=False,
        min_value=0,
        max_value=2**62,
        help_text="La même graine donne la même académie : tous les stagiaires ont le même monde.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = [(s.id, s.title) for s in scenarios_all()]
