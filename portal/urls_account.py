"""Portal URLs: the account part (included by portal/urls.py under the 'portal' namespace)."""
from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="portal/login.html",
                                                redirect_authenticated_user=True,
                                                next_page="portal:home"), name="login"),
]
