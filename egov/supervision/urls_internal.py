"""好差评 on the internal face, mounted at staff/ratings/ (namespace
"rectifications"): 整改工单, appeals, reports and the windows' rating codes."""

from django.urls import path

from egov.supervision.views import internal as views

app_name = "rectifications"
urlpatterns = [
    path("rectifications/", views.rectification_list, name="list"),
    path("rectifications/<int:pk>/", views.rectification_detail, name="detail"),
    path("rectifications/<int:pk>/callback/", views.record_callback, name="callback"),
    path("rectifications/<int:pk>/reply/", views.reply, name="reply"),
    path("rectifications/<int:pk>/close/", views.close, name="close"),
    path("rectifications/<int:pk>/appeal/", views.appeal, name="appeal"),
    path("rectifications/<int:pk>/review/", views.review, name="review"),
    path("appeals/", views.appeal_queue, name="appeals"),
    path("reports/", views.reports, name="reports"),
    path("reports/export/", views.reports_export, name="export"),
    path("windows/", views.window_list, name="windows"),
]
