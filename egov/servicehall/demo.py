"""The demo county's item catalog: themes and life events, and ten published
items across the demo departments with their materials, limits, fees, legal
basis and conditions; some materials come with a blank application form.

`load_demo_catalog()` is idempotent: themes are found by code and items by
their code, and an item that exists is left exactly as it is, so edits made
through 事项管理 survive a reload. It runs after the identity loader (`egov
demo` calls `load()` in app order) and skips an item whose department the
identity demo has not created.
"""

import io
import zipfile
from collections import Counter
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from egov.core.files import store_upload
from egov.identity.models import Organization
from egov.servicehall import apply_demo, case_demo, demo_cases
from egov.servicehall.models import (
    RequiredMaterial,
    ServiceItem,
    ServiceItemVersion,
    Theme,
)

_T = Theme.Kind
THEMES = [
    # (code, name, kind, for individuals, for entities, icon)
    ("social-assistance", "社会救助", _T.THEME, True, False, "heart"),
    ("health", "医疗卫生", _T.THEME, True, True, "hospital"),
    ("market-access", "市场准入", _T.THEME, True, True, "shop"),
    ("construction", "工程建设", _T.THEME, False, True, "building"),
    ("real-estate", "不动产", _T.THEME, True, True, "house"),
    ("employment-services", "就业创业", _T.THEME, True, False, "briefcase"),
    ("birth", "出生", _T.LIFE_EVENT, True, False, "balloon-heart"),
    ("employment", "就业", _T.LIFE_EVENT, True, False, "person-workspace"),
    ("housing", "置业", _T.LIFE_EVENT, True, False, "house-door"),
    ("elderly", "养老", _T.LIFE_EVENT, True, False, "people"),
    ("start-business", "开办企业", _T.LIFE_EVENT, True, True, "rocket-takeoff"),
    ("project", "项目建设", _T.LIFE_EVENT, False, True, "cone-striped"),
    ("operation", "经营许可", _T.LIFE_EVENT, False, True, "patch-check"),
]

HALL = "示范县政务服务中心（示范县人民路88号）"
HOURS = "工作日 上午9:00—12:00，下午13:30—17:00（法定节假日除外）"
COMPLAINT = "12345"


@dataclass(frozen=True)
class Material:
    name: str
    form: str = RequiredMaterial.Form.ORIGINAL
    copies: int = 1
    required: bool = True
    note: str = ""
    individuals: bool = True
    entities: bool = True
    # Lines of a blank form to offer for download, when the material is one.
    template: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    code: str
    organization: str
    name: str
    kind: str
    legal_basis: str
    conditions: str
    statutory: tuple[int, str]
    promised: tuple[int, str]
    window: str
    phone: str
    individuals: bool
    entities: bool
    themes: tuple[str, ...]
    materials: tuple[Material, ...]
    max_visits: int = 1
    online: bool = True
    fee_fen: int = 0
    fee_basis: str = ""
    licence_type: str = ""


_K = ServiceItemVersion.Kind
_F = RequiredMaterial.Form
WD, DAYS = "workdays", "days"

_APPLICANT = ("申请人（签字/盖章）：", "联系电话：", "申请日期：    年    月    日")

ITEMS = [
    Item(
        code="000172012000-139921104",
        organization="139921-104",
        name="食品经营许可",
        kind=_K.LICENSING,
        legal_basis=(
            "《中华人民共和国食品安全法》第三十五条：国家对食品生产经营实行许可制度。"
            "从事食品生产、食品销售、餐饮服务，应当依法取得许可。\n"
            "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）"
        ),
        conditions=(
            "1. 具有与经营的食品品种、数量相适应的食品原料处理和食品加工、"
            "销售、贮存等场所；\n"
            "2. 具有与经营的食品品种、数量相适应的经营设备或者设施；\n"
            "3. 有专职或者兼职的食品安全管理人员和保证食品安全的规章制度；\n"
            "4. 具有合理的设备布局和工艺流程。"
        ),
        statutory=(10, WD),
        promised=(5, WD),
        window="3号窗口（市场监管综合窗口）",
        phone="0399-8123104",
        individuals=True,
        entities=True,
        themes=("market-access", "start-business", "operation"),
        licence_type="食品经营许可证",
        materials=(
            Material(
                "食品经营许可申请书",
                template=(
                    "食品经营许可申请书",
                    "经营者名称：",
                    "统一社会信用代码（身份证号码）：",
                    "法定代表人（负责人）：",
                    "经营场所：",
                    "主体业态：□食品销售经营者  □餐饮服务经营者  □单位食堂",
                    "经营项目：",
                    *_APPLICANT,
                ),
            ),
            Material("营业执照", _F.COPY, note="加盖公章；个体工商户由经营者签字"),
            Material(
                "法定代表人（负责人）身份证明",
                _F.COPY,
                note="委托他人办理的，另附授权委托书和受托人身份证",
            ),
            Material("食品安全管理人员任命文件及健康证明", _F.COPY),
            Material("与食品经营相适应的主要设备设施布局、操作流程等文件"),
            Material("食品安全自查、从业人员健康管理、进货查验记录等管理制度"),
        ),
    ),
    Item(
        code="000172001000-139921107",
        organization="139921-107",
        name="个体工商户设立登记",
        kind=_K.CONFIRMATION,
        legal_basis=(
            "《促进个体工商户发展条例》第八条\n"
            "《中华人民共和国市场主体登记管理条例》第三条、第十九条"
        ),
        conditions=(
            "1. 有经营能力的自然人或者家庭；\n"
            "2. 有固定的经营场所；\n"
            "3. 经营范围不属于法律、行政法规禁止的项目。"
        ),
        statutory=(3, WD),
        promised=(0, WD),
        window="1号窗口（商事登记窗口）",
        phone="0399-8123107",
        individuals=True,
        entities=False,
        themes=("market-access", "start-business", "employment-services"),
        max_visits=0,
        licence_type="营业执照",
        materials=(
            Material(
                "个体工商户登记（备案）申请书",
                individuals=True,
                entities=False,
                template=(
                    "个体工商户登记（备案）申请书",
                    "经营者姓名：",
                    "身份证号码：",
                    "个体工商户名称：",
                    "经营场所：",
                    "经营范围：",
                    "组成形式：□个人经营  □家庭经营",
                    *_APPLICANT,
                ),
            ),
            Material("经营者身份证件", _F.COPY, individuals=True, entities=False),
            Material(
                "经营场所使用证明",
                _F.COPY,
                note="房屋产权证明或租赁合同",
                individuals=True,
                entities=False,
            ),
        ),
    ),
    Item(
        code="000144003000-139921105",
        organization="139921-105",
        name="建设工程规划许可",
        kind=_K.LICENSING,
        legal_basis=(
            "《中华人民共和国城乡规划法》第四十条：在城市、镇规划区内进行建筑物、"
            "构筑物、道路、管线和其他工程建设的，建设单位或者个人应当向城市、"
            "县人民政府城乡规划主管部门申请办理建设工程规划许可证。"
        ),
        conditions=(
            "1. 已取得建设用地规划许可证和土地使用权证明；\n"
            "2. 建设工程设计方案符合控制性详细规划和规划条件；\n"
            "3. 申请材料齐全、符合法定形式。"
        ),
        statutory=(20, WD),
        promised=(10, WD),
        window="5号窗口（工程建设项目审批综合窗口）",
        phone="0399-8123105",
        individuals=False,
        entities=True,
        themes=("construction", "project"),
        licence_type="建设工程规划许可证",
        materials=(
            Material(
                "建设工程规划许可申请表",
                individuals=False,
                template=(
                    "建设工程规划许可申请表",
                    "建设单位：",
                    "项目名称：",
                    "建设位置：",
                    "建设规模（平方米）：",
                    "用地规划许可证号：",
                    *_APPLICANT,
                ),
            ),
            Material("建设用地规划许可证或土地使用权证明", _F.COPY, individuals=False),
            Material(
                "建设工程设计方案总平面图",
                copies=2,
                note="须加盖设计单位出图章",
                individuals=False,
            ),
            Material("建设工程施工图设计文件", individuals=False),
        ),
    ),
    Item(
        code="000145001000-139921109",
        organization="139921-109",
        name="城乡居民最低生活保障",
        kind=_K.BENEFIT,
        legal_basis=(
            "《社会救助暂行办法》第九条至第十六条\n"
            "《最低生活保障审核确认办法》（民发〔2021〕57号）"
        ),
        conditions=(
            "共同生活的家庭成员人均收入低于当地最低生活保障标准，"
            "且家庭财产状况符合当地规定的，可以申请最低生活保障。"
        ),
        statutory=(30, WD),
        promised=(20, WD),
        window="8号窗口（社会救助窗口），也可向户籍所在地乡镇人民政府申请",
        phone="0399-8123109",
        individuals=True,
        entities=False,
        themes=("social-assistance",),
        materials=(
            Material(
                "最低生活保障申请书",
                entities=False,
                template=(
                    "最低生活保障申请书",
                    "申请人姓名：",
                    "身份证号码：",
                    "户籍地址：",
                    "共同生活家庭成员及收入情况：",
                    "申请理由：",
                    *_APPLICANT,
                ),
            ),
            Material("申请人及家庭成员身份证、户口簿", _F.COPY, entities=False),
            Material(
                "家庭经济状况核对授权书",
                entities=False,
                note="共同生活的家庭成员均须签字",
            ),
            Material(
                "残疾证、病历等相关证明",
                _F.COPY,
                required=False,
                entities=False,
                note="家庭成员有残疾或重病的提供",
            ),
        ),
    ),
    Item(
        code="000131007000-139921110",
        organization="139921-110",
        name="出生医学证明办理",
        kind=_K.PUBLIC_SERVICE,
        legal_basis=(
            "《中华人民共和国母婴保健法》第二十三条\n"
            "《国家卫生健康委办公厅关于进一步加强出生医学证明管理的通知》"
        ),
        conditions=(
            "在本县助产机构出生的新生儿，由其父母或监护人申请首次签发；"
            "遗失或损毁的，可申请补发、换发。"
        ),
        statutory=(5, WD),
        promised=(1, WD),
        window="助产机构出生医学证明签发窗口；补发在6号窗口（卫生健康窗口）",
        phone="0399-8123110",
        individuals=True,
        entities=False,
        themes=("birth", "health"),
        licence_type="出生医学证明",
        materials=(
            Material(
                "出生医学证明首次签发登记表",
                entities=False,
                template=(
                    "出生医学证明首次签发登记表",
                    "新生儿姓名：",
                    "性别：",
                    "出生时间：",
                    "出生地点：",
                    "母亲姓名及身份证号码：",
                    "父亲姓名及身份证号码：",
                    *_APPLICANT,
                ),
            ),
            Material("父母双方有效身份证件", _F.BOTH, entities=False),
            Material(
                "结婚证",
                _F.COPY,
                required=False,
                entities=False,
                note="父母已婚的提供",
            ),
        ),
    ),
    Item(
        code="000149002000-139921106",
        organization="139921-106",
        name="建筑工程施工许可",
        kind=_K.LICENSING,
        legal_basis=(
            "《中华人民共和国建筑法》第七条、第八条\n"
            "《建筑工程施工许可管理办法》（住房和城乡建设部令第18号）"
        ),
        conditions=(
            "1. 已经办理用地批准手续并取得建设工程规划许可证；\n"
            "2. 施工场地已经基本具备施工条件；\n"
            "3. 已经确定施工企业，有满足施工需要的施工图纸及技术资料；\n"
            "4. 有保证工程质量和安全的具体措施，建设资金已经落实。"
        ),
        statutory=(7, DAYS),
        promised=(3, WD),
        window="5号窗口（工程建设项目审批综合窗口）",
        phone="0399-8123106",
        individuals=False,
        entities=True,
        themes=("construction", "project"),
        licence_type="建筑工程施工许可证",
        materials=(
            Material(
                "建筑工程施工许可证申请表",
                individuals=False,
                template=(
                    "建筑工程施工许可证申请表",
                    "建设单位：",
                    "工程名称：",
                    "建设地址：",
                    "合同价格（万元）：",
                    "施工单位：",
                    "监理单位：",
                    *_APPLICANT,
                ),
            ),
            Material("建设工程规划许可证", _F.COPY, individuals=False),
            Material("施工合同", _F.COPY, individuals=False),
            Material("建设资金落实承诺书", individuals=False),
        ),
    ),
    Item(
        code="000131001000-139921110",
        organization="139921-110",
        name="公共场所卫生许可",
        kind=_K.LICENSING,
        legal_basis=(
            "《公共场所卫生管理条例》第八条\n《公共场所卫生管理条例实施细则》第二十二条"
        ),
        conditions=(
            "1. 场所布局和卫生设施符合公共场所卫生标准和要求；\n"
            "2. 有健全的卫生管理制度和卫生管理人员；\n"
            "3. 从业人员取得有效健康合格证明。"
        ),
        statutory=(20, WD),
        promised=(7, WD),
        window="6号窗口（卫生健康窗口）",
        phone="0399-8123110",
        individuals=True,
        entities=True,
        themes=("health", "operation"),
        licence_type="公共场所卫生许可证",
        materials=(
            Material(
                "公共场所卫生许可申请表",
                template=(
                    "公共场所卫生许可申请表",
                    "单位名称：",
                    "经营场所地址：",
                    "经营项目：□住宿  □沐浴  □美容美发  □游泳  □其他",
                    "营业面积（平方米）：",
                    *_APPLICANT,
                ),
            ),
            Material("营业执照", _F.COPY),
            Material("经营场所平面布局图"),
            Material("卫生管理制度"),
        ),
    ),
    Item(
        code="000132005000-139921111",
        organization="139921-111",
        name="就业失业登记",
        kind=_K.PUBLIC_SERVICE,
        legal_basis=(
            "《中华人民共和国就业促进法》第四十二条\n《就业服务与就业管理规定》第六章"
        ),
        conditions=(
            "在法定劳动年龄内、有劳动能力和就业要求、处于无业状态的城乡劳动者"
            "可办理失业登记；实现就业的可办理就业登记。"
        ),
        statutory=(5, WD),
        promised=(0, WD),
        window="9号窗口（就业社保窗口），也可在乡镇便民服务中心办理",
        phone="0399-8123111",
        individuals=True,
        entities=False,
        themes=("employment", "employment-services"),
        max_visits=0,
        materials=(
            Material("居民身份证", _F.ORIGINAL, entities=False),
            Material(
                "就业创业证",
                required=False,
                entities=False,
                note="已领取的提供",
            ),
        ),
    ),
    Item(
        code="000144010000-139921105",
        organization="139921-105",
        name="不动产首次登记",
        kind=_K.CONFIRMATION,
        legal_basis=(
            "《中华人民共和国民法典》第二百一十条\n"
            "《不动产登记暂行条例》第三条、第十四条"
        ),
        conditions=("依法取得不动产权利、不动产尚未登记的，权利人可以申请首次登记。"),
        statutory=(30, WD),
        promised=(5, WD),
        window="7号窗口（不动产登记窗口）",
        phone="0399-8123115",
        individuals=True,
        entities=True,
        themes=("real-estate", "housing"),
        fee_fen=8000,
        fee_basis=(
            "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》"
            "（发改价格规〔2016〕2559号）：住宅类不动产登记收费标准为每件80元。"
        ),
        licence_type="不动产权证书",
        materials=(
            Material(
                "不动产登记申请书",
                template=(
                    "不动产登记申请书",
                    "权利人：",
                    "证件号码：",
                    "不动产坐落：",
                    "不动产单元号：",
                    "登记原因：",
                    *_APPLICANT,
                ),
            ),
            Material("申请人身份证明", _F.COPY),
            Material("不动产权属来源证明"),
            Material("不动产权籍调查成果"),
        ),
    ),
    Item(
        code="000145009000-139921109",
        organization="139921-109",
        name="高龄津贴申领",
        kind=_K.BENEFIT,
        legal_basis=(
            "《中华人民共和国老年人权益保障法》第三十三条\n"
            "《示范县高龄津贴发放管理办法》"
        ),
        conditions="具有本县户籍、年满80周岁的老年人。",
        statutory=(20, WD),
        promised=(10, WD),
        window="8号窗口（社会救助窗口），也可在乡镇便民服务中心办理",
        phone="0399-8123109",
        individuals=True,
        entities=False,
        themes=("elderly",),
        max_visits=0,
        materials=(
            Material("老年人身份证、户口簿", _F.COPY, entities=False),
            Material("本人银行账户（社会保障卡）", _F.COPY, entities=False),
        ),
    ),
]


def blank_form_docx(lines: tuple[str, ...]) -> bytes:
    """A one-page Word document: the first line as its title, then one
    paragraph per line, for people to print and fill in by hand."""
    title, *rest = lines
    paragraphs = [
        '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/>'
        f'<w:sz w:val="36"/></w:rPr><w:t>{escape(title)}</w:t></w:r></w:p>'
    ]
    paragraphs += [
        '<w:p><w:pPr><w:spacing w:before="240"/></w:pPr><w:r><w:rPr>'
        f'<w:sz w:val="24"/></w:rPr><w:t xml:space="preserve">{escape(line)}'
        "</w:t></w:r></w:p>"
        for line in rest
    ]
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/'
        'wordprocessingml/2006/main"><w:body>'
        + "".join(paragraphs)
        + "</w:body></w:document>"
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
    return buffer.getvalue()


def _load_themes(created: Counter) -> dict[str, Theme]:
    themes = {}
    for order, (code, name, kind, individuals, entities, icon) in enumerate(THEMES):
        theme, made = Theme.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "for_individuals": individuals,
                "for_entities": entities,
                "icon": icon,
                "sort_order": order * 10,
            },
        )
        created["themes"] += int(made)
        themes[code] = theme
    return themes


def _template(material: Material):
    if not material.template:
        return None
    upload = SimpleUploadedFile(
        f"{material.name}.docx",
        blank_form_docx(material.template),
        content_type=(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        ),
    )
    return store_upload(actor=None, upload=upload, allowed={"docx"})


def _load_item(spec: Item, organization, themes) -> None:
    now = timezone.now()
    item = ServiceItem.objects.create(code=spec.code, organization=organization)
    version = ServiceItemVersion.objects.create(
        item=item,
        number=1,
        status=ServiceItemVersion.Status.PUBLISHED,
        name=spec.name,
        kind=spec.kind,
        legal_basis=spec.legal_basis,
        conditions=spec.conditions,
        statutory_limit=spec.statutory[0],
        statutory_limit_unit=spec.statutory[1],
        promised_limit=spec.promised[0],
        promised_limit_unit=spec.promised[1],
        charges_fee=spec.fee_fen > 0,
        fee_fen=spec.fee_fen,
        fee_basis=spec.fee_basis,
        hall_address=f"{HALL}{spec.window}",
        office_hours=HOURS,
        max_visits=spec.max_visits,
        consultation_phone=spec.phone,
        complaint_phone=COMPLAINT,
        online=spec.online,
        for_individuals=spec.individuals,
        for_entities=spec.entities,
        issues_licence=bool(spec.licence_type),
        licence_type=spec.licence_type,
        process_key=case_demo.process_key_for(spec.code),
        effective_from=now,
        submitted_at=now,
        reviewed_at=now,
        change_note="演示数据",
    )
    version.themes.set([themes[code] for code in spec.themes])
    for index, material in enumerate(spec.materials):
        RequiredMaterial.objects.create(
            version=version,
            name=material.name,
            is_required=material.required,
            form=material.form,
            copies=material.copies,
            note=material.note,
            for_individuals=material.individuals and spec.individuals,
            for_entities=material.entities and spec.entities,
            template_file=_template(material),
            sort_order=(index + 1) * 10,
        )


@transaction.atomic
def load_demo_catalog(stdout=None) -> dict[str, int]:
    """Create the demo themes and whichever demo items are missing; returns
    the counts created. `stdout` (a management command's) hears of items
    skipped because their department does not exist."""
    created: Counter = Counter()
    themes = _load_themes(created)
    existing = set(
        ServiceItem.objects.filter(code__in=[s.code for s in ITEMS]).values_list(
            "code", flat=True
        )
    )
    organizations = {
        org.code: org
        for org in Organization.objects.filter(code__in={s.organization for s in ITEMS})
    }
    for spec in ITEMS:
        if spec.code in existing:
            continue
        organization = organizations.get(spec.organization)
        if organization is None:
            if stdout is not None:
                stdout.write(f"跳过事项“{spec.name}”：机构 {spec.organization} 不存在")
            continue
        _load_item(spec, organization, themes)
        created["items"] += 1
    return dict(created)


def load() -> dict[str, int]:
    """The `egov demo` hook (egov.core.management.commands.demo)."""
    created = load_demo_catalog()
    created.update(case_demo.load())
    # The application forms of the demo items (egov.servicehall.apply_demo).
    created.update(apply_demo.load())
    # Three dozen cases in every state (egov.servicehall.demo_cases).
    created.update(demo_cases.load())
    return created
