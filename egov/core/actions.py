"""The `audited` decorator that every write action of every app wears.

It runs the action in one transaction. The action writes its own success entry
with `egov.audit.actions.record` inside that transaction; when the action raises
ActionError, the transaction rolls back and the decorator then records the
failed or denied attempt, so that the attempt is logged and nothing else stays.
"""

from functools import wraps

from django.db import transaction

from egov.core.errors import ActionError, PermissionDenied


def audited(code: str, *, target_kwarg: str | None = None):
    """Wrap an action: one transaction, and an audit entry for refused attempts.

    `code` is the action code written to the log (e.g. "identity.create_user");
    `target_kwarg` names the keyword argument that holds the object acted upon.
    """

    def decorate(fn):
        @wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                with transaction.atomic():
                    return fn(*args, **kwargs)
            except ActionError as exc:
                from egov.audit.actions import record

                actor = kwargs.get("actor")
                target = exc.target
                if target is None and target_kwarg:
                    target = kwargs.get(target_kwarg)
                if target is not None and getattr(target, "pk", 1) is None:
                    target = None
                record(
                    actor=actor,
                    action=code,
                    target=target,
                    outcome="denied" if isinstance(exc, PermissionDenied) else "failed",
                    detail={"code": exc.code, "message": str(exc.message)},
                )
                raise

        return wrapper

    return decorate
