"""The members' API for "my associations" and "my requests" under /api/my/, and the staff's notices viewset.

Member endpoints answer only member accounts, and every queryset starts from the member
(`portal.association`); another member's record answers 404. Writes go through the apps'
services: activities.services.register / cancel_own_registration, cases.services.submit_member /
member_satisfaction.
"""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from activities import services as activity_services
from activities.models import Channel, RegStatus
from cases import services as case_services
from core.api import ScopedViewSet, drf_validation_error
from portal import association as mine
from portal import notices
from portal.access import member_of, my_orgs
from portal.api import serializers_association as s
from portal.forms_association import NoticeFilter
from portal.models import Notice

# --- staff -------------------------------------------------------------------------------------


class NoticeViewSet(ScopedViewSet):
    """Notices to members in the caller's subtrees; writes through portal.notices."""

    serializer_class = s.NoticeSerializer
    filterset_class = NoticeFilter

    def scoped_queryset(self, user):
        """Visible notices with their organization."""
        return Notice.objects.visible_to(user).select_related("org").order_by("-published_at", "-pk")

    def create_object(self, data):
        """Write a draft (portal.notices.create_notice)."""
        return notices.create_notice(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Change a notice (portal.notices.update_notice)."""
        return notices.update_notice(by=self.request.user, notice=instance, **data)

    @extend_schema(request=s.PublishSerializer, responses=s.NoticeSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the notice to members (now, or at `at`)."""
        notice = self.get_object()
        body = s.PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notices.publish_notice(by=request.user, notice=notice, at=body.validated_data.get("at"))
        return Response(s.NoticeSerializer(notice, context={"request": request}).data)

    @extend_schema(request=None, responses=s.NoticeSerializer)
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        """Take the notice back to draft."""
        notice = self.get_object()
        notices.unpublish_notice(by=request.user, notice=notice)
        return Response(s.NoticeSerializer(notice, context={"request": request}).data)


# --- members -----------------------------------------------------------------------------------


class IsMember(permissions.BasePermission):
    """Member accounts only; sets `request.member`."""

    message = _("只有会员账号可以使用此接口。")

    def has_permission(self, request, view):
        """True for a logged-in member account."""
        member = member_of(request.user)
        if member is None:
            return False
        request.member = member
        return True


class MemberMixin:
    """Shared by the member endpoints: member permission; service errors as 400/403."""

    permission_classes = [permissions.IsAuthenticated, IsMember]

    def handle_exception(self, exc):
        """A service's ValidationError → 400 with field names, PermissionDenied → 403."""
        if isinstance(exc, DjangoValidationError):
            exc = drf_validation_error(exc)
        elif isinstance(exc, DjangoPermissionDenied):
            exc = PermissionDenied(str(exc) or None)
        return super().handle_exception(exc)


class MyNoticeList(MemberMixin, generics.ListAPIView):
    """News and notices published to the member by its associations."""

    serializer_class = s.MemberNoticeSerializer

    def get_queryset(self):
        """Published notices of my organizations (council-only ones for council members)."""
        return mine.notices_for(self.request.member)


class MyNoticeDetail(MemberMixin, generics.RetrieveAPIView):
    """One notice published to the member."""

    serializer_class = s.MemberNoticeSerializer

    def get_queryset(self):
        """Published notices of my organizations."""
        return mine.notices_for(self.request.member)


class MyOrgList(MemberMixin, generics.ListAPIView):
    """The member's organizations, each with its council and terms."""

    serializer_class = s.MyOrgSerializer
    pagination_class = None

    def get_queryset(self):
        """My organizations with their terms, councils and positions."""
        from django.db.models import Prefetch

        from orgs.models import Term

        terms = Term.objects.order_by("-number").prefetch_related(*_council_prefetch())
        return my_orgs(self.request.member).prefetch_related(Prefetch("terms", queryset=terms))

    def get_serializer_context(self):
        """The organizations where the member sits in the council."""
        return {**super().get_serializer_context(), "council": mine.council_org_ids(self.request.member)}


def _council_prefetch():
    from django.db.models import Prefetch

    from orgs.models import Council, Position

    positions = Position.objects.select_related("person").order_by("role", "person__name")
    return [Prefetch("councils", queryset=Council.objects.order_by("kind").prefetch_related(
        Prefetch("positions", queryset=positions)))]


class MyActivityList(MemberMixin, generics.ListAPIView):
    """Upcoming activities of the member's organizations it may register for."""

    serializer_class = s.MyActivitySerializer

    def get_queryset(self):
        """Upcoming activities with the number of places taken."""
        return mine.activities_for(self.request.member).annotate(
            taken=Count("registrations", filter=Q(registrations__status=RegStatus.REGISTERED), distinct=True))


class MyActivityRegister(MemberMixin, APIView):
    """Register the member for an activity (waiting list when full)."""

    @extend_schema(request=None, responses={201: s.MyRegistrationSerializer})
    def post(self, request, pk):
        """The new registration (status registered or waitlisted)."""
        activity = get_object_or_404(mine.activities_for(request.member), pk=pk)
        reg = activity_services.register(by=request.user, activity=activity, person=request.member.person,
                                         channel=Channel.PORTAL)
        return Response(s.MyRegistrationSerializer(reg, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class MyRegistrationList(MemberMixin, generics.ListAPIView):
    """The member's registrations with their check-in codes and pass links."""

    serializer_class = s.MyRegistrationSerializer

    def get_queryset(self):
        """My registrations."""
        return mine.registrations_of(self.request.member)


class MyRegistrationCancel(MemberMixin, APIView):
    """Cancel the member's own registration."""

    @extend_schema(request=None, responses=s.MyRegistrationSerializer)
    def post(self, request, pk):
        """The cancelled registration."""
        reg = get_object_or_404(mine.registrations_of(request.member), pk=pk)
        activity_services.cancel_own_registration(by=request.user, registration=reg)
        reg.refresh_from_db()
        return Response(s.MyRegistrationSerializer(reg, context={"request": request}).data)


class MyDues(MemberMixin, APIView):
    """The member's dues statement in each of its memberships."""

    @extend_schema(responses=s.DuesSerializer(many=True))
    def get(self, request):
        """Per membership and year: due, paid, owed."""
        return Response(s.DuesSerializer(mine.dues_of(request.member), many=True).data)


class MyCaseList(MemberMixin, generics.ListCreateAPIView):
    """The member's cases; POST files a new request (channel member_portal)."""

    serializer_class = s.MyCaseSerializer

    def get_queryset(self):
        """My cases, newest first."""
        return mine.cases_of(self.request.member)

    @extend_schema(request=s.MyCaseCreateSerializer, responses={201: s.MyCaseDetailSerializer})
    def post(self, request):
        """File a request with one of my organizations (given by its code)."""
        body = s.MyCaseCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        org = my_orgs(request.member).filter(code=data.pop("org").strip()).first()
        if org is None:
            raise DjangoValidationError({"org": _("请选择您所属的商会。")})
        case = case_services.submit_member(by=request.user, org=org, **data)
        case = mine.cases_of(request.member).get(pk=case.pk)
        return Response(s.MyCaseDetailSerializer(case).data, status=status.HTTP_201_CREATED)


class MyCaseDetail(MemberMixin, generics.RetrieveAPIView):
    """One of the member's cases with the entries the applicant may see."""

    serializer_class = s.MyCaseDetailSerializer

    def get_queryset(self):
        """My cases."""
        return mine.cases_of(self.request.member)


class MyCaseSatisfaction(MemberMixin, APIView):
    """Answer the satisfaction follow-up of a closed case (once)."""

    @extend_schema(request=s.SatisfactionSerializer, responses=s.MyCaseDetailSerializer)
    def post(self, request, pk):
        """The case with the recorded score."""
        case = get_object_or_404(mine.cases_of(request.member), pk=pk)
        body = s.SatisfactionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = case_services.member_satisfaction(by=request.user, case=case, **body.validated_data)
        return Response(s.MyCaseDetailSerializer(case).data)
