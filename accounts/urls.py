"""URLs of the account pages under /accounts/."""
from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("otp/setup/", views.otp_setup, name="otp-setup"),
    path("otp/verify/", views.otp_verify, name="otp-verify"),
    path("otp/recovery/", views.otp_recovery, name="otp-recovery"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("users/", views.user_list, name="user-list"),
    path("users/<int:pk>/", views.user_detail, name="user-detail"),
    path("users/<int:pk>/end-sessions/", views.user_end_sessions, name="user-end-sessions"),
    path("users/<int:pk>/otp-reset/", views.user_otp_reset, name="user-otp-reset"),
    path("security/", views.security_log, name="security-log"),
]
