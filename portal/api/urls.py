"""Portal API under /api/my/: each part of the portal keeps its own URL module."""
from django.urls import include, path

app_name = "portal-api"
urlpatterns = [
    path("", include("portal.api.urls_account")),
    path("", include("portal.api.urls_association")),
    path("", include("portal.api.urls_business")),
    path("", include("portal.api.urls_privacy")),
]
