"""Portal URLs: the business part (included by portal/urls.py under the 'portal' namespace)."""
from django.urls import path

from portal import views_business as b
from portal import views_giving as g

urlpatterns = [
    path("business/", b.business, name="business"),
    path("business/products/new/", b.product_create, name="business-product-create"),
    path("business/products/<int:pk>/", b.product_detail, name="business-product"),
    path("business/products/<int:pk>/status/", b.product_status, name="business-product-status"),
    path("business/products/<int:pk>/photos/", b.photo_add, name="business-photo-add"),
    path("business/photos/<int:pk>/delete/", b.photo_delete, name="business-photo-delete"),
    path("business/photos/<int:pk>/<slug:size>/", b.photo_file, name="business-photo"),
    path("business/demands/new/", b.demand_create, name="business-demand-create"),
    path("business/demands/<int:pk>/", b.demand_detail, name="business-demand"),
    path("business/demands/<int:pk>/close/", b.demand_close, name="business-demand-close"),
    path("business/matches/", b.matches, name="business-matches"),
    path("business/inquiries/", b.inquiries, name="business-inquiries"),
    path("business/inquiries/<int:pk>/", b.inquiry_detail, name="business-inquiry"),
    path("business/inquire/<int:pk>/", b.inquire, name="business-inquire"),
    path("pairings/", g.pairs, name="pairings"),
    path("pairings/<int:pk>/", g.pair_detail, name="pairing"),
    path("giving/", g.donations, name="giving"),
    path("giving/<int:pk>/receipt/", g.receipt, name="giving-receipt"),
]
