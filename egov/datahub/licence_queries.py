"""Reads of the electronic licence library: for the holder, for staff within
their data scope, and the public verification by code."""

from dataclasses import dataclass

import segno
from django.conf import settings
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from egov.datahub import licence_signature
from egov.datahub.models import ELicense
from egov.datahub.permissions import licence_policy


def _with_related(queryset):
    return queryset.select_related("organization", "case")


def licences_for_case(case):
    """The licences issued from `case`, newest first (the caller has already
    decided that its viewer may see the case)."""
    return _with_related(ELicense.objects.filter(case=case))


def licences_of(user):
    """The licences whose case `user` applied for, newest first."""
    if user is None or not user.is_authenticated:
        return ELicense.objects.none()
    return _with_related(ELicense.objects.filter(case__applicant=user))


def get_licence_for_holder(user, code: str) -> ELicense:
    """The holder's own licence by code; Http404 for anyone else's."""
    licence = licences_of(user).filter(code=code).first()
    if licence is None:
        raise Http404
    return licence


def licences_for(viewer, *, licence_type: str = "", state: str = "", organization=None):
    """Licences within the viewer's data scope (datahub.view_elicense)."""
    rows = licence_policy.visible(viewer, _with_related(ELicense.objects.all()))
    if licence_type:
        rows = rows.filter(licence_type=licence_type)
    if state:
        rows = rows.filter(state=state)
    if organization is not None:
        rows = rows.filter(organization=organization)
    return rows


def get_licence_for(viewer, number: str) -> ELicense:
    """One licence by number within the viewer's scope; Http404 otherwise."""
    licence = licences_for(viewer).filter(number=number).first()
    if licence is None:
        raise Http404
    return licence


def filter_choices(viewer) -> dict:
    """The licence types and issuers found within the viewer's scope."""
    rows = licences_for(viewer)
    types = sorted(set(rows.values_list("licence_type", flat=True)))
    issuers = {}
    for pk, name in rows.values_list("organization_id", "organization__name"):
        issuers[pk] = name
    return {"types": types, "issuers": sorted(issuers.items(), key=lambda i: i[1])}


# --- verification ----------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    """What the public verification page may show. `status` is one of
    valid, expired, revoked, tampered."""

    status: str
    licence: ELicense | None

    @property
    def shows_details(self) -> bool:
        return self.status != "tampered"


def verify(code: str) -> Verification:
    """The verification of licence `code`; Http404 when there is none.

    A licence whose stored fields no longer match its digest and signature is
    `tampered` whatever its state; otherwise `revoked`, `expired` or `valid`.
    """
    licence = _with_related(ELicense.objects.filter(code=code)).first()
    if licence is None:
        raise Http404
    if not licence_signature.is_intact(licence):
        return Verification("tampered", licence)
    if licence.is_revoked:
        return Verification("revoked", licence)
    if licence.is_expired:
        return Verification("expired", licence)
    return Verification("valid", licence)


def verify_url(licence: ELicense, request=None) -> str:
    """The absolute URL of the licence's public verification page: under
    settings.EGOV_PUBLIC_URL when set, else on the request's host."""
    try:
        path = reverse("licence_verify:verify", args=[licence.code])
    except NoReverseMatch:
        # An internal-only process does not mount the public face's pages;
        # the public face serves them at this path.
        path = f"/verify/{licence.code}/"
    base = (getattr(settings, "EGOV_PUBLIC_URL", "") or "").rstrip("/")
    if base:
        return base + path
    if request is not None:
        return request.build_absolute_uri(path)
    return path


def qr_payload(licence: ELicense, request=None) -> str:
    """What the licence's QR code encodes: its verification URL."""
    return verify_url(licence, request)


def qr_svg_data_uri(payload: str) -> str:
    """The QR code of `payload` as an SVG data URI, for an <img> tag."""
    return segno.make(payload, error="m").svg_data_uri(scale=4, border=2)
