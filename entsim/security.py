"""Security plumbing: login rate limiting (django-axes) and the request size cap.

Login attempts are counted by django-axes in the database (so every web process shares the
count), per user name *and* client address: in a training room every trainee comes from the
same address, and one trainee's typos must not lock out the others.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpResponse
from django.utils.html import escape

from .formats.safe import too_large_message

LOCKOUT_MESSAGE = "Trop de tentatives de connexion. Réessayez dans {minutes} minutes."


class LoginRateLimitBackend(AxesStandaloneBackend):
    """Axes' lockout check, for the logins that come with a request (the login pages).

    Logins without a request (`Client.login()` in tests, scripts) are not web traffic: they
    are left to the next backend instead of failing with AxesBackendRequestParameterRequired.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class NonceCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the request's nonce made at once.

    django-csp makes `request.csp_nonce` lazily and a lazy nonce is falsy until read;
    django-dsfr's `{% dsfr_js nonce=request.csp_nonce %}` tests it with `{% if %}` before
    reading it, so the DSFR script tags would never carry it (nor the header list it).
    """

    def process_request(self, request) -> None:
        super().process_request(request)
        str(request.csp_nonce)


def lockout_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_message() -> str:
    return LOCKOUT_MESSAGE.format(minutes=lockout_minutes())


class RequestSizeLimitMiddleware:
    """Refuse (413) a request body larger than the upload cap before anything reads it.

    DATA_UPLOAD_MAX_MEMORY_SIZE leaves file parts out, and a file part is spooled to disk in
    full before a form can check its size: this check on Content-Length comes first. Under
    WSGI a body without Content-Length is never read, so the header cannot be dodged.
    """

    # Room for the multipart envelope and the other fields of an upload form.
    MARGIN = 1024 * 1024

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.ENTSIM_UPLOAD_MAX_BYTES
        if length > limit + self.MARGIN:
            return self._too_large(request, length, limit)
        return self.get_response(request)

    @staticmethod
    def _too_large(request, length: int, limit: int) -> HttpResponse:
        message = too_large_message(length, limit)
        body = (
            '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
            "<title>Fichier trop volumineux — entsim</title></head><body><main>"
            f"<h1>Fichier trop volumineux</h1><p>{escape(message)}</p>"
            "<p>Revenez à la page précédente et déposez un fichier plus petit.</p>"
            "</main></body></html>"
        )
        return HttpResponse(body, status=413)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out login attempt gets (AXES_LOCKOUT_CALLABLE): 429, in French."""
    from django.shortcuts import render

    return render(
        request,
        "entsim/lockout.html",
        {"message": lockout_message(), "page_title": "Connexion bloquée"},
        status=429,
    )
