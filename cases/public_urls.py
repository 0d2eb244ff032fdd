"""URLs of the public intake and tracking pages (no login)."""
from django.urls import path

from cases import views

urlpatterns = [
    path("intake/", views.public_intake, name="public-intake"),
    path("intake/<slug:code>/", views.public_intake, name="public-intake-org"),
    path("track/", views.public_track, name="public-track"),
]
