"""Who may do what: inside a world (the world itself is checked by WorldAccessMiddleware), and
the two global capabilities.

- Formateur: may create training sessions (permission `training.add_session`, granted through
  the group "Formateurs"). A formateur sees only their own sessions; in their trainees' worlds
  they are a read-only member (role assistance).
- Help desk (assistance académique): reads every world, writes none (permission
  `entsim.view_world`, granted through the group "Assistance académique"). The middleware
  lets them into any world as a read-only member.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class Capability:
    group: str
    app_label: str
    codename: str

    @property
    def permission(self) -> str:
        return f"{self.app_label}.{self.codename}"


FORMATEUR = Capability("Formateurs", "training", "add_session")
HELP_DESK = Capability("Assistance académique", "entsim", "view_world")


def capability_grant(*, user, capability: Capability) -> None:
    """Put the user in the capability's group (made, with its permission, if missing)."""
    group, _ = Group.objects.get_or_create(name=capability.group)
    permission = Permission.objects.get(
        content_type__app_label=capability.app_label, codename=capability.codename
    )
    group.permissions.add(permission)
    user.groups.add(group)
    for cache in ("_perm_cache", "_group_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)


def user_is_formateur(user) -> bool:
    return user.is_authenticated and user.has_perm(FORMATEUR.permission)


def user_is_help_desk(user) -> bool:
    return user.is_authenticated and user.has_perm(HELP_DESK.permission)


def write_required(view):
    """For views that change a system's data: formateur and stagiaire, not the help desk."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        member = getattr(request, "member", None)
        if member is None or not member.may_write:
            raise PermissionDenied("Consultation seule : ce rôle ne modifie pas les données.")
        return view(request, *args, **kwargs)

    return wrapper
