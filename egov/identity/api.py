"""Read-only REST API of organizations and users, scoped like the pages.

Lists hold only what the caller's data scope covers; a record outside it answers
404 like a missing one. Personal data is always masked here: the full ID number
or phone is only ever shown through the audited reveal on the management page.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers

from egov.identity.models import Organization, PostAssignment, User
from egov.identity.queries import organizations_for, users_for


class HasPermission(permissions.BasePermission):
    """The caller holds the view's `required_permission` (else 403)."""

    def has_permission(self, request, view):
        return bool(
            request.user
            and request.user.is_authenticated
            and request.user.has_perm(view.required_permission)
        )


class OrganizationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text="机构类型的中文名称"
    )
    region_code = serializers.CharField(
        source="region.code", read_only=True, help_text="行政区划代码"
    )
    region_name = serializers.CharField(
        source="region.name", read_only=True, help_text="行政区划名称"
    )
    parent_code = serializers.SerializerMethodField(help_text="上级机构代码")

    class Meta:
        model = Organization
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "kind",
            "kind_label",
            "region_code",
            "region_name",
            "parent",
            "parent_code",
            "uscc",
            "sort_order",
            "is_active",
        ]
        read_only_fields = fields

    def get_parent_code(self, org) -> str | None:
        return org.parent.code if org.parent_id else None


class PostHeldSerializer(serializers.ModelSerializer):
    organization_id = serializers.IntegerField(source="post.organization_id")
    organization_code = serializers.CharField(source="post.organization.code")
    organization_name = serializers.CharField(source="post.organization.name")
    post_code = serializers.CharField(source="post.code")
    post_name = serializers.CharField(source="post.name")

    class Meta:
        model = PostAssignment
        fields = [
            "organization_id",
            "organization_code",
            "organization_name",
            "post_code",
            "post_name",
            "is_primary",
        ]
        read_only_fields = fields


class UserSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(
        source="get_kind_display", read_only=True, help_text="用户类型的中文名称"
    )
    id_number_masked = serializers.CharField(
        read_only=True, help_text="身份证号（脱敏）"
    )
    phone_masked = serializers.CharField(read_only=True, help_text="手机号（脱敏）")
    posts = PostHeldSerializer(
        source="post_assignments", many=True, read_only=True, help_text="任职岗位"
    )
    roles = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="角色代码"
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "real_name",
            "kind",
            "kind_label",
            "id_number_masked",
            "phone_masked",
            "uscc",
            "email",
            "is_active",
            "posts",
            "roles",
        ]
        read_only_fields = fields


class OrganizationList(generics.ListAPIView):
    """机构列表：调用者数据范围内的机构，按树序排列。"""

    serializer_class = OrganizationSerializer
    permission_classes = [HasPermission]
    required_permission = "identity.view_organization"

    @extend_schema(
        parameters=[
            OpenApiParameter("parent", OpenApiTypes.INT, description="上级机构 ID"),
            OpenApiParameter("active", OpenApiTypes.BOOL, description="是否启用"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        rows = organizations_for(self.request.user).select_related("parent")
        parent = self.request.query_params.get("parent", "")
        if parent.isdigit():
            rows = rows.filter(parent_id=int(parent))
        active = self.request.query_params.get("active")
        if active in ("true", "false"):
            rows = rows.filter(is_active=active == "true")
        return rows.order_by("path", "sort_order")


class OrganizationDetail(generics.RetrieveAPIView):
    """单个机构（不在调用者数据范围内时返回 404）。"""

    serializer_class = OrganizationSerializer
    permission_classes = [HasPermission]
    required_permission = "identity.view_organization"

    def get_queryset(self):
        return organizations_for(self.request.user).select_related("parent")


class UserList(generics.ListAPIView):
    """用户列表：调用者数据范围内的用户，身份证号和手机号脱敏。"""

    serializer_class = UserSerializer
    permission_classes = [HasPermission]
    required_permission = "identity.view_user"

    @extend_schema(
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="账号或姓名"),
            OpenApiParameter(
                "organization", OpenApiTypes.INT, description="机构 ID（含下级）"
            ),
            OpenApiParameter(
                "kind",
                OpenApiTypes.STR,
                enum=[k for k, _label in User.Kind.choices],
                description="用户类型",
            ),
            OpenApiParameter("active", OpenApiTypes.BOOL, description="是否启用"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = self.request.query_params
        organization = None
        org_id = params.get("organization", "")
        if org_id.isdigit():
            organization = (
                organizations_for(self.request.user).filter(pk=int(org_id)).first()
            )
            if organization is None:
                return User.objects.none()
        kind = params.get("kind", "")
        active = {"true": True, "false": False}.get(params.get("active", ""))
        return _with_relations(
            users_for(
                self.request.user,
                search=params.get("q", "")[:100],
                organization=organization,
                kind=kind if kind in User.Kind.values else "",
                active=active,
            )
        )


class UserDetail(generics.RetrieveAPIView):
    """单个用户（不在调用者数据范围内时返回 404）。"""

    serializer_class = UserSerializer
    permission_classes = [HasPermission]
    required_permission = "identity.view_user"

    def get_queryset(self):
        return _with_relations(users_for(self.request.user))


def _with_relations(rows):
    return rows.prefetch_related(
        "roles", "post_assignments__post__organization"
    ).order_by("username")
