from django.urls import path
from django.views.generic import TemplateView

app_name = "public_account"
urlpatterns = [
    path("register/", TemplateView.as_view(template_name="identity/register.html"), name="register"),
]
