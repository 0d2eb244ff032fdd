"""URLs of the cases pages (staff and department liaisons)."""
from django.urls import path

from cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("new/", views.case_create, name="case-create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("setup/", views.setup, name="setup"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/reveal/", views.case_reveal, name="case-reveal"),
    path("<int:pk>/steps/<slug:step>/", views.case_step, name="case-step"),
    path("dispatches/<int:pk>/<slug:step>/", views.dispatch_step, name="dispatch-step"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
