"""URLs of the staff pages of the directory."""
from django.urls import path

from directory import views

app_name = "directory"
urlpatterns = [
    path("", views.product_list, name="product-list"),
    path("products/new/", views.product_create, name="product-create"),
    path("products/<int:pk>/", views.product_detail, name="product-detail"),
    path("products/<int:pk>/edit/", views.product_edit, name="product-edit"),
    path("products/<int:pk>/status/", views.product_status, name="product-status"),
    path("products/<int:pk>/photos/", views.photo_add, name="photo-add"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo-delete"),
    path("photos/import/", views.photo_zip, name="photo-zip"),
    path("demands/", views.demand_list, name="demand-list"),
    path("demands/new/", views.demand_create, name="demand-create"),
    path("demands/<int:pk>/", views.demand_detail, name="demand-detail"),
    path("demands/<int:pk>/close/", views.demand_close, name="demand-close"),
    path("inquiries/", views.inquiry_list, name="inquiry-list"),
    path("glossary/", views.glossary_page, name="glossary"),
]
