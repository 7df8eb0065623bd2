"""Small template helpers of SIECLE pages (labels of national codes, pagination links)."""

from __future__ import annotations

from django import template

from entsim import nomenclatures as nom

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context, number: int) -> str:
    """The current query string with another page number."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.filter
def parente(code: str) -> str:
    found = nom.CODES_PARENTE.get(code)
    return found.libelle if found else code


@register.filter
def pays(code: str) -> str:
    found = nom.PAYS.get(code)
    return found.libelle if found else code


@register.filter
def regime(code: str) -> str:
    found = nom.REGIMES.get(code)
    return found.libelle_long if found else code


@register.filter
def sexe(code: str) -> str:
    return {"1": "Masculin", "2": "Féminin"}.get(code, "non renseigné")


@register.filter
def mef(code: str, labels: dict) -> str:
    if not code:
        return "—"
    return labels.get(code) or (nom.MEFS[code].libelle_long if code in nom.MEFS else code)


@register.filter
def get(mapping: dict, key):
    return mapping.get(key, "") if mapping else ""
