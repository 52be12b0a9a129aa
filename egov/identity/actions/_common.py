"""Small helpers shared by the identity actions (validation with clear messages)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from egov.core.errors import ActionError


def required_text(value, field: str, message) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionError(message, code=f"{field}_required", fields={field: message})
    return value


def max_length(value: str, field: str, limit: int, label) -> str:
    if len(value) > limit:
        message = _("%(label)s不能超过%(n)d个字符") % {"label": label, "n": limit}
        raise ActionError(message, code=f"{field}_too_long", fields={field: message})
    return value


def run_validator(validator, value: str, field: str) -> None:
    """Turn a Django ValidationError from one of egov.core.validators into an
    ActionError carrying the same message, tied to `field`."""
    try:
        validator(value)
    except ValidationError as exc:
        message = exc.messages[0]
        raise ActionError(
            message, code=exc.code or f"{field}_invalid", fields={field: message}
        ) from None


def choice(value, choices, field: str, message) -> str:
    if value not in {c for c, _label in choices}:
        raise ActionError(message, code=f"{field}_invalid", fields={field: message})
    return value


def changes(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields whose value changed, for the audit log."""
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if before.get(key) != value
    }


class ImportRejected(ActionError):
    """An import file had bad rows; nothing was written.

    `errors` lists (row number, message) pairs, row numbers as the person sees
    them in the file (the header is row 1).
    """

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(
            _("导入文件中有%(n)d处错误，未导入任何数据，请修改后重新导入")
            % {"n": len(errors)},
            code="import_rejected",
        )
        self.errors = errors


def tree_depths(
    parsed: dict, existing_paths: dict, errors: list, *, cycle, into_own_subtree
) -> dict:
    """Depth of each imported row in the tree of file rows plus database rows.

    `parsed` maps a key (a code) to {"row": n, "parent": parent key or ""};
    `existing_paths` maps keys already in the database to their materialized
    path. Rows whose parents form a loop, or that would move an existing node
    under its own descendant, are reported in `errors` with the given messages.
    Writing rows in increasing depth creates every parent before its children.
    """
    depth: dict = {}
    for start in parsed:
        chain, key, looped = [], start, False
        while key in parsed and key not in depth:
            if key in chain:
                looped = True
                break
            chain.append(key)
            key = parsed[key]["parent"]
        if looped:
            errors.append((parsed[start]["row"], str(cycle)))
            for item in chain:
                depth.setdefault(item, 0)
            continue
        if key in depth:
            base = depth[key]
        elif key in existing_paths:
            base = existing_paths[key].count("/") - 1
        else:
            base = 0
        for offset, item in enumerate(reversed(chain), start=1):
            depth[item] = base + offset
    for key, item in parsed.items():
        own, parent = existing_paths.get(key), existing_paths.get(item["parent"])
        if (
            own is not None
            and parent is not None
            and item["parent"] not in parsed
            and parent.startswith(own)
        ):
            errors.append((item["row"], str(into_own_subtree)))
    return depth
