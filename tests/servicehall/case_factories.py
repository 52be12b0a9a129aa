"""Case test data: the catalog county (李四 at the service centre's window,
王五 and 赵六 the approvers of 市场监管局, 孙七 the county leader) plus two
more departments with an approver each for joint approval (孙丽 at 县政府办公室,
宋佳 at 城关镇), a published item, and submitted cases built directly (the
public applying lives elsewhere)."""

from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from egov.identity import roles as builtin
from egov.identity.models import Role, User
from egov.servicehall import case_common
from egov.servicehall.case_demo import Review, joint_diagram, review_diagram
from egov.servicehall.models import Audience, Case, CaseMaterial
from egov.workflow.actions import deploy_process
from tests.identity import factories as idf
from tests.servicehall import factories

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
REVIEW_KEY = "test_review"
JOINT_KEY = "test_joint"


def pdf_upload(name: str = "营业执照.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def process_admin() -> User:
    """陈静, who deploys the test processes."""
    from django.contrib.auth.models import Permission

    role = Role.objects.create(
        code="process_admin", name="流程管理员", data_scope=Role.DataScope.ALL
    )
    role.permissions.set(
        Permission.objects.filter(
            content_type__app_label="workflow", codename="deploy_process"
        )
    )
    admin = idf.user("chenjing", "陈静", roles=[builtin.STAFF])
    admin.roles.add(role)
    return admin


def case_county() -> SimpleNamespace:
    """The catalog county with the case people and the two test processes."""
    county = factories.catalog_county()
    people = county.people
    orgs = county.orgs
    office_chief = idf.post(orgs.office, "section_chief", "秘书科科长")
    people.sunli = idf.user(
        "sunli", "孙丽", posts=[office_chief], roles=[builtin.STAFF, builtin.APPROVER]
    )
    town_chief = idf.post(orgs.township, "section_chief", "经发办主任")
    people.songjia.roles.add(idf.role(builtin.APPROVER))
    people.songjia.post_assignments.all().delete()
    from egov.identity.models import PostAssignment

    PostAssignment.objects.create(user=people.songjia, post=town_chief, is_primary=True)
    # A window clerk of the neighbouring county: outside our cases' reach.
    people.neighbour_window = idf.user(
        "linwin",
        "邻县窗口",
        posts=[county.posts.neighbour_clerk],
        roles=[builtin.STAFF, builtin.WINDOW_CLERK],
    )
    admin = process_admin()
    deploy_process(
        actor=admin,
        key=REVIEW_KEY,
        bpmn_xml=review_diagram(key=REVIEW_KEY, leaders=orgs.gov.code),
    )
    deploy_process(
        actor=admin,
        key=JOINT_KEY,
        bpmn_xml=joint_diagram(
            key=JOINT_KEY,
            reviews=(
                Review("lead_review", "市场监管局审查", "", 5),
                Review("office_review", "县政府办公室审查", orgs.office.code, 3),
                Review("town_review", "城关镇审查", orgs.township.code, 3),
            ),
            leaders=orgs.gov.code,
        ),
    )
    county.people.chenjing = admin
    return county


def item(county, *, process_key: str = "", code="000172012000-139921104", **fields):
    """A published item of 市场监管局 with the given process."""
    version = factories.published(county, code=code, process_key=process_key, **fields)
    return version


def submitted_case(
    county,
    version,
    *,
    applicant=None,
    name: str = "张三",
    id_number: str | None = None,
    phone: str = "13999211001",
    kind: str = Audience.INDIVIDUAL,
    submitted_at=None,
    materials: int = 1,
) -> Case:
    """A case submitted online by 张三 (or `applicant`) under `version`."""
    applicant = applicant if applicant is not None else county.people.zhangsan
    now = submitted_at or timezone.now()
    case = Case(
        item=version.item,
        item_version=version,
        organization=version.item.organization,
        state=Case.State.SUBMITTED,
        applicant=applicant,
        applicant_kind=kind,
        applicant_name=name,
        contact_name=name,
        form_data={"经营场所": "示范县城关镇人民路1号"},
        submitted_at=now,
        lookup_code=case_common.new_lookup_code(),
    )
    case.applicant_id_number = id_number or idf.id_number("19850312", seq=1)
    case.contact_phone = phone
    case.number = case_common.next_case_number(case, now)
    case.save()
    from egov.core.files import store_upload

    for requirement in list(version.materials.all())[:materials]:
        stored = store_upload(
            actor=applicant, upload=pdf_upload(f"{requirement.name}.pdf")
        )
        CaseMaterial.objects.create(
            case=case,
            requirement=requirement,
            name=requirement.name,
            file=stored,
            uploaded_by=applicant,
        )
    case_common.add_event(case, "submitted", actor=applicant, public_note="提交申请")
    return case


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


def with_application_form(county, version):
    """Publish the food-licence application form (apply_factories) and name
    it on `version`."""
    from egov.eforms.models import FormDefinition
    from tests.servicehall.apply_factories import FORM_KEY, FORM_SCHEMA

    FormDefinition.objects.create(
        key=FORM_KEY,
        name="食品经营许可申请表",
        version=1,
        schema=FORM_SCHEMA,
        published=True,
        created_by=county.people.lisi,
        published_by=county.people.lisi,
        published_at=timezone.now(),
    )
    version.form_key = FORM_KEY
    version.save(update_fields=["form_key"])
