"""Every world-scoped URL checks that the world is one of the user's: else 404."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404

from .access import user_is_help_desk
from .models import Role, World, WorldMember
from .services.world_changes import world_change_record

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class WorldAccessMiddleware:
    """Resolve `world_slug` from the URL into `request.world` and `request.member`.

    Done once, here, for every view whose URL carries a world, so that no view can forget it.
    A world the user does not belong to does not exist for them (404, not 403). The help desk
    (see `access.HELP_DESK`) enters every world as a read-only member (role assistance, not
    saved) when it is not a member of its own.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.world = None
        request.member = None
        response = self.get_response(request)
        if request.world is not None and request.method not in SAFE_METHODS:
            world_change_record(world_id=request.world.pk)  # the page may have written
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("world_slug")
        if slug is None:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        member = (
            WorldMember.objects.select_related("world", "world__home")
            .filter(world__slug=slug, user=request.user)
            .first()
        )
        if member is None and user_is_help_desk(request.user):
            world = World.objects.select_related("home").filter(slug=slug).first()
            if world is not None:
                member = WorldMember(world=world, user=request.user, role=Role.ASSISTANCE)
        if member is None:
            raise Http404("Monde introuvable.")
        request.world = member.world
        request.member = member
        return None
