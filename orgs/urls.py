"""URLs of the organization pages."""
from django.urls import path

from orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("list/", views.org_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:parent_pk>/add/", views.create, name="create"),
    path("<int:pk>/terms/", views.term_add, name="term-add"),
    path("<int:pk>/positions/", views.position_add, name="position-add"),
    path("<int:pk>/milestones/", views.milestone_add, name="milestone-add"),
]
