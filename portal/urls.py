"""Portal URLs under /my/: each part of the portal keeps its own URL module."""
from django.urls import include, path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("", include("portal.urls_account")),
    path("", include("portal.urls_association")),
    path("", include("portal.urls_business")),
    path("", include("portal.urls_privacy")),
]
