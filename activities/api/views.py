"""Viewsets of the activities API: scoped reads, writes through activities.services."""
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from activities import services
from activities.api.serializers import (
    ActivitySerializer,
    AdvanceSerializer,
    CheckInSerializer,
    OutcomeSerializer,
    ProjectSerializer,
    RegistrationSerializer,
    ServiceSerializer,
    SessionSerializer,
    TeamSerializer,
    VolunteerSerializer,
)
from activities.filters import (
    ActivityFilter,
    OutcomeFilter,
    ProjectFilter,
    RegistrationFilter,
    ServiceFilter,
    SessionFilter,
    TeamFilter,
    VolunteerFilter,
)
from activities.models import (
    Activity,
    Outcome,
    Project,
    Registration,
    Service,
    Session,
    Volunteer,
    VolunteerTeam,
)
from core.api import ScopedViewSet, changed_only


def _fixed(field):
    raise ValidationError({field: _("不能修改此字段。")})


class ActivityViewSet(ScopedViewSet):
    """Activities in the caller's subtrees."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter

    def scoped_queryset(self, user):
        """Visible activities with their organizer."""
        return Activity.objects.visible_to(user).select_related("org").order_by("-start", "-pk")

    def create_object(self, data):
        """Create (activities.services.create_activity)."""
        return services.create_activity(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Change (activities.services.update_activity)."""
        return services.update_activity(by=self.request.user, activity=instance, **data)


class SessionViewSet(ScopedViewSet):
    """Sessions of the visible activities."""

    serializer_class = SessionSerializer
    filterset_class = SessionFilter

    def scoped_queryset(self, user):
        """Visible sessions."""
        return Session.objects.visible_to(user).order_by("activity", "number")

    def create_object(self, data):
        """Add a session (activities.services.add_session)."""
        return services.add_session(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Sessions are added, not rewritten: only the title and hours change."""
        data = changed_only(instance, data, {"activity", "number", "date"})
        for field in ("activity", "number", "date"):
            if field in data:
                _fixed(field)
        return services.update_session(by=self.request.user, session=instance, **data)


class RegistrationViewSet(ScopedViewSet):
    """Registrations; POST registers (waitlisted when full), `check_in` and `cancel` act on one."""

    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter

    def scoped_queryset(self, user):
        """Visible registrations."""
        return Registration.objects.visible_to(user).order_by("activity", "created_at", "pk")

    def create_object(self, data):
        """Register (activities.services.register)."""
        return services.register(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Only the contact details change; status moves through the actions."""
        data = changed_only(instance, data, {"activity", "person"})
        for field in ("activity", "person"):
            if field in data:
                _fixed(field)
        return services.update_registration(by=self.request.user, registration=instance, **data)

    @extend_schema(request=CheckInSerializer, responses={200: RegistrationSerializer})
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request, pk=None):
        """Check the participant in at a session (by number; the first when omitted)."""
        reg = self.get_object()
        body = CheckInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        number = body.validated_data.get("session")
        session = (get_object_or_404(Session, activity=reg.activity, number=number) if number
                   else services.default_session(reg.activity, request.user))
        services.check_in(by=request.user, session=session, registration=reg)
        return Response(self.get_serializer(reg).data)

    @extend_schema(request=None, responses={200: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel; the first on the waiting list moves up."""
        reg = self.get_object()
        services.cancel_registration(by=request.user, registration=reg)
        return Response(self.get_serializer(reg).data)


class OutcomeViewSet(ScopedViewSet):
    """Outcomes of the visible activities."""

    serializer_class = OutcomeSerializer
    filterset_class = OutcomeFilter

    def scoped_queryset(self, user):
        """Visible outcomes."""
        return Outcome.objects.visible_to(user).order_by("-pk")

    def create_object(self, data):
        """Add an outcome (activities.services.add_outcome)."""
        return services.add_outcome(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Outcomes of a signed project follow the project; others may be corrected."""
        data = changed_only(instance, data, {"activity"})
        if "activity" in data:
            _fixed("activity")
        return services.update_outcome(by=self.request.user, outcome=instance, **data)


class ProjectViewSet(ScopedViewSet):
    """Investment projects; `advance` moves one along the pipeline."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter

    def scoped_queryset(self, user):
        """Visible projects."""
        return Project.objects.visible_to(user).select_related("org").order_by("-pk")

    def create_object(self, data):
        """Record a lead (activities.services.create_project)."""
        return services.create_project(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Change details (activities.services.update_project)."""
        return services.update_project(by=self.request.user, project=instance, **data)

    @extend_schema(request=AdvanceSerializer, responses={200: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Move to a stage (a reason is needed to drop it)."""
        project = self.get_object()
        body = AdvanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.advance_project(by=request.user, project=project, **body.validated_data)
        return Response(self.get_serializer(project).data)


class TeamViewSet(ScopedViewSet):
    """Volunteer teams."""

    serializer_class = TeamSerializer
    filterset_class = TeamFilter

    def scoped_queryset(self, user):
        """Visible teams."""
        return VolunteerTeam.objects.visible_to(user).select_related("org").order_by("name")

    def create_object(self, data):
        """Create a team."""
        return services.create_team(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Change a team (its organization is fixed)."""
        data = changed_only(instance, data, {"org"})
        if "org" in data:
            _fixed("org")
        return services.update_team(by=self.request.user, team=instance, **data)


class VolunteerViewSet(ScopedViewSet):
    """Volunteers with their total hours."""

    serializer_class = VolunteerSerializer
    filterset_class = VolunteerFilter

    def scoped_queryset(self, user):
        """Visible volunteers."""
        return Volunteer.objects.visible_to(user).select_related("person").order_by("-hours", "pk")

    def create_object(self, data):
        """Enrol (activities.services.add_volunteer)."""
        data.pop("active", None)
        return services.add_volunteer(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Only `active` changes."""
        data = changed_only(instance, data, {"team", "person", "joined_on"})
        extra = set(data) - {"active"}
        if extra:
            _fixed(sorted(extra)[0])
        if "active" in data:
            services.set_volunteer_active(by=self.request.user, volunteer=instance, active=data["active"])
        return instance


class ServiceViewSet(ScopedViewSet):
    """Volunteer services."""

    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter

    def scoped_queryset(self, user):
        """Visible services."""
        return Service.objects.visible_to(user).order_by("-date", "-pk")

    def create_object(self, data):
        """Log a service (activities.services.log_service)."""
        return services.log_service(by=self.request.user, **data)

    def update_object(self, instance, data):
        """A logged service is a record; log a correction instead."""
        raise ValidationError(_("已记录的服务不能修改，请另行记录更正。"))
