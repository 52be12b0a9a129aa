"""Signing a person in for a browser test without typing their password:
the test client opens a session and its cookie goes into the browser."""

from django.conf import settings
from django.test import Client


def sign_in(page, live_server, user):
    """Make `user` the signed-in person of the page's browser (whoever was
    signed in before is signed out: their cookies are cleared)."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
