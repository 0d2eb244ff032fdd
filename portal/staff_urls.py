"""Staff pages for member accounts under /members/ (namespace 'members')."""
from django.urls import path

from portal import staff_views as views

app_name = "members"
urlpatterns = [
    path("people/<int:person_pk>/invite/", views.invite, name="invite"),
    path("invitations/", views.invitation_list, name="invitation-list"),
    path("changes/", views.change_list, name="change-list"),
    path("changes/<int:pk>/", views.change_detail, name="change-detail"),
    path("changes/<int:pk>/approve/", views.change_approve, name="change-approve"),
    path("changes/<int:pk>/reject/", views.change_reject, name="change-reject"),
]
