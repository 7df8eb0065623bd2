"""Security of the shell: login rate limiting, CSP with nonces, cookies, request size caps."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "mot-de-passe-de-test"
LOCKED = "Trop de tentatives de connexion. Réessayez dans 15 minutes."


def _login(client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_wrong_passwords_lock_the_login_for_this_address(
    client, make_world, make_member, settings
):
    world = make_world()
    user = make_member(world, username="karim")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = _login(client, user.username, "faux")
        assert response.status_code == 200
        assert "Saisissez un nom d" in response.content.decode()
    locked = _login(client, user.username, "faux")
    assert locked.status_code == 429
    assert LOCKED in locked.content.decode()
    # even the right password is refused while locked
    again = _login(client, user.username, PASSWORD)
    assert again.status_code == 429 and LOCKED in again.content.decode()
    assert "_auth_user_id" not in client.session
    # a trainee on the same room's address, and the same user elsewhere, may still log in
    other = make_member(world, username="lea")
    assert _login(client.__class__(), other.username, PASSWORD).status_code == 302
    assert _login(client.__class__(), user.username, PASSWORD, "10.0.0.2").status_code == 302


def test_a_success_resets_the_count(client, make_world, make_member, settings):
    user = make_member(make_world(), username="karim")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, user.username, "faux")
    assert _login(client, user.username, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, user.username, "faux").status_code == 200
    assert _login(client, user.username, PASSWORD).status_code == 302


def test_lockout_page_is_french_and_accessible_without_login(client, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _login(client, "inconnu", "faux")
    assert response.status_code == 429
    page = response.content.decode()
    assert "<h1>Connexion bloquée</h1>" in page and LOCKED in page
    assert 'lang="fr"' in page


def test_client_login_without_request_still_works(make_world, make_member, client):
    """Logins outside HTTP (Client.login, scripts) skip the limiter instead of crashing."""
    user = make_member(make_world())
    assert client.login(username=user.username, password=PASSWORD)


def test_pages_carry_a_csp_with_a_nonce_on_every_script(client, make_world, make_member):
    world = make_world()
    client.force_login(make_member(world))
    response = client.get(reverse("world_home", args=[world.slug]))
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    nonce = re.search(r"'nonce-([^']+)'", " ".join(directives["script-src"])).group(1)
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    page = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts, "the page loads the DSFR and htmx scripts"
    for tag in scripts:
        assert 'src="' in tag, f"inline script: {tag}"
    dsfr = [tag for tag in scripts if "dsfr" in tag]
    assert dsfr and all(f'nonce="{nonce}"' in tag for tag in dsfr)
    # a new nonce for every response
    again = client.get(reverse("world_home", args=[world.slug]))["Content-Security-Policy"]
    assert f"'nonce-{nonce}'" not in again


def test_login_page_has_the_csp_too(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "form-action 'self'" in policy


def test_cookies_and_csrf_settings(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax" and settings.CSRF_COOKIE_SAMESITE == "Lax"
    assert settings.SESSION_COOKIE_AGE <= 24 * 3600
    assert settings.SESSION_COOKIE_SECURE == settings.HTTPS
    assert settings.CSRF_COOKIE_SECURE == settings.HTTPS
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_upload_caps_are_consistent(settings):
    from entsim.formats.safe import MAX_XML_BYTES

    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= settings.ENTSIM_UPLOAD_MAX_BYTES
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= settings.ENTSIM_UPLOAD_MAX_BYTES
    assert settings.ENTSIM_UPLOAD_MAX_BYTES <= MAX_XML_BYTES
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS and settings.DATA_UPLOAD_MAX_NUMBER_FILES


def test_a_body_beyond_the_upload_cap_is_refused_before_it_is_read(
    client, make_world, make_member, settings
):
    world = make_world()
    client.force_login(make_member(world))
    too_big = settings.ENTSIM_UPLOAD_MAX_BYTES + 2 * 1024 * 1024
    response = client.post(
        reverse("world_clock", args=[world.slug]),
        {"action": "nuit"},
        CONTENT_LENGTH=str(too_big),
    )
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.content.decode()
    world.refresh_from_db()
    # an ordinary post still goes through
    ok = client.post(reverse("world_clock", args=[world.slug]), {"action": "nuit"})
    assert ok.status_code == 302


def test_the_size_cap_holds_on_a_real_server(live_server, settings):
    """Through a real WSGI server: 413 with the French page (WSGI-clean headers)."""
    import http.client
    from urllib.parse import urlsplit

    address = urlsplit(live_server.url)
    body = b"x" * (settings.ENTSIM_UPLOAD_MAX_BYTES + 2 * 1024 * 1024)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        connection.request(
            "POST",
            reverse("login"),
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        assert response.status == 413
        assert "Fichier trop volumineux" in response.read().decode()
    finally:
        connection.close()
