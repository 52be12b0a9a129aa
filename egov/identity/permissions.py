"""Who may manage regions, organizations, posts, roles and users.

Permissions reach a user only through roles (Role.permissions); `RoleBackend`
makes `user.has_perm("identity.view_user")` see them. The identity policy adds
the data scope on top: an organization administrator holds `change_user`, but
only for users inside their own organization subtree.
"""

from django.contrib.auth.backends import BaseBackend
from django.utils.translation import gettext_lazy as _

from egov.core.policy import Policy

# Custom codenames (declared in the models' Meta.permissions).
VIEW_PERSONAL_DATA = "identity.view_personal_data"
ASSIGN_ROLE = "identity.assign_role"
IMPORT_USER = "identity.import_user"
EXPORT_USER = "identity.export_user"
MANAGE_SECURITY = "identity.manage_security"
IMPORT_ORGANIZATION = "identity.import_organization"
EXPORT_ORGANIZATION = "identity.export_organization"

# 三员分立: the duties of the three administrators. A role, or the roles one
# user holds together, may carry duties of one of them only.
SEPARATED_DUTIES = {
    "system": {
        "identity.add_region",
        "identity.change_region",
        "identity.delete_region",
        "identity.add_organization",
        "identity.change_organization",
        "identity.delete_organization",
        "identity.add_post",
        "identity.change_post",
        "identity.delete_post",
        "identity.add_user",
        "identity.change_user",
        "identity.delete_user",
        IMPORT_USER,
        IMPORT_ORGANIZATION,
        "oauth2_provider.add_application",
        "oauth2_provider.change_application",
        "oauth2_provider.delete_application",
        "core.add_calendarday",
        "core.change_calendarday",
        "core.delete_calendarday",
    },
    "security": {
        "identity.add_role",
        "identity.change_role",
        "identity.delete_role",
        ASSIGN_ROLE,
        MANAGE_SECURITY,
    },
    "audit": {"audit.view_auditentry", "audit.export_auditentry"},
}
DUTY_LABELS = {
    "system": _("系统管理"),
    "security": _("安全管理"),
    "audit": _("审计管理"),
}


def duties_of(permissions) -> set[str]:
    """Which of the three separated duties a set of "app.codename" strings touches."""
    perms = set(permissions)
    return {duty for duty, codes in SEPARATED_DUTIES.items() if perms & codes}


def role_permission_names(roles) -> set[str]:
    """The "app.codename" strings granted by the given roles."""
    from egov.identity.models import Role

    through = Role.permissions.through
    rows = through.objects.filter(role__in=roles).values_list(
        "permission__content_type__app_label", "permission__codename"
    )
    return {f"{app}.{code}" for app, code in rows}


class RoleBackend(BaseBackend):
    """Grants users the permissions of their active roles (never authenticates)."""

    def get_all_permissions(self, user_obj, obj=None):
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return set()
        if not hasattr(user_obj, "_egov_role_perm_cache"):
            user_obj._egov_role_perm_cache = role_permission_names(
                user_obj.roles.filter(is_active=True)
            )
        return user_obj._egov_role_perm_cache

    def get_user(self, user_id):
        return None


def forget_permissions(user) -> None:
    """Drop the permission caches Django and RoleBackend keep on a user object."""
    for attr in ("_egov_role_perm_cache", "_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(attr, None)


# action -> the permission it needs. Objects are further checked against the
# actor's data scope for that permission (see IdentityPolicy.can).
ACTIONS = {
    "view_region": "identity.view_region",
    "add_region": "identity.add_region",
    "change_region": "identity.change_region",
    "view_organization": "identity.view_organization",
    "add_organization": "identity.add_organization",
    "change_organization": "identity.change_organization",
    "import_organization": IMPORT_ORGANIZATION,
    "export_organization": EXPORT_ORGANIZATION,
    "view_post": "identity.view_post",
    "add_post": "identity.add_post",
    "change_post": "identity.change_post",
    "view_user": "identity.view_user",
    "add_user": "identity.add_user",
    "change_user": "identity.change_user",
    "view_personal_data": VIEW_PERSONAL_DATA,
    "assign_role": ASSIGN_ROLE,
    "import_user": IMPORT_USER,
    "export_user": EXPORT_USER,
    "view_role": "identity.view_role",
    "add_role": "identity.add_role",
    "change_role": "identity.change_role",
}


class IdentityPolicy(Policy):
    """`can(user, action, obj)`: the permission, then the object's data scope.

    - Regions and roles are platform-wide: the permission alone decides.
    - An organization must lie in the actor's scope for the permission; for
      `add_organization` and `add_post`/`add_user` the object is the
      organization the new record goes into.
    - A post is judged by its organization; a user by the organizations of the
      posts they hold. Only a superuser acts on a superuser.
    """

    app = "identity"

    def can(self, user, action: str, obj=None) -> bool:
        perm = ACTIONS[action]
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if not user.has_perm(perm):
            return False
        if obj is None or user.is_superuser:
            return True
        return self._in_scope(user, perm, obj, action)

    def visible(self, user, model_or_queryset, action: str):
        """The rows of a model (or queryset) `user` may see for `action`."""
        from egov.identity.queries import visible

        queryset = getattr(model_or_queryset, "objects", model_or_queryset)
        queryset = queryset.all()
        if not self.can(user, action):
            return queryset.none()
        return visible(user, queryset, perm=ACTIONS[action])

    def _in_scope(self, user, perm, obj, action) -> bool:
        from egov.identity.models import Organization, Post, Region, Role, User
        from egov.identity.queries import visible

        if isinstance(obj, Region | Role):
            return True
        if isinstance(obj, Post):
            obj = obj.organization
        if isinstance(obj, Organization):
            rows = Organization.objects.filter(pk=obj.pk)
            return visible(user, rows, perm=perm).exists()
        if isinstance(obj, User):
            if obj.is_superuser and action != "view_user":
                return False
            if obj.pk == user.pk and action == "view_user":
                return True
            if action == "change_user" and not self._outranks(user, obj):
                return False
            return visible(user, User.objects.filter(pk=obj.pk), perm=perm).exists()
        raise TypeError(f"identity policy does not judge {type(obj).__name__}")

    def _outranks(self, user, target) -> bool:
        """Whether `user` may manage `target`'s account (edit, posts, password,
        disable) without gaining power through it.

        Taking over an account must not widen what one can do: the target may
        carry no administrator duty (三员) that `user` lacks, and no role whose
        data scope is wider than `user`'s scope for managing users. So an
        organization administrator cannot reset the system administrator's
        password, and the system administrator cannot take over the security
        or audit administrator.
        """
        from egov.identity.queries import SCOPE_RANK, data_scope_of

        roles = list(target.roles.filter(is_active=True))
        if not roles:
            return True
        target_duties = duties_of(role_permission_names(roles))
        if not target_duties <= duties_of(user.get_all_permissions()):
            return False
        own = data_scope_of(user, perm="identity.change_user")
        widest = max(SCOPE_RANK[role.data_scope] for role in roles)
        return own is not None and widest <= SCOPE_RANK[own]


identity_policy = IdentityPolicy()


# --- the permission picker of the role pages ------------------------------

_VERBS = {"add": _("新增"), "change": _("修改"), "delete": _("删除"), "view": _("查看")}
# Rows that only the platform itself writes; granting them would mean nothing.
_INTERNAL_MODELS = {
    ("identity", "passwordhistory"),
    ("identity", "usersession"),
    ("identity", "postassignment"),
}
_EXTERNAL_MODELS = {("oauth2_provider", "application"): _("接入应用")}
_EXTERNAL_APPS = {"oauth2_provider": _("单点登录")}


def _is_grantable(app_label: str, model: str, codename: str) -> bool:
    from django.apps import apps

    if (app_label, model) in _INTERNAL_MODELS:
        return False
    if app_label == "identity" and codename.startswith("delete_"):
        return False
    if (app_label, model) in _EXTERNAL_MODELS:
        return True
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return False
    return config.name.startswith("egov.")


def grantable_permissions():
    """Permissions a role may carry: those of the platform's own apps and of the
    single sign-on applications, without the platform's internal rows."""
    from django.contrib.auth.models import Permission

    rows = [
        perm
        for perm in Permission.objects.select_related("content_type")
        if _is_grantable(
            perm.content_type.app_label, perm.content_type.model, perm.codename
        )
    ]
    return sorted(rows, key=_picker_order)


_VERB_ORDER = {"view": 0, "add": 1, "change": 2, "delete": 3}


def _picker_order(perm):
    """By app, then model; within a model view, add, change, delete, then the
    model's own permissions."""
    verb = perm.codename.partition("_")[0]
    return (
        perm.content_type.app_label,
        perm.content_type.model,
        _VERB_ORDER.get(verb, 4),
        perm.codename,
    )


def permission_label(perm) -> str:
    """A Chinese label such as “新增用户” or the custom permission's own name."""
    app_label, model = perm.content_type.app_label, perm.content_type.model
    verb, _sep, rest = perm.codename.partition("_")
    if verb in _VERBS and rest == model:
        if (app_label, model) in _EXTERNAL_MODELS:
            noun = _EXTERNAL_MODELS[(app_label, model)]
        else:
            model_class = perm.content_type.model_class()
            noun = model_class._meta.verbose_name if model_class else model
        return f"{_VERBS[verb]}{noun}"
    return perm.name


def app_label_name(app_label: str) -> str:
    from django.apps import apps

    if app_label in _EXTERNAL_APPS:
        return str(_EXTERNAL_APPS[app_label])
    return str(apps.get_app_config(app_label).verbose_name)


def grouped_permissions(perms=None) -> list[dict]:
    """[{"app": "统一身份与授权", "permissions": [{"perm", "label", "name"}]}] for
    the picker, grouped by app in a stable order."""
    groups: dict[str, dict] = {}
    for perm in grantable_permissions() if perms is None else perms:
        app_label = perm.content_type.app_label
        group = groups.setdefault(
            app_label, {"app": app_label_name(app_label), "permissions": []}
        )
        group["permissions"].append(
            {
                "perm": perm,
                "label": permission_label(perm),
                "name": f"{app_label}.{perm.codename}",
            }
        )
    return list(groups.values())
