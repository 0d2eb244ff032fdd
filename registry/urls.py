"""URLs of the registry pages."""
from django.urls import path

from registry import views

app_name = "registry"
urlpatterns = [
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_create, name="person-create"),
    path("people/validate/", views.person_validate, name="person-validate"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/reveal/", views.person_reveal, name="person-reveal"),
    path("people/<int:pk>/memberships/", views.membership_add, {"kind": "person"}, name="person-membership-add"),
    path("enterprises/<int:pk>/memberships/", views.membership_add, {"kind": "enterprise"},
         name="enterprise-membership-add"),
    path("people/<int:pk>/merge/", views.person_merge, name="person-merge"),
    path("memberships/<int:pk>/payments/", views.payment_add, name="payment-add"),
    path("orgs/<int:org_pk>/dues-rates/", views.dues_rate_set, name="dues-rate-set"),
    path("enterprises/", views.enterprise_list, name="enterprise-list"),
    path("enterprises/new/", views.enterprise_create, name="enterprise-create"),
    path("enterprises/validate/", views.enterprise_validate, name="enterprise-validate"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise-detail"),
    path("enterprises/<int:pk>/edit/", views.enterprise_edit, name="enterprise-edit"),
]
