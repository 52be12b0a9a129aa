"""The internal face's menu. Each app adds its entries here; a user sees an entry
only when the permission check beside it passes."""

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    icon: str = "circle"
    permission: str | None = None

    def visible_to(self, user) -> bool:
        return self.permission is None or user.has_perm(self.permission)


@dataclass(frozen=True)
class Section:
    label: str
    items: list[Item] = field(default_factory=list)


INTERNAL_MENU = [
    Section(_("工作台"), [Item(_("我的工作台"), "staff:workbench", "speedometer2")]),
    Section(
        _("流程办理"),
        [
            Item(_("发起流程"), "workflow:start", "plus-circle"),
            Item(_("待办"), "workflow:todo", "inbox"),
            Item(_("已办"), "workflow:done", "check2-square"),
            Item(_("我发起的"), "workflow:started", "send"),
            Item(_("抄送我的"), "workflow:cc", "envelope-open"),
            Item(_("站内消息"), "workflow_ops:notifications", "bell"),
            Item(_("我的委托"), "workflow:delegations", "person-check"),
        ],
    ),
    Section(
        _("政务服务"),
        [
            Item(
                _("事项管理"),
                "catalog_admin:item_list",
                "journal-bookmark",
                "servicehall.view_serviceitem",
            ),
            Item(
                _("一窗受理"),
                "cases:window",
                "inboxes",
                "servicehall.accept_case",
            ),
            Item(_("办件管理"), "cases:list", "folder2-open", "servicehall.view_case"),
            Item(
                _("证照管理"),
                "licences:list",
                "patch-check",
                "datahub.view_elicense",
            ),
        ],
    ),
    Section(
        _("好差评"),
        [
            Item(
                _("整改工单"),
                "rectifications:list",
                "clipboard-check",
                "supervision.view_rectification",
            ),
            Item(
                _("申诉审核"),
                "rectifications:appeals",
                "shield-check",
                "supervision.review_appeal",
            ),
            Item(
                _("好差评统计"),
                "rectifications:reports",
                "bar-chart",
                "supervision.view_servicerating",
            ),
            Item(
                _("服务窗口"),
                "rectifications:windows",
                "qr-code",
                "supervision.view_servicewindow",
            ),
            Item(
                _("电话回访"),
                "rectifications:phone",
                "telephone",
                "supervision.add_servicerating",
            ),
        ],
    ),
    Section(
        _("系统管理"),
        [
            Item(
                _("行政区划"), "sysadmin:region_list", "geo-alt", "identity.view_region"
            ),
            Item(
                _("机构与岗位"),
                "sysadmin:org_list",
                "diagram-3",
                "identity.view_organization",
            ),
            Item(_("用户管理"), "sysadmin:user_list", "people", "identity.view_user"),
            Item(
                _("角色管理"),
                "sysadmin:role_list",
                "person-badge",
                "identity.view_role",
            ),
            Item(
                _("流程管理"),
                "workflow:definition_list",
                "bezier2",
                "workflow.view_processdefinition",
            ),
            Item(
                _("流程设计"),
                "workflow_designer:definition_list",
                "diagram-2",
                "workflow.view_processdefinition",
            ),
            Item(
                _("表单管理"),
                "eforms:form_list",
                "ui-checks",
                "eforms.view_formdefinition",
            ),
            Item(
                _("工作日历"), "calendar:index", "calendar3", "core.change_calendarday"
            ),
            Item(
                _("文书模板"),
                "docgen:template_list",
                "file-earmark-text",
                "docgen.manage_templates",
            ),
            Item(
                _("接入应用（单点登录）"),
                "sso:application_list",
                "box-arrow-in-right",
                "oauth2_provider.view_application",
            ),
        ],
    ),
    Section(
        _("安全审计"),
        [
            Item(
                _("统一日志"),
                "audit:entry_list",
                "journal-text",
                "audit.view_auditentry",
            )
        ],
    ),
]


def menu_for(user, current_path: str = ""):
    sections = []
    for section in INTERNAL_MENU:
        items = []
        for item in section.items:
            if item.visible_to(user):
                try:
                    url = reverse(item.url_name)
                except NoReverseMatch:  # the face serving this page lacks it
                    continue
                active = current_path.startswith(url)
                items.append({"item": item, "url": url, "active": active})
        if items:
            sections.append({"label": section.label, "items": items})
    return sections
