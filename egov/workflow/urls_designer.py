"""系统管理 → 流程设计, mounted at staff/workflow/designer/ (config/faces.py)."""

from django.urls import path

from egov.workflow.views import designer

app_name = "workflow_designer"
VERSION = "processes/<str:key>/v<int:version>/"
urlpatterns = [
    path("", designer.definition_list, name="definition_list"),
    path("new/", designer.designer_new, name="designer_new"),
    path("upload/", designer.upload, name="upload"),
    path("deploy/", designer.deploy, name="deploy"),
    path("directory/", designer.designer_directory, name="directory"),
    path(
        "processes/<str:key>/",
        designer.definition_versions,
        name="definition_versions",
    ),
    path("processes/<str:key>/edit/", designer.designer_edit, name="designer_edit"),
    path(VERSION + "xml/", designer.definition_xml, name="xml"),
    path(VERSION + "file/", designer.definition_file, name="file"),
    path(VERSION + "diagram/", designer.definition_diagram, name="diagram"),
]
