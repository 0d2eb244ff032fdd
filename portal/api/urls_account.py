"""Portal API URLs: the account part (included by portal/api/urls.py under the 'portal-api' namespace)."""

urlpatterns = []
