"""URLs of the privacy pages (/privacy/)."""
from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.request_list, name="request-list"),
    path("requests/<int:pk>/", views.request_detail, name="request-detail"),
    path("requests/<int:pk>/<slug:step>/", views.request_handle, name="request-handle"),
    path("people/<int:pk>/export/", views.person_export, name="person-export"),
    path("people/<int:pk>/consents/", views.consent_add, name="consent-add"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent-withdraw"),
]
