"""URLs of the charity pages."""
from django.urls import path

from charity import views

app_name = "charity"
urlpatterns = [
    path("", views.fund_list, name="fund-list"),
    path("funds/<int:pk>/", views.fund_detail, name="fund-detail"),
    path("donations/", views.donation_list, name="donation-list"),
    path("donations/<int:pk>/receipt/", views.donation_receipt, name="donation-receipt"),
    path("beneficiaries/", views.beneficiary_list, name="beneficiary-list"),
    path("beneficiaries/<int:pk>/", views.beneficiary_detail, name="beneficiary-detail"),
    path("beneficiaries/<int:pk>/reveal/", views.beneficiary_reveal, name="beneficiary-reveal"),
    path("disbursements/", views.disbursement_list, name="disbursement-list"),
    path("disbursements/<int:pk>/decide/", views.disbursement_decide, name="disbursement-decide"),
    path("honors/", views.honor_list, name="honor-list"),
]
