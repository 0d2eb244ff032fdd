"""Portal API URLs: the business part (included by portal/api/urls.py under the 'portal-api' namespace)."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from portal.api import views_business as v

router = SimpleRouter()
router.register("products", v.MyProductViewSet, basename="my-product")
router.register("demands", v.MyDemandViewSet, basename="my-demand")
router.register("inquiries", v.MyInquiryViewSet, basename="my-inquiry")
router.register("pairs", v.MyPairViewSet, basename="my-pair")
router.register("donations", v.MyDonationViewSet, basename="my-donation")

urlpatterns = [
    path("matches/", v.MyMatchesView.as_view(), name="my-matches"),
    *router.urls,
]
