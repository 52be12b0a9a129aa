import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from egov.audit.models import AuditEntry
from egov.identity.models import Organization, Region, User
from tests.identity.factories import demo_county, id_number, no_staff_2fa, uscc

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

__all__ = ["no_staff_2fa"]

SAMPLE = (
    Path(__file__).resolve().parents[2] / "egov/identity/fixtures/regions_sample.csv"
)

USER_HEADER = [
    "账号*",
    "姓名/名称*",
    "用户类型*",
    "身份证号",
    "手机号",
    "统一社会信用代码",
    "电子邮箱",
    "机构代码",
    "岗位代码",
]
ORG_HEADER = [
    "机构代码*",
    "机构名称*",
    "简称",
    "机构类型*",
    "区划代码*",
    "上级机构代码",
    "统一社会信用代码",
    "排序",
]


def xlsx(header, rows, name="import.xlsx"):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def read(response):
    book = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]


def write_csv(tmp_path, text):
    path = tmp_path / "regions.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- import_regions command -----------------------------------------------------


def test_import_regions_builds_the_sample_tree_and_is_idempotent(capsys):
    call_command("import_regions", str(SAMPLE))
    call_command("import_regions", str(SAMPLE))

    out = capsys.readouterr().out
    assert "导入完成：新增9个，更新0个，未变0个" in out
    assert "导入完成：新增0个，更新0个，未变9个" in out
    assert Region.objects.get(code="139921102").path == "/139900/139921/139921102/"
    assert Region.objects.get(code="139921").level == Region.Level.COUNTY


def test_import_regions_accepts_children_before_parents_and_chinese_levels(tmp_path):
    path = write_csv(
        tmp_path,
        "code,name,level,parent_code\n"
        "139921100,城关镇,乡镇级,139921\n"
        "139921,示范县,县级,139900\n"
        "139900,示范市,市级,\n",
    )

    call_command("import_regions", path)

    assert Region.objects.get(code="139921100").path == "/139900/139921/139921100/"


def test_import_regions_reports_every_bad_row_and_writes_nothing(tmp_path, capsys):
    path = write_csv(
        tmp_path,
        "code,name,level,parent_code\n"
        "139900,示范市,city,\n"
        "13992X,坏代码,county,139900\n"
        "139921,,county,139900\n"
        "139922,邻县,district,139900\n"
        "139923,远县,county,999999\n"
        "139900,重复,city,\n",
    )

    with pytest.raises(CommandError, match="未导入任何数据"):
        call_command("import_regions", path)

    err = capsys.readouterr().err
    assert "第3行：区划代码“13992X”应为6位、9位或12位数字" in err
    assert "第4行：缺少区划名称" in err
    assert "第5行：级别“district”无效" in err
    assert "第6行：上级区划代码 999999 不存在" in err
    assert "第7行：区划代码 139900 在文件中重复出现" in err
    assert Region.objects.count() == 0


def test_import_regions_refuses_a_loop_of_parents(tmp_path, capsys):
    path = write_csv(
        tmp_path,
        "code,name,level,parent_code\n139921,甲县,county,139922\n139922,乙县,county,139921\n",
    )

    with pytest.raises(CommandError):
        call_command("import_regions", path)

    assert "上级区划关系出现循环" in capsys.readouterr().err
    assert Region.objects.count() == 0


def test_import_regions_moves_an_existing_region_and_its_townships(tmp_path):
    call_command("import_regions", str(SAMPLE))
    path = write_csv(
        tmp_path,
        "code,name,level,parent_code\n139930,新市,city,\n139921,示范县,county,139930\n",
    )

    call_command("import_regions", path)

    assert Region.objects.get(code="139921100").path == "/139930/139921/139921100/"


def test_import_regions_names_missing_columns(tmp_path):
    path = write_csv(tmp_path, "code,name\n139900,示范市\n")

    with pytest.raises(CommandError, match="文件缺少列：level, parent_code"):
        call_command("import_regions", path)


# --- users ------------------------------------------------------------------------


def post_users(client, person, upload):
    client.force_login(person)
    return client.post(reverse("sysadmin:user_import"), {"file": upload})


def test_user_import_creates_every_row_with_its_primary_post(client):
    county = demo_county()
    upload = xlsx(
        USER_HEADER,
        [
            [
                "xiaowang",
                "小王",
                "工作人员",
                "",
                "13999218001",
                "",
                "",
                "139921-104-01",
                "clerk",
            ],
            [
                "citizen1",
                "市民甲",
                "自然人",
                id_number("19700101", seq=41),
                "",
                "",
                "",
                "",
                "",
            ],
            [
                "acme",
                "示范科技有限公司",
                "法人",
                "",
                "",
                uscc("91139921MA0000042"),
                "",
                "",
                "",
            ],
        ],
    )

    response = post_users(client, county.people.wujiu, upload)

    assert response.status_code == 302
    assert User.objects.get(username="xiaowang").primary_organization == (
        county.orgs.registry
    )
    assert User.objects.get(username="citizen1").kind == User.Kind.CITIZEN
    assert User.objects.get(username="acme").uscc.startswith("91139921MA0000042")
    assert AuditEntry.objects.get(action="identity.import_users").detail == {
        "created": 3
    }


def test_user_import_lists_each_bad_row_and_writes_nothing(client):
    county = demo_county()
    good_id = id_number("19700101", seq=43)
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    upload = xlsx(
        USER_HEADER,
        [
            [
                "okrow",
                "好行",
                "自然人",
                id_number("19700101", seq=44),
                "",
                "",
                "",
                "",
                "",
            ],
            ["badid", "坏证号", "自然人", bad_id, "", "", "", "", ""],
            ["lisi", "重名", "工作人员", "", "", "", "", "", ""],
            ["dup", "重复甲", "工作人员", "", "13999218002", "", "", "", ""],
            ["dup2", "重复乙", "工作人员", "", "13999218002", "", "", "", ""],
            ["nokind", "无类型", "学生", "", "", "", "", "", ""],
            ["nopost", "无岗", "工作人员", "", "", "", "", "139921-104", "nosuch"],
        ],
    )

    response = post_users(client, county.people.wujiu, upload)

    body = response.content.decode()
    assert response.status_code == 400
    assert "导入文件中有5处错误，未导入任何数据，请修改后重新导入" in body
    expected = [
        (3, "身份证号校验位不正确，请核对后重新输入"),
        (4, "账号 lisi 已被使用"),
        (6, "手机号与第5行重复"),
        (7, "用户类型应为：工作人员、自然人或法人"),
        (8, "机构 139921-104 下没有岗位 nosuch，或不在您的管理范围内"),
    ]
    for row, message in expected:
        assert f"第 {row} 行" in body and message in body
    assert not User.objects.filter(username__in=["okrow", "badid", "dup"]).exists()


def test_org_admin_may_import_users_only_into_their_subtree(client):
    county = demo_county()
    upload = xlsx(
        USER_HEADER,
        [
            ["inside", "内部", "工作人员", "", "", "", "", "139921-104-01", "clerk"],
            ["outside", "外部", "工作人员", "", "", "", "", "139921-120", "window"],
            ["floating", "无岗位", "工作人员", "", "", "", "", "", ""],
        ],
    )

    response = post_users(client, county.people.zhaoliu, upload)

    body = response.content.decode()
    assert "机构 139921-120 下没有岗位 window，或不在您的管理范围内" in body
    assert "请填写本机构范围内的机构代码和岗位代码" in body
    assert not User.objects.filter(username="inside").exists()


def test_user_import_explains_a_file_that_is_not_a_workbook(client):
    county = demo_county()
    upload = SimpleUploadedFile("users.xlsx", "账号,姓名\n".encode())

    response = post_users(client, county.people.wujiu, upload)

    assert "无法读取文件，请上传按模板填写的 Excel（.xlsx）文件" in (
        response.content.decode()
    )


def test_user_import_names_missing_required_columns(client):
    county = demo_county()
    upload = xlsx(["账号", "姓名/名称"], [["a", "b"]])

    response = post_users(client, county.people.wujiu, upload)

    assert "文件缺少必填列：用户类型。请使用下载的模板" in response.content.decode()


def test_user_template_has_the_header_and_instructions(client):
    county = demo_county()
    client.force_login(county.people.wujiu)

    response = client.get(reverse("sysadmin:user_import_template"))

    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == USER_HEADER
    assert book.sheetnames[1] == "填写说明"


def test_user_export_holds_only_visible_users_with_masked_personal_data(client):
    county = demo_county()
    client.force_login(county.people.zhaoliu)

    response = client.get(reverse("sysadmin:user_export"))

    rows = read(response)
    usernames = sorted(row[0] for row in rows[1:])
    assert usernames == ["luodan", "wangwu", "zhaoliu"]
    wangwu = next(row for row in rows if row[0] == "wangwu")
    assert wangwu[3] == county.people.wangwu.id_number_masked
    assert wangwu[4] == "139****0007"
    assert AuditEntry.objects.get(action="identity.export_users").detail == {"rows": 3}


def test_exported_cells_never_become_formulas(client):
    county = demo_county()
    county.people.wangwu.real_name = '=HYPERLINK("http://evil.example","x")'
    county.people.wangwu.save()
    client.force_login(county.people.wujiu)

    response = client.get(reverse("sysadmin:user_export"))

    book = load_workbook(io.BytesIO(response.content))
    cell = next(r[1] for r in book.worksheets[0].iter_rows() if r[0].value == "wangwu")
    assert cell.data_type == "s"
    assert cell.value.startswith("=HYPERLINK")


def test_export_without_the_permission_is_forbidden(client):
    county = demo_county()
    client.force_login(county.people.lisi)

    response = client.get(reverse("sysadmin:user_export"))

    assert response.status_code == 403


# --- organizations ------------------------------------------------------------------


def post_orgs(client, person, upload):
    client.force_login(person)
    return client.post(reverse("sysadmin:org_import"), {"file": upload})


def test_organization_import_creates_and_updates_by_code(client):
    county = demo_county()
    upload = xlsx(
        ORG_HEADER,
        [
            [
                "139921-104-03",
                "网络交易监管科",
                "",
                "部门",
                "139921",
                "139921-104",
                "",
                3,
            ],
            [
                "139921-104-02",
                "食品安全科",
                "食安科",
                "部门",
                "139921",
                "139921-104",
                "",
                2,
            ],
            [
                "139921-104-02-1",
                "食品抽检组",
                "",
                "其他",
                "139921",
                "139921-104-02",
                "",
                "",
            ],
            [
                "139921-104",
                "示范县市场监管局",
                "市场监管",
                "部门",
                "139921",
                "139921-100",
                "",
                1,
            ],
        ],
    )

    response = post_orgs(client, county.people.wujiu, upload)

    assert response.status_code == 302
    food = Organization.objects.get(code="139921-104-02")
    group = Organization.objects.get(code="139921-104-02-1")
    assert food.short_name == "食安科" and food.parent == county.orgs.market
    assert group.path == f"{food.path}{group.pk}/"
    county.orgs.market.refresh_from_db()
    assert county.orgs.market.name == "示范县市场监管局"
    follow = client.get(response["Location"])
    assert "导入完成：新增3个，更新1个，未变0个" in follow.content.decode()


def test_organization_import_moves_an_existing_organization_with_its_subtree(client):
    county = demo_county()
    upload = xlsx(
        ORG_HEADER,
        [
            [
                "139921-104",
                "示范县市场监督管理局",
                "",
                "部门",
                "139921",
                "139921-120",
                "",
                0,
            ]
        ],
    )

    post_orgs(client, county.people.wujiu, upload)

    county.orgs.registry.refresh_from_db()
    assert county.orgs.registry.path.startswith(county.orgs.center.path)


def test_organization_import_reports_bad_rows_and_writes_nothing(client):
    county = demo_county()
    upload = xlsx(
        ORG_HEADER,
        [
            ["139921-130", "统计局", "", "部门", "139921", "139921-100", "", 0],
            ["139921-131", "", "", "部门", "139921", "139921-100", "", 0],
            ["139921-132", "档案馆", "", "机关", "139921", "139921-100", "", 0],
            ["139921-133", "医保局", "", "部门", "888888", "139921-100", "", 0],
            ["139921-134", "林业局", "", "部门", "139921", "139921-999", "", 0],
            ["139921-135", "水利局", "", "部门", "139921", "139921-100", "ABC", 0],
            [
                "139921-100",
                "示范县人民政府",
                "",
                "政府",
                "139921",
                "139921-104-01",
                "",
                0,
            ],
        ],
    )

    response = post_orgs(client, county.people.wujiu, upload)

    body = response.content.decode()
    for row, message in [
        (3, "请填写机构名称"),
        (4, "机构类型应为：党委、政府、部门、乡镇、事业单位、其他"),
        (5, "区划代码 888888 不存在或已停用"),
        (6, "上级机构代码 139921-999 不存在"),
        (7, "统一社会信用代码应为18位"),
        (8, "不能把机构移动到它自身的下级机构之下"),
    ]:
        assert f"第 {row} 行" in body and message in body
    assert not Organization.objects.filter(code="139921-130").exists()


def test_org_admin_cannot_import_organizations(client):
    county = demo_county()
    client.force_login(county.people.zhaoliu)

    response = client.get(reverse("sysadmin:org_import"))

    assert response.status_code == 403


def test_organization_export_lists_codes_parents_and_regions(client):
    county = demo_county()
    client.force_login(county.people.wujiu)

    response = client.get(reverse("sysadmin:org_export"))

    rows = read(response)
    assert rows[0][:5] == ["机构代码*", "机构名称*", "简称", "机构类型*", "区划代码*"]
    registry = next(r for r in rows if r[0] == "139921-104-01")
    assert registry[1:6] == ["登记注册科", None, "部门", "139921", "139921-104"]
    assert len(rows) == Organization.objects.count() + 1
