"""The application form's data as people read it: fields by their labels in
the form's order, chosen options by their labels, and which fields hold
personal data (identity numbers, phones, e-mail), which the staff case page
masks until the audited full view and licences never print.
"""

from django.utils.translation import gettext as _

from egov.core.validators import mask_id_number, mask_phone

PRIVATE_FIELD_HINTS = (
    "身份证",
    "证件号",
    "电话",
    "手机",
    "邮箱",
    "邮件",
    "phone",
    "mobile",
    "email",
    "id_number",
    "idnumber",
)


def value_text(value, options: dict | None = None) -> str:
    """The printed text of a form value; chosen options by their labels."""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list | tuple):
        return "、".join(
            value_text(v, options) for v in value if v not in (None, "") and v != []
        )
    if isinstance(value, dict):
        return ""
    if value is None:
        return ""
    if options and value in options:
        value = options[value]
    return str(value).replace("\x00", "").strip()


def lookup_path(data: dict, path: str):
    value = data
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def is_private_field(key: str, label: str) -> bool:
    text = f"{key} {label}".lower()
    return any(hint in text for hint in PRIVATE_FIELD_HINTS)


def form_fields(version) -> list[tuple[str, str, dict]]:
    """(path, label, {option value: option label}) of the plain fields of the
    item's published application form, in the form's order; lists of
    sub-forms (dynamic lists) are not printed."""
    from egov.eforms import validation
    from egov.eforms.queries import latest_published

    if not version.form_key:
        return []
    form = latest_published(version.form_key)
    if form is None:
        return []
    try:
        root = validation.compile_schema(form.schema)
    except validation.SchemaInvalid:
        return []
    fields = []

    def visit(node, prefix: str) -> None:
        for name, child in node.children.items():
            if isinstance(child, validation.Leaf):
                options = {
                    o.get("value"): str(o.get("label", o.get("value")))
                    for o in child.component.get("values") or []
                    if isinstance(o, dict)
                }
                fields.append((f"{prefix}{name}", child.label, options))
            elif isinstance(child, validation.Node):
                visit(child, f"{prefix}{name}.")

    visit(root, "")
    return fields


def mask_text(text: str) -> str:
    """A personal value shown without giving it away."""
    digits = text.replace(" ", "")
    if len(digits) == 11 and digits.isdigit():
        return mask_phone(digits)
    if len(digits) == 18:
        return mask_id_number(digits)
    if "@" in text:
        name, _at, domain = text.partition("@")
        return f"{name[:1]}***@{domain}"
    if len(text) <= 2:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 2) + text[-1]


def form_rows(case, *, revealed: bool = False) -> list[tuple[str, str]]:
    """(label, text) of every filled field of the case's application form;
    personal fields masked unless `revealed` (after the audited full view)."""
    form_data = case.form_data or {}
    described = form_fields(case.item_version) or [(key, key, {}) for key in form_data]
    rows = []
    for path, label, options in described:
        text = value_text(lookup_path(form_data, path), options)
        if not text:
            continue
        if is_private_field(path, label) and not revealed:
            text = mask_text(text)
        rows.append((label, text))
    return rows
