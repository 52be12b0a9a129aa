"""The shape every app's permission policy takes (see each app's permissions.py).

A policy answers `can(user, action, obj)`. `require` raises PermissionDenied; the
`audited` decorator around the action records the denied attempt after the
action's transaction has rolled back, so the entry is never lost with it.
"""

from abc import ABC, abstractmethod

from egov.core.errors import PermissionDenied


class Policy(ABC):
    app = ""

    @abstractmethod
    def can(self, user, action: str, obj=None) -> bool:
        """Whether `user` may do `action` (on `obj`, where one is given)."""

    def require(self, user, action: str, obj=None) -> None:
        if not self.can(user, action, obj):
            raise PermissionDenied(target=obj)
