"""Read-only REST API of the audit log: the filtered list and one entry by seq.

The list takes the same filters as the auditor's page; there is no way to write,
edit or delete entries through the API (other methods answer 405).
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.pagination import CursorPagination

from egov.audit import queries
from egov.audit.actions import require_reader
from egov.audit.forms import EntryFilterForm
from egov.audit.labels import action_label
from egov.audit.models import AuditEntry
from egov.core.errors import ActionError, PermissionDenied


class CanReadAuditLog(permissions.BasePermission):
    def has_permission(self, request, view):
        try:
            require_reader(actor=request.user)
        except PermissionDenied:
            return False
        return True


class EntrySerializer(serializers.ModelSerializer):
    real_name = serializers.SerializerMethodField(help_text="用户姓名")
    action_label = serializers.SerializerMethodField(help_text="操作的中文名称")
    outcome_label = serializers.CharField(
        source="get_outcome_display", read_only=True, help_text="结果的中文名称"
    )
    detail = serializers.JSONField(read_only=True, help_text="详情（JSON 对象）")

    class Meta:
        model = AuditEntry
        fields = [
            "seq",
            "created_at",
            "user",
            "username",
            "real_name",
            "organization_code",
            "organization_name",
            "ip",
            "user_agent",
            "action",
            "action_label",
            "target_type",
            "target_id",
            "target_repr",
            "outcome",
            "outcome_label",
            "detail",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    def get_real_name(self, entry) -> str:
        return entry.user.real_name if entry.user_id else ""

    def get_action_label(self, entry) -> str:
        return action_label(entry.action)


class NewestFirst(CursorPagination):
    ordering = "-seq"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


_FILTERS = [
    OpenApiParameter("user", OpenApiTypes.STR, description="账号或姓名（完整）"),
    OpenApiParameter("organization", OpenApiTypes.STR, description="机构代码"),
    OpenApiParameter("include_children", OpenApiTypes.BOOL, description="含下级机构"),
    OpenApiParameter("action", OpenApiTypes.STR, description="操作代码前缀"),
    OpenApiParameter(
        "outcome",
        OpenApiTypes.STR,
        enum=AuditEntry.Outcome.values,
        description="结果：success 成功，failed 失败，denied 拒绝",
    ),
    OpenApiParameter(
        "start", OpenApiTypes.DATETIME, description="开始时间（含），北京时间"
    ),
    OpenApiParameter("end", OpenApiTypes.DATETIME, description="结束时间（含）"),
]


class EntryList(generics.ListAPIView):
    # The schema reads the model from here; rows come from get_queryset.
    queryset = AuditEntry.objects.none()
    serializer_class = EntrySerializer
    permission_classes = [permissions.IsAuthenticated, CanReadAuditLog]
    pagination_class = NewestFirst

    def get_queryset(self):
        form = EntryFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ActionError(
                " ".join(str(m) for errors in form.errors.values() for m in errors),
                code="invalid_filter",
                fields={name: errors[0] for name, errors in form.errors.items()},
            )
        return queries.entries_for(self.request.user, **form.filters())

    @extend_schema(
        tags=["audit"],
        summary="统一日志列表",
        description="按条件筛选日志条目，最新的在前（游标分页）。需要 "
        "audit.view_auditentry 权限。",
        parameters=_FILTERS,
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class EntryDetail(generics.RetrieveAPIView):
    queryset = AuditEntry.objects.none()
    serializer_class = EntrySerializer
    permission_classes = [permissions.IsAuthenticated, CanReadAuditLog]
    lookup_field = "seq"

    def get_object(self):
        return queries.get_entry_for(self.request.user, self.kwargs["seq"])

    @extend_schema(
        tags=["audit"],
        summary="日志条目详情",
        description="按序号读取一条日志，含链上摘要。需要 audit.view_auditentry 权限。",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
