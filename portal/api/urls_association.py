"""Portal API URLs: the association part (included by portal/api/urls.py under the 'portal-api' namespace)."""

urlpatterns = []
