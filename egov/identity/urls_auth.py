"""Sign-in and the personal account pages, shared by both faces."""

from django.urls import path

from egov.identity.views import account, auth

app_name = "account"
urlpatterns = [
    path("login/", auth.login, name="login"),
    path("login/verify/", auth.login_verify, name="login_verify"),
    path("login/sms/", auth.login_sms, name="login_sms"),
    path("logout/", auth.logout, name="logout"),
    path("account/", account.home, name="home"),
    path("account/reauth/", auth.reauth, name="reauth"),
    path("account/password/", account.password, name="password"),
    path("account/sessions/end/", account.end_sessions, name="end_sessions"),
    path("account/two-factor/", account.two_factor, name="two_factor"),
    path(
        "account/two-factor/setup/",
        account.two_factor_setup,
        name="two_factor_setup",
    ),
    path(
        "account/two-factor/recovery-codes/",
        account.recovery_codes,
        name="recovery_codes",
    ),
    path(
        "account/two-factor/recovery-codes.txt",
        account.recovery_codes_download,
        name="recovery_codes_download",
    ),
]
