"""Licence types: how long each is valid and how its numbers begin.

The defaults follow the rules that set each licence's term (食品经营许可证 and
食品生产许可证 5 years, 公共场所卫生许可证 4 years; 营业执照 and 出生医学证明
without end). A site overrides or adds
types with settings.EGOV_LICENCE_TYPES (env `EGOV_LICENCE_TYPES`, entries
`name=years[:prefix]` separated by `;`; years 0 means without end). A type
nobody declared is valid without end and its numbers begin with "DZ".
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_PREFIX = "DZ"


@dataclass(frozen=True)
class LicenceType:
    name: str
    # Whole years of validity; None means 长期有效.
    years: int | None
    prefix: str = DEFAULT_PREFIX


DEFAULT_TYPES = {
    spec.name: spec
    for spec in (
        LicenceType("食品经营许可证", 5, "JY"),
        LicenceType("食品生产许可证", 5, "SC"),
        LicenceType("药品经营许可证", 5, "YJ"),
        LicenceType("公共场所卫生许可证", 4, "WS"),
        LicenceType("排污许可证", 5, "PW"),
        LicenceType("营业执照", None, "YZ"),
        LicenceType("建设工程规划许可证", None, "JG"),
        LicenceType("建筑工程施工许可证", None, "SG"),
        LicenceType("出生医学证明", None, "CS"),
        LicenceType("不动产权证书", None, "BDC"),
    )
}


def parse_types(text: str) -> dict[str, LicenceType]:
    """`食品经营许可证=5:JY;某某证=0` → types; ImproperlyConfigured names the
    entry that cannot be read."""
    types = {}
    for entry in (text or "").split(";"):
        entry = entry.strip()
        if not entry:
            continue
        name, sep, rest = entry.partition("=")
        years_text, _colon, prefix = rest.partition(":")
        prefix = prefix.strip().upper() or DEFAULT_PREFIX
        try:
            years = int(years_text)
        except ValueError:
            years = -1
        if not sep or not name.strip() or years < 0 or not prefix.isalnum():
            raise ImproperlyConfigured(
                f"EGOV_LICENCE_TYPES entry {entry!r} is not name=years[:prefix] "
                "with whole years (0 for no end) and a letters-and-digits prefix"
            )
        types[name.strip()] = LicenceType(name.strip(), years or None, prefix)
    return types


def licence_type(name: str) -> LicenceType:
    """The rules of licence type `name` under the current settings."""
    configured = parse_types(getattr(settings, "EGOV_LICENCE_TYPES", ""))
    if name in configured:
        return configured[name]
    return DEFAULT_TYPES.get(name) or LicenceType(name, None, DEFAULT_PREFIX)
