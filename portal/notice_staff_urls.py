"""Staff URLs for notices to members, under /members/notices/ (namespace 'member-notices')."""
from django.urls import path

from portal import notice_staff_views as views

app_name = "member-notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_create, name="create"),
    path("<int:pk>/", views.notice_edit, name="edit"),
    path("<int:pk>/publish/", views.notice_publish, name="publish"),
]
