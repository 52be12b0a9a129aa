"""好差评 on the internal face, mounted at staff/ratings/ (namespace
"rectifications"): 整改工单, appeals, reports, the service windows with their
rating codes and who is on duty, and 电话回访."""

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
    path("windows/new/", views.window_create, name="window_create"),
    path("windows/<slug:code>/", views.window_detail, name="window"),
    path("windows/<slug:code>/edit/", views.window_edit, name="window_edit"),
    path("windows/<slug:code>/staff/", views.window_staff, name="window_staff"),
    path("windows/<slug:code>/enable/", views.window_enable, name="window_enable"),
    path("windows/<slug:code>/disable/", views.window_disable, name="window_disable"),
    path("windows/<slug:code>/take/", views.window_take, name="window_take"),
    path("windows/<slug:code>/leave/", views.window_leave, name="window_leave"),
    path("duty/", views.duty_card, name="duty"),
    path("phone/", views.phone_list, name="phone"),
    path("phone/<str:number>/", views.phone_rating, name="phone_rating"),
    path("phone/<str:number>/reveal/", views.phone_reveal, name="phone_reveal"),
]
