"""URLs of the awards pages (the public list is at /awards/list/<code>/, no login)."""
from django.urls import path

from awards import views

app_name = "awards"
urlpatterns = [
    path("", views.campaign_list, name="campaign-list"),
    path("<int:pk>/", views.campaign_detail, name="campaign-detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign-edit"),
    path("<int:pk>/step/<slug:step>/", views.campaign_step, name="campaign-step"),
    path("<int:pk>/criteria/", views.criterion_add, name="criterion-add"),
    path("<int:pk>/judges/", views.judge_add, name="judge-add"),
    path("<int:pk>/judges/<int:judge>/assign/", views.judge_assign, name="judge-assign"),
    path("<int:pk>/judges/<int:judge>/remove/", views.judge_remove, name="judge-remove"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("nominations/<int:pk>/", views.nomination_detail, name="nomination-detail"),
    path("nominations/<int:pk>/evidence/", views.evidence_add, name="evidence-add"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("nominations/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("judging/", views.judging, name="judging"),
    path("judging/<int:pk>/", views.score, name="score"),
    path("judging/<int:pk>/conflict/", views.declare_conflict, name="declare-conflict"),
    path("nominations/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("nominations/<int:pk>/objections/<int:objection>/", views.objection_answer, name="objection-answer"),
    path("certifications/", views.certification_list, name="certification-list"),
    path("certifications/<int:pk>/", views.certification_edit, name="certification-edit"),
    path("list/<slug:code>/", views.public_list, name="public"),
]
