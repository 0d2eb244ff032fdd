"""Portal URLs: my personal-data requests (included by portal/urls.py under the 'portal' namespace)."""
from django.urls import path

from portal import views_privacy as v

urlpatterns = [
    path("privacy/", v.privacy, name="privacy"),
    path("privacy/<int:pk>/download/", v.privacy_download, name="privacy-download"),
]
