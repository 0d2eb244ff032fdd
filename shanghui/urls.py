"""URL map: web UI, API under /api/, admin for superusers."""
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core import views as core_views
from core.importing import views as transfer_views
from portal import views_account as portal_account_views

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's set_language, which also remembers a member's choice (before the i18n include: same path).
    path("i18n/setlang/", portal_account_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("shanghui.api_urls")),
    path("", core_views.home, name="home"),
    path("jobs/", core_views.job_list, name="job-list"),
    path("jobs/<int:pk>/", core_views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/cancel/", core_views.job_cancel, name="job-cancel"),
    path("jobs/<int:pk>/retry/", core_views.job_retry, name="job-retry"),
    path("jobs/<int:pk>/download/", core_views.job_download, name="job-download"),
    path("import/", transfer_views.import_page, name="import"),
    path("import/template/<slug:kind>/", transfer_views.import_template, name="import-template"),
    path("export/<slug:kind>/", transfer_views.export_start, name="export-start"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("orgs/", include("orgs.urls")),
    path("registry/", include("registry.urls")),
    path("cases/", include("cases.urls")),
    path("", include("cases.public_urls")),
    path("pairing/", include("pairing.urls")),
    path("directory/", include("directory.urls")),
    path("catalogue/", include("directory.public_urls")),
    path("stats/", include("stats.urls")),
    path("activities/", include("activities.urls")),
    path("charity/", include("charity.urls")),
    path("awards/", include("awards.urls")),
    path("my/", include("portal.urls")),
    path("privacy/", include("privacy.urls")),
    path("members/", include("portal.staff_urls")),
    path("members/notices/", include("portal.notice_staff_urls")),
]

handler500 = "core.errors.server_error"
