from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UsernameField

from .formats.safe import too_large_message
from .forms_base import DsfrForm
from .services.clock import SPEEDS
from .timeline import PARIS


class LoginForm(AuthenticationForm, DsfrForm):
    # Declared with its label: DsfrForm binds the fields before AuthenticationForm sets the
    # username label, which then showed Django's untranslated default ("Username").
    username = UsernameField(label="Identifiant", widget=forms.TextInput(attrs={"autofocus": True}))


class ClockForm(DsfrForm):
    """The clock bar's actions; the date is in the world's local time (Europe/Paris)."""

    ACTIONS = (
        ("nuit", "Passer la nuit"),
        ("plus24", "+24 h"),
        ("aller", "Aller au"),
        ("pause", "Pause"),
        ("lecture", "Lecture"),
    )
    action = forms.ChoiceField(choices=ACTIONS)
    date = forms.DateTimeField(
        label="Date et heure",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    speed = forms.TypedChoiceField(
        label="Vitesse", choices=SPEEDS, coerce=int, required=False, empty_value=None
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == "aller" and not data.get("date"):
            self.add_error("date", "Indiquez la date et l'heure où aller.")
        if data.get("action") == "lecture" and not data.get("speed"):
            self.add_error("speed", "Choisissez la vitesse de lecture.")
        return data

    def target(self) -> dt.datetime:
        moment = self.cleaned_data["date"]
        return moment.astimezone(PARIS) if moment.tzinfo else moment.replace(tzinfo=PARIS)


class UploadForm(DsfrForm):
    """A file handed to a system (Import menus); size-capped before anything reads it."""

    file = forms.FileField(label="Fichier")

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        limit = settings.ENTSIM_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(too_large_message(upload.size, limit))
        return upload

    def content(self) -> tuple[str, bytes]:
        upload = self.cleaned_data["file"]
        return upload.name, upload.read()
