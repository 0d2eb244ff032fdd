"""Portal URLs: the business part (included by portal/urls.py under the 'portal' namespace)."""

urlpatterns = []
