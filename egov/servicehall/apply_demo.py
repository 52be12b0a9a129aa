"""The application forms (申请表) of the demo items, for `egov demo`.

Each demo item gets an electronic form with the fields its paper form asks
for (食品经营许可: 经营者名称, 经营场所, 主体业态, 经营项目…). The forms are
saved and published through the eforms actions by the demo's process and
form administrator (陈静), as the form designer would, and the demo item's
version then names its form.

Idempotent: a form key that exists is left as it is (edits made in the
designer survive a reload), and only demo versions without a form get one.
Called at the end of the catalog demo's load().
"""

from django.db import transaction

from egov.eforms.actions import publish_form, save_form_draft
from egov.eforms.models import FormDefinition
from egov.identity.models import User
from egov.servicehall.models import ServiceItemVersion

FORM_ADMIN = "chenjing"
DEMO_NOTE = "演示数据"


def _field(kind: str, key: str, label: str, *, required=True, **extra) -> dict:
    component = {"type": kind, "key": key, "label": label, "id": f"Field_{key}"}
    validate = {"required": True} if required else {}
    for name in ("maxLength", "min", "max"):
        if name in extra:
            validate[name] = extra.pop(name)
    if validate:
        component["validate"] = validate
    validator = extra.pop("validator", None)
    if validator:
        component["properties"] = {"egov:validator": validator}
    component.update(extra)
    return component


def text(key, label, *, required=True, maxLength=100, **extra) -> dict:
    return _field(
        "textfield", key, label, required=required, maxLength=maxLength, **extra
    )


def area(key, label, *, required=True, maxLength=500) -> dict:
    return _field("textarea", key, label, required=required, maxLength=maxLength)


def number(key, label, *, required=True, digits=0, **bounds) -> dict:
    return _field(
        "number", key, label, required=required, decimalDigits=digits, **bounds
    )


def date(key, label, *, required=True) -> dict:
    return _field(
        "datetime", key, label, required=required, subtype="date", dateLabel=label
    )


def _options(labels) -> list[dict]:
    return [
        {"label": label, "value": f"o{index}"} for index, label in enumerate(labels, 1)
    ]


def choose(kind, key, label, labels, *, required=True) -> dict:
    return _field(kind, key, label, required=required, values=_options(labels))


# The demo county's townships by region code: the 乡镇审核 of 低保 and 高龄津贴
# goes to the township chosen here (egov.servicehall.case_demo.TOWNS).
TOWNSHIPS = (("139921100", "城关镇"), ("139921101", "东河镇"), ("139921200", "西山乡"))


def township() -> dict:
    """户籍所在乡镇: a list of the county's townships, valued by region code."""
    return _field(
        "select",
        "township",
        "户籍所在乡镇",
        values=[{"label": name, "value": code} for code, name in TOWNSHIPS],
    )


def _schema(key: str, components: list[dict]) -> dict:
    return {
        "type": "default",
        "id": f"Form_{key.replace('-', '_')}",
        "schemaVersion": 18,
        "components": components,
    }


# item code -> (form key, form name, components)
FORMS = {
    "000172012000-139921104": (
        "hall-food-licence",
        "食品经营许可申请表",
        [
            text("operator_name", "经营者名称"),
            text("legal_person", "法定代表人（负责人）", maxLength=50),
            text("premises", "经营场所", maxLength=200),
            choose(
                "select",
                "business_form",
                "主体业态",
                ["食品销售经营者", "餐饮服务经营者", "单位食堂"],
            ),
            choose(
                "checklist",
                "business_items",
                "经营项目",
                [
                    "预包装食品销售",
                    "散装食品销售",
                    "热食类食品制售",
                    "冷食类食品制售",
                    "自制饮品制售",
                ],
            ),
            number("floor_area", "经营场所面积（平方米）", digits=2, min=1, max=100000),
            text("safety_manager", "食品安全管理人员", maxLength=50),
            text(
                "safety_manager_phone",
                "食品安全管理人员手机",
                maxLength=11,
                validator="mobile",
            ),
        ],
    ),
    "000172001000-139921107": (
        "hall-sole-trader",
        "个体工商户登记（备案）申请表",
        [
            text("trader_name", "个体工商户名称"),
            choose("radio", "composition", "组成形式", ["个人经营", "家庭经营"]),
            text("premises", "经营场所", maxLength=200),
            area("scope", "经营范围"),
            number("employees", "从业人数", min=1, max=1000),
            number("capital", "资金数额（万元）", digits=2, min=0, max=100000),
        ],
    ),
    "000144003000-139921105": (
        "hall-planning-permit",
        "建设工程规划许可申请表",
        [
            text("project_name", "项目名称", maxLength=200),
            text("location", "建设位置", maxLength=200),
            choose("select", "nature", "建设性质", ["新建", "改建", "扩建"]),
            number("floor_area", "建设规模（平方米）", digits=2, min=1, max=10000000),
            text("land_permit_no", "建设用地规划许可证号", maxLength=50),
            text("designer", "设计单位", maxLength=200),
        ],
    ),
    "000145001000-139921109": (
        "hall-minimum-living",
        "最低生活保障申请表",
        [
            township(),
            text("household_address", "户籍地址", maxLength=200),
            number("household_size", "共同生活家庭人口", min=1, max=30),
            number(
                "monthly_income", "家庭月总收入（元）", digits=2, min=0, max=1000000
            ),
            area("reason", "申请理由"),
            text("bank", "开户银行", maxLength=100),
        ],
    ),
    "000131007000-139921110": (
        "hall-birth-certificate",
        "出生医学证明办理申请表",
        [
            choose("radio", "kind", "办理类型", ["首次签发", "补发", "换发"]),
            text("baby_name", "新生儿姓名", maxLength=50),
            choose("radio", "baby_sex", "性别", ["男", "女"]),
            date("birth_date", "出生日期"),
            text("birth_place", "出生地点（助产机构）", maxLength=200),
            text("mother_name", "母亲姓名", maxLength=50),
            text("mother_id", "母亲身份证号", maxLength=18, validator="id_number"),
            text("father_name", "父亲姓名", required=False, maxLength=50),
            text(
                "father_id",
                "父亲身份证号",
                required=False,
                maxLength=18,
                validator="id_number",
            ),
        ],
    ),
    "000149002000-139921106": (
        "hall-construction-permit",
        "建筑工程施工许可证申请表",
        [
            text("project_name", "工程名称", maxLength=200),
            text("location", "建设地址", maxLength=200),
            number("contract_price", "合同价格（万元）", digits=2, min=0, max=10000000),
            number("floor_area", "建筑面积（平方米）", digits=2, min=1, max=10000000),
            text("contractor", "施工单位", maxLength=200),
            text(
                "contractor_uscc",
                "施工单位统一社会信用代码",
                maxLength=18,
                validator="uscc",
            ),
            text("supervisor", "监理单位", maxLength=200),
            date("start_date", "计划开工日期"),
        ],
    ),
    "000131001000-139921110": (
        "hall-public-hygiene",
        "公共场所卫生许可申请表",
        [
            text("unit_name", "单位名称", maxLength=200),
            text("premises", "经营场所地址", maxLength=200),
            choose(
                "checklist",
                "business_items",
                "经营项目",
                ["住宿", "沐浴", "美容美发", "游泳", "其他"],
            ),
            number("floor_area", "营业面积（平方米）", digits=2, min=1, max=1000000),
            number("staff_count", "从业人员数", min=1, max=10000),
            text("hygiene_manager", "卫生管理员", maxLength=50),
        ],
    ),
    "000132005000-139921111": (
        "hall-employment-registration",
        "就业失业登记表",
        [
            choose("radio", "kind", "登记类型", ["就业登记", "失业登记"]),
            choose("radio", "residence", "户籍性质", ["城镇", "农村"]),
            choose(
                "select",
                "education",
                "文化程度",
                ["初中及以下", "高中/中专", "大专", "本科", "研究生"],
            ),
            date("since", "就业或失业日期"),
            text("employer", "工作单位", required=False, maxLength=200),
            text("wish", "求职意向", required=False, maxLength=100),
        ],
    ),
    "000144010000-139921105": (
        "hall-real-estate-first",
        "不动产首次登记申请表",
        [
            text("location", "不动产坐落", maxLength=200),
            text("unit_no", "不动产单元号", maxLength=28),
            choose(
                "select",
                "reason",
                "登记原因",
                ["新建建筑物", "土地使用权出让", "土地使用权划拨", "其他"],
            ),
            choose("select", "use", "用途", ["住宅", "商业", "工业", "其他"]),
            number("floor_area", "面积（平方米）", digits=2, min=1, max=1000000),
        ],
    ),
    "000145009000-139921109": (
        "hall-senior-allowance",
        "高龄津贴申领表",
        [
            township(),
            text("household_address", "户籍地址", maxLength=200),
            choose("radio", "living", "居住情况", ["独居", "与子女同住", "其他"]),
            choose("radio", "payment", "发放方式", ["社会保障卡", "银行卡"]),
            text("carer", "联系人（子女或监护人）", required=False, maxLength=50),
            text(
                "carer_phone",
                "联系人手机",
                required=False,
                maxLength=11,
                validator="mobile",
            ),
        ],
    ),
}


def form_key_for(item_code: str) -> str:
    """The demo form of a demo item ("" for none)."""
    entry = FORMS.get(item_code)
    return entry[0] if entry else ""


def _publish(actor, key: str, name: str, components: list[dict]) -> bool:
    if FormDefinition.objects.filter(key=key).exists():
        return False
    save_form_draft(actor=actor, key=key, name=name, schema=_schema(key, components))
    publish_form(actor=actor, key=key)
    return True


@transaction.atomic
def load() -> dict[str, int]:
    """Publish the demo forms that are missing and name them on the demo
    versions that have none; returns the counts."""
    admin = User.objects.filter(username=FORM_ADMIN, is_active=True).first()
    if admin is None:
        return {}
    forms = sum(
        _publish(admin, key, name, components)
        for key, name, components in FORMS.values()
    )
    linked = 0
    for code, (key, _name, _components) in FORMS.items():
        linked += ServiceItemVersion.objects.filter(
            item__code=code,
            status=ServiceItemVersion.Status.PUBLISHED,
            change_note=DEMO_NOTE,
            form_key="",
        ).update(form_key=key)
    return {"forms": forms, "forms_linked": linked}
