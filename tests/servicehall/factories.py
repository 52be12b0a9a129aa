"""Catalog test data: the identity demo county plus the people who keep the
catalog (王五 drafts for 市场监管局, 孙七 the deputy county head reviews,
徐丽 administers the whole catalog), themes, and helpers that build valid
items and materials."""

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile

from egov.identity import roles as builtin
from egov.identity.models import Role
from egov.servicehall import catalog_actions as actions
from egov.servicehall.demo import blank_form_docx
from egov.servicehall.models import Theme
from egov.servicehall.permissions import (
    ADD_ITEM,
    CHANGE_ITEM,
    EXPORT_ITEMS,
    IMPORT_ITEMS,
    MANAGE_THEMES,
    RETIRE_ITEM,
    REVIEW_ITEM,
    VIEW_ITEM,
)
from tests.identity import factories as idf

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def catalog_role() -> Role:
    """事项库管理员: every catalog permission over the whole county, and the
    themes."""
    from django.contrib.auth.models import Permission

    role, _ = Role.objects.get_or_create(
        code="catalog_admin",
        defaults={"name": "事项库管理员", "data_scope": Role.DataScope.ALL},
    )
    codenames = [
        p.split(".")[1]
        for p in (
            VIEW_ITEM,
            ADD_ITEM,
            CHANGE_ITEM,
            REVIEW_ITEM,
            RETIRE_ITEM,
            IMPORT_ITEMS,
            EXPORT_ITEMS,
            MANAGE_THEMES,
        )
    ]
    role.permissions.set(
        Permission.objects.filter(
            content_type__app_label="servicehall", codename__in=codenames
        )
    )
    return role


def catalog_county() -> SimpleNamespace:
    county = idf.demo_county()
    gov_deputy = idf.post(county.orgs.gov, "deputy", "副县长")
    people = county.people
    people.sunqi = idf.user(
        "sunqi",
        "孙七",
        posts=[gov_deputy],
        roles=[builtin.STAFF, builtin.LEADER],
    )
    people.xuli = idf.user(
        "xuli", "徐丽", posts=[county.posts.center_head], roles=[builtin.STAFF]
    )
    people.xuli.roles.add(catalog_role())
    people.zhaoliu.roles.add(idf.role(builtin.LEADER), idf.role(builtin.APPROVER))
    county.themes = SimpleNamespace(
        birth=Theme.objects.create(
            code="birth", name="出生", kind=Theme.Kind.LIFE_EVENT, icon="balloon-heart"
        ),
        business=Theme.objects.create(
            code="start-business",
            name="开办企业",
            kind=Theme.Kind.LIFE_EVENT,
            for_individuals=True,
            for_entities=True,
        ),
        health=Theme.objects.create(
            code="health",
            name="医疗卫生",
            kind=Theme.Kind.THEME,
            for_individuals=True,
            for_entities=True,
        ),
        retired=Theme.objects.create(
            code="old", name="旧主题", kind=Theme.Kind.THEME, is_active=False
        ),
    )
    return county


def item_fields(**overrides) -> dict:
    fields = {
        "name": "食品经营许可",
        "kind": "licensing",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "conditions": "具有与经营的食品品种、数量相适应的场所。",
        "statutory_limit": 10,
        "statutory_limit_unit": "workdays",
        "promised_limit": 5,
        "promised_limit_unit": "workdays",
        "charges_fee": False,
        "fee_fen": 0,
        "fee_basis": "",
        "hall_address": "示范县政务服务中心3号窗口",
        "office_hours": "工作日 9:00—17:00",
        "max_visits": 1,
        "consultation_phone": "0399-8123104",
        "complaint_phone": "12345",
        "online": True,
        "for_individuals": True,
        "for_entities": True,
        "themes": [],
        "process_key": "",
        "form_key": "",
        "issues_licence": True,
        "licence_type": "食品经营许可证",
        "change_note": "",
    }
    fields.update(overrides)
    return fields


def material(name: str = "食品经营许可申请书", **overrides) -> dict:
    data = {
        "name": name,
        "is_required": True,
        "form": "original",
        "copies": 1,
        "note": "",
        "for_individuals": True,
        "for_entities": True,
    }
    data.update(overrides)
    return data


def docx_upload(name: str = "申请书.docx", title: str = "申请书") -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, blank_form_docx((title, "申请人：")), content_type=DOCX
    )


def draft(
    county,
    *,
    code="000172012000-139921104",
    actor=None,
    organization=None,
    materials=None,
    **fields,
):
    """A draft item of 市场监管局 (or `organization`) written by 王五 (or `actor`)."""
    return actions.create_item(
        actor=actor or county.people.wangwu,
        code=code,
        organization=organization or county.orgs.market,
        fields=item_fields(**fields),
        materials=[material()] if materials is None else materials,
    )


def published(county, **kwargs):
    """A draft (by 王五 unless told) that 孙七 approved: version 1, in force."""
    version = draft(county, **kwargs)
    actions.submit_item(actor=version.created_by, version=version)
    return actions.approve_item(actor=county.people.sunqi, version=version)
