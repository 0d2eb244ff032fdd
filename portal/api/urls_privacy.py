"""Portal API URLs: my personal-data requests (included by portal/api/urls.py, namespace 'portal-api')."""
from django.urls import path

from portal.api import views_privacy as v

urlpatterns = [
    path("privacy/requests/", v.MyPrivacyRequestList.as_view(), name="privacy-requests"),
    path("privacy/requests/<int:pk>/", v.MyPrivacyRequestDetail.as_view(), name="privacy-request"),
    path("privacy/requests/<int:pk>/download/", v.MyPrivacyRequestDownload.as_view(),
         name="privacy-request-download"),
]
