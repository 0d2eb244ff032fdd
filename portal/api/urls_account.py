"""Portal API URLs: the account part (included by portal/api/urls.py under the 'portal-api' namespace)."""
from django.urls import path

from portal.api import views_account as views

urlpatterns = [
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("enterprises/<int:pk>/", views.EnterpriseProfileView.as_view(), name="enterprise"),
    path("changes/", views.ChangeListView.as_view(), name="changes"),
    path("language/", views.LanguageView.as_view(), name="language"),
]
