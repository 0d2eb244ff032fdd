"""Portal URLs: the account part (included by portal/urls.py under the 'portal' namespace)."""
from django.urls import path

from portal import views_account as views

urlpatterns = [
    path("login/", views.MemberLoginView.as_view(), name="login"),
    path("logout/", views.MemberLogoutView.as_view(), name="logout"),
    path("invite/<str:token>/", views.invite_accept, name="invite-accept"),
    path("password-reset/", views.password_reset, name="password-reset"),
    path("reset/<uidb64>/<token>/", views.MemberResetConfirmView.as_view(), name="password-reset-confirm"),
    path("profile/", views.profile, name="profile"),
    path("profile/edit/", views.profile_edit, name="profile-edit"),
    path("profile/enterprises/<int:pk>/", views.enterprise_edit, name="enterprise-edit"),
    path("changes/", views.changes, name="changes"),
]
