"""Links into one face from code running on the other.

An action done on the internal face (a clerk accepting a case) writes a
message whose link opens on the public face (the applicant's 我的办件), and
the other way round. A process mounts only the faces it serves, so a plain
`reverse` may not know the other face's names: `face_reverse` resolves
against the URL tree of the face asked for, whatever this process mounts.
"""

from functools import cache

from django.conf import settings
from django.urls import NoReverseMatch, reverse


class _FaceURLs:
    """A urlconf object (reverse() caches its resolvers by it, so one per face)."""

    def __init__(self, face: str):
        from config.faces import build_urlpatterns

        self.urlpatterns = build_urlpatterns([face])


@cache
def _urlconf(face: str) -> _FaceURLs:
    return _FaceURLs(face)


def face_reverse(face: str, name: str, args=(), kwargs=None) -> str:
    """The path of URL `name` on `face` ("public" or "internal"), or "" when
    that face has no such URL."""
    try:
        if face in settings.EGOV_FACES:
            return reverse(name, args=args, kwargs=kwargs)
    except NoReverseMatch:
        pass
    try:
        return reverse(name, args=args, kwargs=kwargs, urlconf=_urlconf(face))
    except NoReverseMatch:
        return ""


def public_link(path: str) -> str:
    """An absolute link for `path` on the public face (for e-mail), or ""
    when EGOV_PUBLIC_URL is not set or there is no path."""
    base = getattr(settings, "EGOV_PUBLIC_URL", "")
    return f"{base}{path}" if base and path else ""
