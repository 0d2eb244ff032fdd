"""The REST API under /api/: one router for every app's viewsets, the token endpoint, schema and docs."""
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api.views import ObtainTokenView
from activities.api.views import (
    ActivityViewSet,
    OutcomeViewSet,
    ProjectViewSet,
    RegistrationViewSet,
    ServiceViewSet,
    SessionViewSet,
    TeamViewSet,
    VolunteerViewSet,
)
from awards.api.views import (
    AssignmentListView,
    AssignmentScoreView,
    CampaignViewSet,
    CertificationViewSet,
    JudgeViewSet,
    NominationViewSet,
)
from cases.api.views import (
    CaseViewSet,
    ChallengeView,
    DepartmentViewSet,
    DispatchViewSet,
    ExpertViewSet,
    IntakeView,
    TrackView,
)
from charity.api.views import (
    BeneficiaryViewSet,
    DisbursementViewSet,
    DonationViewSet,
    FundViewSet,
    HonorViewSet,
)
from directory.api.views import (
    DemandViewSet,
    InquiryViewSet,
    ProductViewSet,
    PublicCatalogueView,
    PublicInquiryView,
)
from orgs.api.views import OrganizationViewSet
from pairing.api.views import (
    FollowUpViewSet,
    PairRuleViewSet,
    PairViewSet,
    ParticipantViewSet,
    ProgramViewSet,
    ProposalViewSet,
    RunViewSet,
)
from portal.api.views_account import InvitationViewSet, ProfileChangeViewSet
from portal.api.views_association import NoticeViewSet
from privacy.api.views import ConsentViewSet, PersonExportView, SubjectRequestViewSet
from registry.api.views import EnterpriseViewSet, MembershipViewSet, PersonViewSet
from stats.api.reporting import ReviewTemplateViewSet, SubmissionViewSet
from stats.api.views import IndicatorListView, IndicatorView

router = DefaultRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("stats/submissions", SubmissionViewSet, basename="stats-submission")
router.register("stats/review-templates", ReviewTemplateViewSet, basename="stats-review-template")
router.register("people", PersonViewSet, basename="person")
router.register("enterprises", EnterpriseViewSet, basename="enterprise")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("cases", CaseViewSet, basename="case")
router.register("dispatches", DispatchViewSet, basename="dispatch")
router.register("case-departments", DepartmentViewSet, basename="case-department")
router.register("experts", ExpertViewSet, basename="expert")
router.register("pairing/programs", ProgramViewSet, basename="pairing-program")
router.register("pairing/participants", ParticipantViewSet, basename="pairing-participant")
router.register("pairing/rules", PairRuleViewSet, basename="pairing-rule")
router.register("pairing/runs", RunViewSet, basename="pairing-run")
router.register("pairing/proposals", ProposalViewSet, basename="pairing-proposal")
router.register("pairing/pairs", PairViewSet, basename="pairing-pair")
router.register("pairing/follow-ups", FollowUpViewSet, basename="pairing-follow-up")
router.register("directory/products", ProductViewSet, basename="directory-product")
router.register("directory/demands", DemandViewSet, basename="directory-demand")
router.register("directory/inquiries", InquiryViewSet, basename="directory-inquiry")
router.register("activities/activities", ActivityViewSet, basename="activity")
router.register("activities/sessions", SessionViewSet, basename="activity-session")
router.register("activities/registrations", RegistrationViewSet, basename="activity-registration")
router.register("activities/outcomes", OutcomeViewSet, basename="activity-outcome")
router.register("activities/projects", ProjectViewSet, basename="investment-project")
router.register("activities/volunteer-teams", TeamViewSet, basename="volunteer-team")
router.register("activities/volunteers", VolunteerViewSet, basename="volunteer")
router.register("activities/volunteer-services", ServiceViewSet, basename="volunteer-service")
router.register("charity/funds", FundViewSet, basename="charity-fund")
router.register("charity/donations", DonationViewSet, basename="charity-donation")
router.register("charity/beneficiaries", BeneficiaryViewSet, basename="charity-beneficiary")
router.register("charity/disbursements", DisbursementViewSet, basename="charity-disbursement")
router.register("charity/honors", HonorViewSet, basename="charity-honor")
router.register("awards/campaigns", CampaignViewSet, basename="awards-campaign")
router.register("awards/nominations", NominationViewSet, basename="awards-nomination")
router.register("awards/judges", JudgeViewSet, basename="awards-judge")
router.register("awards/certifications", CertificationViewSet, basename="awards-certification")
router.register("privacy/requests", SubjectRequestViewSet, basename="privacy-request")
router.register("privacy/consents", ConsentViewSet, basename="privacy-consent")
router.register("members/invitations", InvitationViewSet, basename="member-invitation")
router.register("members/changes", ProfileChangeViewSet, basename="member-change")
router.register("portal/notices", NoticeViewSet, basename="portal-notice")

# Swagger UI writes inline styles; its script comes from a separate URL, so only style-src is relaxed.
docs_view = csp_update({"style-src": ["'unsafe-inline'"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("my/", include("portal.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", docs_view, name="api-docs"),
    path("indicators/", IndicatorListView.as_view(), name="api-indicators"),
    path("indicators/<str:key>/", IndicatorView.as_view(), name="api-indicator"),
    path("public/intake/challenge/", ChallengeView.as_view(), name="api-intake-challenge"),
    path("public/intake/", IntakeView.as_view(), name="api-intake"),
    path("public/track/", TrackView.as_view(), name="api-track"),
    path("public/catalogue/", PublicCatalogueView.as_view(), name="api-catalogue"),
    path("public/inquiries/", PublicInquiryView.as_view(), name="api-catalogue-inquiry"),
    path("awards/assignments/", AssignmentListView.as_view(), name="api-awards-assignments"),
    path("privacy/people/<int:pk>/export/", PersonExportView.as_view(), name="api-privacy-export"),
    path("awards/assignments/<int:pk>/scores/", AssignmentScoreView.as_view(), name="api-awards-score"),
    *router.urls,
]
