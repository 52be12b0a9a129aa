"""`egov demo` gives every demo item an application form, published through
the eforms actions by 陈静 and named on the item's version; a reload changes
nothing and keeps a form edited in the designer."""

import pytest

from egov.core.management.commands.demo import load_demo
from egov.eforms import validation
from egov.eforms.models import FormDefinition
from egov.servicehall import apply_demo
from egov.servicehall.demo import ITEMS
from egov.servicehall.models import ServiceItemVersion

pytestmark = pytest.mark.django_db


def test_every_demo_item_gets_a_published_form_with_real_fields():
    created = load_demo()

    assert created["servicehall.forms"] == len(ITEMS)
    assert created["servicehall.forms_linked"] == len(ITEMS)
    for version in ServiceItemVersion.objects.filter(item__code__in=apply_demo.FORMS):
        form = FormDefinition.objects.get(key=version.form_key)
        assert form.published is True
        assert form.version == 1
        assert form.created_by.username == "chenjing"
        validation.check_schema(form.schema)
    food = FormDefinition.objects.get(key="hall-food-licence")
    labels = [f["label"] for f in validation.schema_fields(food.schema)]
    assert labels[:5] == [
        "经营者名称",
        "法定代表人（负责人）",
        "经营场所",
        "主体业态",
        "经营项目",
    ]


def test_reloading_the_demo_keeps_forms_edited_in_the_designer():
    load_demo()
    form = FormDefinition.objects.get(key="hall-senior-allowance")
    form.name = "高龄津贴申领表（修订）"
    form.save(update_fields=["name"])

    again = apply_demo.load()

    assert again == {"forms": 0, "forms_linked": 0}
    assert FormDefinition.objects.filter(key="hall-senior-allowance").count() == 1
    assert FormDefinition.objects.get(key="hall-senior-allowance").name == (
        "高龄津贴申领表（修订）"
    )


def test_demo_forms_refuse_a_wrong_id_number_on_the_server():
    load_demo()
    form = FormDefinition.objects.get(key="hall-birth-certificate")

    with pytest.raises(validation.FormDataInvalid) as caught:
        validation.clean_data(
            form.schema,
            {
                "kind": "o1",
                "baby_name": "张小宝",
                "baby_sex": "o1",
                "birth_date": "2026-11-01",
                "birth_place": "示范县人民医院",
                "mother_name": "李梅",
                "mother_id": "139921199001010000",
            },
        )

    assert list(caught.value.errors) == ["mother_id"]
