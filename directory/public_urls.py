"""URLs of the public catalogue (no login)."""
from django.urls import path

from directory import views

app_name = "catalogue"
urlpatterns = [
    path("", views.catalogue, name="list"),
    path("<int:pk>/", views.catalogue_product, name="product"),
    path("supplier/<int:pk>/", views.catalogue_supplier, name="supplier"),
    path("photos/<int:pk>/<slug:size>/", views.catalogue_photo, name="photo"),
    path("inquiry/<str:key>/", views.inquiry_thread, name="inquiry"),
]
