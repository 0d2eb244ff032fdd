"""Portal API URLs: the business part (included by portal/api/urls.py under the 'portal-api' namespace)."""

urlpatterns = []
