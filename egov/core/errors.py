"""Errors a user can cause, with a stable code and a message in Chinese."""


class ActionError(Exception):
    """A business rule refused the action. Views show `message`; APIs answer 400.

    `code` is stable and machine-readable; `fields` maps form fields to messages
    when the error belongs to particular inputs.
    """

    status = 400

    def __init__(self, message, *, code: str, fields: dict | None = None, target=None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.fields = fields or {}
        self.target = target


class PermissionDenied(ActionError):
    """The actor may not do this. Audited by the caller's policy."""

    status = 403

    def __init__(self, message=None, *, code: str = "permission_denied", target=None):
        from django.utils.translation import gettext as _

        super().__init__(
            message or _("您没有执行此操作的权限"), code=code, target=target
        )
