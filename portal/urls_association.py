"""Portal URLs: the association part (included by portal/urls.py under the 'portal' namespace)."""

urlpatterns = []
