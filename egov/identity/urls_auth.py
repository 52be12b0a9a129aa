"""Sign-in and the personal account pages, shared by both faces."""

from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

app_name = "account"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="identity/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", TemplateView.as_view(template_name="identity/account.html"), name="home"),
]
