"""Registration: public face only."""

from django.urls import path

from egov.identity.views import account

app_name = "public_account"
urlpatterns = [
    path("register/", account.register, name="register"),
]
