"""Portal API URLs: "my associations" and "my requests" (included by portal/api/urls.py, namespace 'portal-api')."""
from django.urls import path

from portal.api import views_association as v

urlpatterns = [
    path("notices/", v.MyNoticeList.as_view(), name="notices"),
    path("notices/<int:pk>/", v.MyNoticeDetail.as_view(), name="notice"),
    path("orgs/", v.MyOrgList.as_view(), name="orgs"),
    path("activities/", v.MyActivityList.as_view(), name="activities"),
    path("activities/<int:pk>/register/", v.MyActivityRegister.as_view(), name="activity-register"),
    path("registrations/", v.MyRegistrationList.as_view(), name="registrations"),
    path("registrations/<int:pk>/cancel/", v.MyRegistrationCancel.as_view(), name="registration-cancel"),
    path("dues/", v.MyDues.as_view(), name="dues"),
    path("cases/", v.MyCaseList.as_view(), name="cases"),
    path("cases/<int:pk>/", v.MyCaseDetail.as_view(), name="case"),
    path("cases/<int:pk>/satisfaction/", v.MyCaseSatisfaction.as_view(), name="case-satisfaction"),
]
