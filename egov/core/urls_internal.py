"""系统管理 → 工作日历 (internal face, under /staff/calendar/)."""

from django.urls import path

from egov.core import views

app_name = "calendar"
urlpatterns = [
    path("", views.calendar_index, name="index"),
    path("<int:year>/", views.calendar_year, name="year"),
    path("<int:year>/days/", views.calendar_add_day, name="add_day"),
    path("days/<int:pk>/delete/", views.calendar_remove_day, name="remove_day"),
    path("<int:year>/notice/", views.calendar_notice, name="notice"),
    path(
        "<int:year>/notice/withdraw/",
        views.calendar_withdraw_notice,
        name="withdraw_notice",
    ),
]
