"""Every form of entsim shares one DSFR renderer, so its field templates are compiled once
(django-dsfr's own base form makes a new renderer, and a new template cache, per form)."""

from __future__ import annotations

import importlib

from dsfr.forms import DsfrBaseForm

from entsim.forms_base import DSFR_RENDERER, DsfrForm

FORM_MODULES = [
    "entsim.forms",
    "sts.forms",
    "edt.forms",
    "siecle.forms",
    "ent.forms",
    "training.forms",
    "helpdesk.forms",
]


def _subclasses(cls) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_form_of_the_project_is_a_dsfr_form_with_the_shared_renderer():
    for module in FORM_MODULES:
        importlib.import_module(module)
    ours = {
        cls
        for cls in _subclasses(DsfrBaseForm)
        if cls.__module__.split(".")[0] in {m.split(".")[0] for m in FORM_MODULES}
        and cls is not DsfrForm
    }
    assert len(ours) > 40
    assert sorted(c.__qualname__ for c in ours if not issubclass(c, DsfrForm)) == []


def test_two_forms_render_with_the_same_engine_and_compile_templates_once(monkeypatch):
    from django.template import base

    from siecle.forms import AdresseForm, IdentiteForm

    assert IdentiteForm().renderer is DSFR_RENDERER is AdresseForm().renderer
    str(IdentiteForm())  # compiled (once per process)
    compiled = []
    tokenize = base.Lexer.tokenize
    monkeypatch.setattr(base.Lexer, "tokenize", lambda self: compiled.append(1) or tokenize(self))
    html = str(IdentiteForm())
    assert "Nom de famille" in html
    assert compiled == []
