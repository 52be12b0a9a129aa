"""The instrument templates the platform knows: code → name, kind, the context
variables a program passes (with Chinese labels), and a sample context that
lets 文书模板 preview any upload.

Programs render by code (egov.docgen.render.render_docx); an administrator
replaces a template's DOCX in 系统管理 → 文书模板 but cannot invent codes, since
no program would ever ask for them. An app that needs a template of its own
calls `register_template` from its AppConfig.ready() and ships the DOCX.

Variables: every value may be text, a number, a date or a datetime (dates are
written 2026年11月26日, datetimes 2026年11月26日 15:30, in Asia/Shanghai); a
variable marked `items` is a list of dicts with the keys listed in `keys`.
Multi-line text keeps its line breaks.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext_lazy as _

DEFAULT_TEMPLATE_DIR = Path(__file__).resolve().parent / "default_templates"


@dataclass(frozen=True)
class Variable:
    name: str
    label: str
    # For a list variable: its items' keys and their labels.
    keys: tuple[tuple[str, str], ...] = ()

    @property
    def is_list(self) -> bool:
        return bool(self.keys)


@dataclass(frozen=True)
class TemplateSpec:
    code: str
    name: str
    kind: str
    description: str
    variables: tuple[Variable, ...]
    sample: dict = field(default_factory=dict)
    # The DOCX shipped with the platform, relative to DEFAULT_TEMPLATE_DIR.
    default_file: str = ""

    def __post_init__(self):
        # The sample holds exactly the declared variables: preview shows what
        # a program will pass, nothing more.
        names = self.variable_names
        missing = names - set(self.sample)
        if missing:
            raise ValueError(f"{self.code}: no sample value for {sorted(missing)}")
        sample = {k: v for k, v in self.sample.items() if k in names}
        object.__setattr__(self, "sample", sample)

    @property
    def variable_names(self) -> set[str]:
        return {v.name for v in self.variables}

    @property
    def default_path(self) -> Path | None:
        return DEFAULT_TEMPLATE_DIR / self.default_file if self.default_file else None


_REGISTRY: dict[str, TemplateSpec] = {}


def register_template(spec: TemplateSpec) -> None:
    """Make `spec` known; registering the same code twice is a programming
    error unless it is the very same spec (a reloaded module)."""
    known = _REGISTRY.get(spec.code)
    if known is not None and known != spec:
        raise ValueError(f"document template {spec.code!r} registered twice")
    _REGISTRY[spec.code] = spec


def get_spec(code: str) -> TemplateSpec | None:
    return _REGISTRY.get(code)


def all_specs() -> list[TemplateSpec]:
    return sorted(_REGISTRY.values(), key=lambda spec: spec.code)


# --- the service hall's instruments ------------------------------------------------

V = Variable
ORGANIZATION = V("organization_name", _("发文机关"))
APPLICANT = V("applicant_name", _("申请人"))
CASE_NUMBER = V("case_number", _("办件编号"))
ITEM = V("item_name", _("事项名称"))
DOCUMENT_NUMBER = V("document_number", _("文书编号"))
DATE = V("date", _("落款日期"))
LOOKUP_URL = V("lookup_url", _("进度查询网址"))
RECEIVED_AT = V("received_at", _("申请日期"))
ACCEPTED_AT = V("accepted_at", _("受理日期"))
DEADLINE = V("deadline", _("办理期限"))
REASONS = V("reasons", _("理由"))
LEGAL_BASIS = V("legal_basis", _("法律依据"))
RECONSIDERATION = V("reconsideration_organ", _("行政复议机关"))
COURT = V("court_name", _("人民法院"))
COMMON = (ORGANIZATION, DOCUMENT_NUMBER, APPLICANT, CASE_NUMBER, ITEM)
SIGNING = (LOOKUP_URL, DATE)

_SAMPLE = {
    "organization_name": "示范县市场监督管理局",
    "document_number": "示市监许受〔2026〕第0001号",
    "applicant_name": "张三",
    "case_number": "139921-20261126-000001",
    "item_name": "食品经营许可",
    "received_at": "2026年11月26日",
    "accepted_at": "2026年11月26日",
    "lookup_url": "https://zwfw.example.gov.cn/hall/lookup/",
    "date": "2026年11月26日",
    "reconsideration_organ": "示范县人民政府",
    "court_name": "示范县人民法院",
}


def _sample(**extra) -> dict:
    return {**_SAMPLE, **extra}


SERVICEHALL_TEMPLATES = [
    TemplateSpec(
        "servicehall.acceptance_notice",
        _("受理通知书"),
        "notice",
        _("申请材料齐全、符合法定形式，决定受理时出具，列明收到的材料和办结期限。"),
        (
            *COMMON,
            RECEIVED_AT,
            ACCEPTED_AT,
            DEADLINE,
            V(
                "materials",
                _("已收材料"),
                (("name", _("材料名称")), ("note", _("说明"))),
            ),
            *SIGNING,
        ),
        _sample(
            deadline="2026年12月10日",
            materials=[
                {"name": "食品经营许可申请书", "note": "原件1份"},
                {"name": "营业执照", "note": "复印件1份"},
                {"name": "法定代表人身份证明", "note": "复印件1份"},
            ],
        ),
        "servicehall.acceptance_notice.docx",
    ),
    TemplateSpec(
        "servicehall.refusal_notice",
        _("不予受理通知书"),
        "notice",
        _(
            "申请事项不属于本机关职权范围或依法不需要取得许可时出具，说明理由和救济途径。"
        ),
        (*COMMON, RECEIVED_AT, REASONS, LEGAL_BASIS, RECONSIDERATION, COURT, *SIGNING),
        _sample(
            reasons="申请事项依法不属于本机关职权范围，请向示范市市场监督管理局申请。",
            legal_basis="《中华人民共和国行政许可法》第三十二条第一款第（二）项",
        ),
        "servicehall.refusal_notice.docx",
    ),
    TemplateSpec(
        "servicehall.correction_notice",
        _("补正材料通知书"),
        "notice",
        _("申请材料不齐全或不符合法定形式时，一次性告知需要补正的全部内容。"),
        (
            *COMMON,
            RECEIVED_AT,
            V(
                "materials",
                _("需补正的材料"),
                (("name", _("材料名称")), ("note", _("补正要求"))),
            ),
            V("deadline", _("补正期限")),
            *SIGNING,
        ),
        _sample(
            deadline="2026年12月25日",
            materials=[
                {"name": "营业执照", "note": "复印件不清晰，请重新提交"},
                {"name": "食品安全管理制度", "note": "缺少，请补充"},
            ],
        ),
        "servicehall.correction_notice.docx",
    ),
    TemplateSpec(
        "servicehall.approval_decision",
        _("准予行政许可决定书"),
        "decision",
        _("经审查准予行政许可时出具，写明许可依据和证件编号、有效期。"),
        (
            *COMMON,
            ACCEPTED_AT,
            LEGAL_BASIS,
            V("licence_number", _("许可证件编号")),
            V("valid_until", _("有效期至")),
            *SIGNING,
        ),
        _sample(
            document_number="示市监许准〔2026〕第0001号",
            legal_basis="《中华人民共和国食品安全法》第三十五条",
            licence_number="JY13999210000001",
            valid_until="2031年11月25日",
        ),
        "servicehall.approval_decision.docx",
    ),
    TemplateSpec(
        "servicehall.denial_decision",
        _("不予行政许可决定书"),
        "decision",
        _("经审查不予行政许可时出具，说明理由、依据和救济途径。"),
        (*COMMON, ACCEPTED_AT, REASONS, LEGAL_BASIS, RECONSIDERATION, COURT, *SIGNING),
        _sample(
            document_number="示市监许不〔2026〕第0001号",
            reasons="经现场核查，经营场所与污染源的距离不符合要求。",
            legal_basis="《中华人民共和国食品安全法》第三十三条",
        ),
        "servicehall.denial_decision.docx",
    ),
    TemplateSpec(
        "servicehall.extension_notice",
        _("延期通知书"),
        "notice",
        _("经本机关负责人批准延长办理期限时出具，告知延期理由和新的期限。"),
        (
            *COMMON,
            ACCEPTED_AT,
            V("original_deadline", _("原定期限")),
            V("deadline", _("延长后的期限")),
            REASONS,
            LEGAL_BASIS,
            *SIGNING,
        ),
        _sample(
            document_number="示市监许延〔2026〕第0001号",
            original_deadline="2026年12月10日",
            deadline="2026年12月24日",
            reasons="需要组织现场核查",
            legal_basis="《中华人民共和国行政许可法》第四十二条第一款",
        ),
        "servicehall.extension_notice.docx",
    ),
]

for _spec in SERVICEHALL_TEMPLATES:
    register_template(_spec)
