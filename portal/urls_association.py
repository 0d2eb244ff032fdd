"""Portal URLs: "my associations" and "my requests" (included by portal/urls.py under the 'portal' namespace)."""
from django.urls import path

from portal import views_association as v
from portal import views_requests as r

urlpatterns = [
    path("orgs/", v.org_list, name="orgs"),
    path("orgs/<int:pk>/", v.org_detail, name="org"),
    path("notices/", v.notice_list, name="notices"),
    path("notices/<int:pk>/", v.notice_detail, name="notice"),
    path("activities/", v.activity_list, name="activities"),
    path("activities/<int:pk>/", v.activity_detail, name="activity"),
    path("activities/<int:pk>/register/", v.activity_register, name="activity-register"),
    path("registrations/", v.registration_list, name="registrations"),
    path("registrations/<int:pk>/", v.registration_detail, name="registration"),
    path("registrations/<int:pk>/cancel/", v.registration_cancel, name="registration-cancel"),
    path("dues/", v.dues, name="dues"),
    path("requests/", r.request_list, name="requests"),
    path("requests/new/", r.request_create, name="request-new"),
    path("requests/<int:pk>/", r.request_detail, name="request"),
    path("requests/<int:pk>/satisfaction/", r.request_satisfaction, name="request-satisfaction"),
]
