"""Sign-in by account name, mobile number, ID number or USCC, plus password."""

from django.contrib.auth.backends import ModelBackend

from egov.core.crypto import blind_index
from egov.identity.models import User


def find_user(identifier: str) -> User | None:
    """The user an identifier names: account, mobile, ID number or USCC."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    user = User.objects.filter(username=identifier).first()
    if user is None:
        index = blind_index(identifier)
        user = (
            User.objects.filter(phone_index=index).first()
            or User.objects.filter(id_number_index=index).first()
        )
    if user is None and len(identifier) == 18:
        user = User.objects.filter(uscc=identifier.upper(), kind=User.Kind.ENTITY).first()
    return user


class IdentifierBackend(ModelBackend):
    def authenticate(self, request, identifier=None, password=None, username=None, **kw):
        identifier = identifier or username
        if not identifier or password is None:
            return None
        user = find_user(identifier)
        if user is None:
            User().set_password(password)  # same time as a real check
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
