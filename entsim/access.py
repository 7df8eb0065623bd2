"""Who may do what inside a world (the world itself is checked by WorldAccessMiddleware)."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied


def write_required(view):
    """For views that change a system's data: formateur and stagiaire, not the help desk."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        member = getattr(request, "member", None)
        if member is None or not member.may_write:
            raise PermissionDenied("Consultation seule : ce rôle ne modifie pas les données.")
        return view(request, *args, **kwargs)

    return wrapper
