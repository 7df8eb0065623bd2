"""The base of every form of entsim: django-dsfr's form, with one renderer for all.

`DsfrBaseForm.default_renderer` returns the renderer *class* (django-dsfr 3.6): Django then
makes a new renderer, hence a new template engine with an empty template cache, for every
form, and compiles the DSFR field templates again each time (about 40 ms on a SIECLE fiche).
One shared instance keeps them compiled. The output is the same (same class, same templates).
"""

from __future__ import annotations

from dsfr.forms import DsfrBaseForm, DsfrDjangoTemplates

DSFR_RENDERER = DsfrDjangoTemplates()


class DsfrForm(DsfrBaseForm):
    default_renderer = DSFR_RENDERER
