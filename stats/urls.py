"""URLs of the statistics pages, under /stats/."""
from django.urls import path

from stats import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="home"),
    path("<slug:code>/", views.dashboard, name="dashboard"),
    path("<slug:code>/export.xlsx", views.export_xlsx, name="export"),
    path("<slug:code>/review/", views.review, name="review"),
    path("<slug:code>/review/edit/", views.review_edit, name="review-edit"),
    path("<slug:code>/reports/", views.reports, name="reports"),
    path("<slug:code>/reports/submit/", views.submit, name="submit"),
    path("<slug:code>/reports/<int:pk>/send-back/", views.send_back, name="send-back"),
    path("<slug:code>/refresh/", views.refresh, name="refresh"),
]
