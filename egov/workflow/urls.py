from django.urls import path

from egov.workflow.views import delegation, inbox

app_name = "workflow"
urlpatterns = [
    path("todo/", inbox.todo, name="todo"),
    path("done/", inbox.done, name="done"),
    path("started/", inbox.started, name="started"),
    path("cc/", inbox.cc, name="cc"),
    path("start/", inbox.start, name="start"),
    path("tasks/<int:pk>/", inbox.task_detail, name="task_detail"),
    path("tasks/<int:pk>/complete/", inbox.task_complete, name="task_complete"),
    path("tasks/<int:pk>/submit/", inbox.task_submit, name="task_submit"),
    path("tasks/<int:pk>/form/", inbox.task_form, name="task_form"),
    path("tasks/<int:pk>/claim/", inbox.task_claim, name="task_claim"),
    path("tasks/<int:pk>/release/", inbox.task_release, name="task_release"),
    path("instances/<int:pk>/", inbox.instance_detail, name="instance_detail"),
    path(
        "instances/<int:pk>/diagram/",
        inbox.instance_diagram,
        name="instance_diagram",
    ),
    path(
        "instances/<int:pk>/<slug:operation>/",
        inbox.instance_action,
        name="instance_action",
    ),
    path("phrases/", inbox.phrases, name="phrases"),
    path("phrases/<int:pk>/delete/", inbox.phrase_delete, name="phrase_delete"),
    path("delegations/", delegation.delegations, name="delegations"),
    path(
        "delegations/<int:pk>/end/",
        delegation.delegation_end,
        name="delegation_end",
    ),
    path("definitions/", inbox.definition_list, name="definition_list"),
    path(
        "definitions/<int:pk>/diagram/",
        inbox.definition_diagram,
        name="definition_diagram",
    ),
]
