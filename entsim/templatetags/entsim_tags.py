"""Template helpers shared by every system's pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`report|get_item:"groupes importés"`: a value of a dict whose keys hold spaces."""
    if isinstance(mapping, dict):
        return mapping.get(key, "")
    return ""
