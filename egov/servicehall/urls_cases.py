"""政务服务 → 一窗受理 and 办件管理, mounted at staff/cases/ on the internal face."""

from django.urls import path

from egov.servicehall.views import cases as views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("window/", views.window_queue, name="window"),
    path("window/enter/", views.case_enter, name="enter"),
    path("window/enter/form/", views.case_enter_form, name="enter_form"),
    path("workbench-card/", views.workbench_card, name="workbench_card"),
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/accept/", views.case_accept, name="accept"),
    path("<str:number>/refuse/", views.case_refuse, name="refuse"),
    path("<str:number>/correction/", views.case_correction, name="correction"),
    path("<str:number>/extension/", views.case_extension, name="extension"),
    path(
        "<str:number>/extension/<int:pk>/",
        views.case_extension_decide,
        name="extension_decide",
    ),
    path("<str:number>/suspend/", views.case_suspend, name="suspend"),
    path("<str:number>/resume/", views.case_resume, name="resume"),
    path("<str:number>/decide/", views.case_decide, name="decide"),
    path("<str:number>/reveal/", views.case_reveal, name="reveal"),
    path("<str:number>/receipt/", views.case_receipt, name="receipt"),
    path(
        "<str:number>/materials/<int:pk>/",
        views.material_download,
        name="material",
    ),
    path(
        "<str:number>/instruments/<int:pk>/<str:fmt>/",
        views.instrument_download,
        name="instrument",
    ),
]
