from django.urls import path

from egov.workflow import api

app_name = "workflow-api"
urlpatterns = [
    path("tasks/", api.TaskList.as_view(), name="task_list"),
    path("tasks/<int:pk>/", api.TaskDetail.as_view(), name="task_detail"),
    path("tasks/<int:pk>/complete/", api.TaskComplete.as_view(), name="task_complete"),
    path("tasks/<int:pk>/claim/", api.TaskClaim.as_view(), name="task_claim"),
    path("tasks/<int:pk>/release/", api.TaskRelease.as_view(), name="task_release"),
    path("instances/", api.InstanceStart.as_view(), name="instance_start"),
    path("instances/<int:pk>/", api.InstanceDetail.as_view(), name="instance_detail"),
]
