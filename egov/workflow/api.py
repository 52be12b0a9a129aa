"""REST API of the workflow (mounted at /api/workflow/): a person's tasks,
acting on them, and starting a process. Thin: each view parses its input,
calls one query or action, and answers; refusals are 400/403 with a code and
a Chinese message (egov.core.api.exception_handler), tasks a caller may not
see are 404.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from egov.workflow import actions, deadlines, queries
from egov.workflow.models import ProcessInstance, Task, TaskEvent


class TaskSerializer(serializers.ModelSerializer):
    instance = serializers.IntegerField(source="instance_id", help_text="流程实例")
    subject = serializers.CharField(source="instance.subject", help_text="标题")
    business_key = serializers.CharField(
        source="instance.business_key", help_text="业务编号"
    )
    process = serializers.CharField(
        source="instance.definition.key", help_text="流程编码"
    )
    process_name = serializers.CharField(
        source="instance.definition.name", help_text="流程名称"
    )
    assignee = serializers.CharField(
        source="assignee.username", default=None, help_text="办理人账号"
    )
    completed_by = serializers.CharField(
        source="completed_by.username", default=None, help_text="实际办理人账号"
    )
    light = serializers.SerializerMethodField(help_text="时限灯：green/yellow/red/空")

    class Meta:
        model = Task
        fields = [
            "id",
            "instance",
            "subject",
            "business_key",
            "process",
            "process_name",
            "node_id",
            "node_name",
            "state",
            "assignee",
            "is_pooled",
            "due_at",
            "light",
            "created_at",
            "opened_at",
            "completed_at",
            "completed_by",
            "outcome",
            "opinion",
        ]
        read_only_fields = fields

    def get_light(self, task) -> str:
        return deadlines.light(task.due_at, task.limit_unit)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)
    actor_name = serializers.CharField(source="actor.real_name", default=None)
    kind_label = serializers.CharField(source="get_kind_display")
    on_behalf_of = serializers.CharField(
        source="on_behalf_of.username",
        default=None,
        help_text="操作人受其委托办理的委托人账号（委托办理时）",
    )

    class Meta:
        model = TaskEvent
        fields = [
            "kind",
            "kind_label",
            "actor",
            "actor_name",
            "on_behalf_of",
            "node_id",
            "node_name",
            "opinion",
            "created_at",
        ]
        read_only_fields = fields


class InstanceSerializer(serializers.ModelSerializer):
    process = serializers.CharField(source="definition.key")
    version = serializers.IntegerField(source="definition.version")
    initiator = serializers.CharField(source="initiator.username", default=None)
    timeline = serializers.SerializerMethodField()

    class Meta:
        model = ProcessInstance
        fields = [
            "id",
            "process",
            "version",
            "business_key",
            "subject",
            "initiator",
            "state",
            "current_nodes",
            "started_at",
            "ended_at",
            "data",
            "timeline",
        ]
        read_only_fields = fields

    def get_timeline(self, instance) -> list[dict]:
        return EventSerializer(queries.timeline(instance), many=True).data


class CompleteInput(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=Task.Outcome.choices, help_text="approve（同意）或 reject（不同意）"
    )
    opinion = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="审批意见"
    )
    data = serializers.JSONField(required=False, help_text="表单数据（JSON 对象）")
    next_assignees = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        max_length=50,
        help_text="下一环节办理人（账号或用户编号），下一环节由本环节选择时必填",
    )
    idempotency_key = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="幂等键；也可用请求头 Idempotency-Key",
    )


class StartInput(serializers.Serializer):
    definition_key = serializers.CharField(max_length=64, help_text="流程编码")
    subject = serializers.CharField(max_length=300, help_text="标题")
    business_key = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="业务编号"
    )
    data = serializers.JSONField(required=False, help_text="业务数据（JSON 对象）")
    next_assignees = serializers.ListField(
        child=serializers.CharField(max_length=150), required=False, max_length=50
    )


@extend_schema(
    tags=["workflow"],
    summary="我的任务",
    parameters=[
        OpenApiParameter(
            "scope", OpenApiTypes.STR, enum=["todo", "done"], description="待办或已办"
        )
    ],
)
class TaskList(generics.ListAPIView):
    serializer_class = TaskSerializer

    def get_queryset(self):
        if self.request.query_params.get("scope") == "done":
            return queries.done_for(self.request.user)
        return queries.todo_for(self.request.user)


@extend_schema(tags=["workflow"], summary="任务详情")
class TaskDetail(APIView):
    serializer_class = TaskSerializer

    def get(self, request, pk):
        task = queries.get_task_for(request.user, pk)
        return Response(TaskSerializer(task).data)


@extend_schema(
    tags=["workflow"],
    summary="办理任务（同意/不同意）",
    request=CompleteInput,
    responses=TaskSerializer,
)
class TaskComplete(APIView):
    def post(self, request, pk):
        task = queries.get_task_for(request.user, pk)
        given = CompleteInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        key = data.get("idempotency_key") or request.headers.get("Idempotency-Key")
        done = actions.complete_task(
            actor=request.user,
            task=task,
            outcome=data["outcome"],
            opinion=data.get("opinion", ""),
            data=data.get("data") or {},
            next_assignees=data.get("next_assignees") or None,
            idempotency_key=(key or "")[:64] or None,
        )
        return Response(
            TaskSerializer(queries.get_task_for(request.user, done.pk)).data
        )


@extend_schema(
    tags=["workflow"], summary="签收（抢办）", request=None, responses=TaskSerializer
)
class TaskClaim(APIView):
    def post(self, request, pk):
        task = queries.get_task_for(request.user, pk)
        actions.claim_task(actor=request.user, task=task)
        return Response(TaskSerializer(queries.get_task_for(request.user, pk)).data)


@extend_schema(
    tags=["workflow"], summary="退回任务池", request=None, responses=TaskSerializer
)
class TaskRelease(APIView):
    def post(self, request, pk):
        task = queries.get_task_for(request.user, pk)
        actions.release_task(actor=request.user, task=task)
        return Response(TaskSerializer(queries.get_task_for(request.user, pk)).data)


@extend_schema(
    tags=["workflow"],
    summary="发起流程",
    request=StartInput,
    responses={201: InstanceSerializer},
)
class InstanceStart(APIView):
    def post(self, request):
        given = StartInput(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        instance = actions.start_process(
            actor=request.user,
            definition_key=data["definition_key"],
            subject=data["subject"],
            business_key=data.get("business_key", ""),
            data=data.get("data") or {},
            next_assignees=data.get("next_assignees") or None,
        )
        return Response(
            InstanceSerializer(instance).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=["workflow"], summary="流程实例详情（含办理记录）")
class InstanceDetail(APIView):
    serializer_class = InstanceSerializer

    def get(self, request, pk):
        instance = queries.get_instance_for(request.user, pk)
        return Response(InstanceSerializer(instance).data)
