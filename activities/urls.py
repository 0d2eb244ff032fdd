"""URLs of the activities pages."""
from django.urls import path

from activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="activity-list"),
    path("new/", views.activity_create, name="activity-create"),
    path("<int:pk>/", views.activity_detail, name="activity-detail"),
    path("<int:pk>/edit/", views.activity_edit, name="activity-edit"),
    path("<int:pk>/sessions/", views.session_add, name="session-add"),
    path("<int:pk>/register/", views.register_staff, name="register"),
    path("<int:pk>/files/", views.file_add, name="file-add"),
    path("files/<int:pk>/", views.file_download, name="file"),
    path("<int:pk>/outcomes/", views.outcome_add, name="outcome-add"),
    path("<int:pk>/checkin/", views.checkin, name="checkin"),
    path("<int:pk>/checkin/code/", views.checkin_code, name="checkin-code"),
    path("<int:pk>/checkin/<int:reg_pk>/", views.checkin_tick, name="checkin-tick"),
    path("registrations/<int:pk>/cancel/", views.registration_cancel, name="registration-cancel"),
    path("registrations/<int:pk>/pass/", views.registration_pass, name="registration-pass"),
    path("join/<str:token>/", views.public_register, name="public-register"),
    path("pass/<str:token>/", views.public_pass, name="public-pass"),
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_create, name="project-create"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("projects/<int:pk>/action/", views.project_action, name="project-action"),
    path("volunteers/", views.team_list, name="team-list"),
    path("volunteers/<int:pk>/", views.team_detail, name="team-detail"),
    path("volunteers/services/", views.service_list, name="service-list"),
]
