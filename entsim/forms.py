from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from dsfr.forms import DsfrBaseForm

from .timeline import PARIS


class LoginForm(AuthenticationForm, DsfrBaseForm):
    pass


class ClockForm(DsfrBaseForm):
    """The clock bar's actions; the date is in the world's local time (Europe/Paris)."""

    ACTIONS = (
        ("nuit", "Passer la nuit"),
        ("plus24", "+24 h"),
        ("aller", "Aller au"),
        ("pause", "Pause"),
        ("lancer", "Lancer"),
    )
    action = forms.ChoiceField(choices=ACTIONS)
    date = forms.DateTimeField(
        label="Date et heure",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    speed = forms.FloatField(
        label="Vitesse (heures simulées par minute réelle)",
        required=False,
        min_value=0.01,
        max_value=1000,
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "aller" and not data.get("date"):
            self.add_error("date", "Indiquez la date et l'heure où aller.")
        if data.get("action") == "lancer" and not data.get("speed"):
            self.add_error("speed", "Indiquez la vitesse.")
        return data

    def target(self) -> dt.datetime:
        moment = self.cleaned_data["date"]
        return moment.astimezone(PARIS) if moment.tzinfo else moment.replace(tzinfo=PARIS)
