"""URLs of the pairing pages."""
from django.urls import path

from pairing import views

app_name = "pairing"
urlpatterns = [
    path("", views.program_list, name="program-list"),
    path("programs/new/", views.program_create, name="program-create"),
    path("programs/<int:pk>/", views.program_detail, name="program-detail"),
    path("programs/<int:pk>/edit/", views.program_edit, name="program-edit"),
    path("programs/<int:pk>/participants/", views.participant_list, name="participant-list"),
    path("programs/<int:pk>/participants/new/", views.participant_form, name="participant-create"),
    path("programs/<int:pk>/participants/<int:participant_pk>/", views.participant_form, name="participant-edit"),
    path("programs/<int:pk>/rules/", views.rule_add, name="rule-add"),
    path("programs/<int:pk>/pairs/new/", views.pair_create, name="pair-create"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule-delete"),
    path("programs/<int:pk>/run/", views.run_start, name="run-start"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/decide/", views.run_decide, name="run-decide"),
    path("proposals/<int:pk>/explain/", views.proposal_explain, name="proposal-explain"),
    path("pairs/", views.pair_list, name="pair-list"),
    path("pairs/<int:pk>/", views.pair_detail, name="pair-detail"),
    path("pairs/<int:pk>/action/", views.pair_action, name="pair-action"),
]
