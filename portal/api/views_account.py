"""The portal's account API: my profile and my changes (members); invitations and changes (staff)."""
import django_filters as df
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import can
from core.api import ScopedViewSet, drf_validation_error
from core.scoping import CHANGE
from portal import services
from portal.access import member_of, my_enterprises, my_memberships
from portal.api.serializers_account import (
    ChangeSerializer,
    EnterpriseProposalSerializer,
    InvitationSerializer,
    LanguageSerializer,
    PersonProposalSerializer,
    ProfileSerializer,
    ProposalResultSerializer,
    RejectSerializer,
    StaffChangeSerializer,
)
from portal.models import ChangeStatus, Invitation, ProfileChange
from registry.filters import OrgSubtreeFilter


class IsMember(permissions.BasePermission):
    """The caller is a member account (its own records only)."""

    message = gettext_lazy("只有会员账号可以使用此接口。")

    def has_permission(self, request, view):
        """Put the member account on the request, or refuse."""
        request.member = member_of(request.user)
        return request.member is not None


class MemberAPIView(APIView):
    """A member endpoint: service errors become 400 with field names."""

    permission_classes = [permissions.IsAuthenticated, IsMember]

    def handle_exception(self, exc):
        """Django's ValidationError from a service → 400 naming the fields."""
        if isinstance(exc, DjangoValidationError):
            exc = drf_validation_error(exc)
        return super().handle_exception(exc)

    def propose(self, request, target, serializer_class):
        """Validate the body's shape, then let the service split verified and immediate changes."""
        body = serializer_class(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        unknown = sorted(set(request.data) - set(body.fields))
        if unknown:
            raise DjangoValidationError({f: _("不能修改此字段。") for f in unknown})
        fields = {k: ("" if v is None else v) for k, v in body.validated_data.items()}
        written = services.propose_changes(by=request.user, target=target, fields=fields)
        return Response({"changes": ChangeSerializer(written, many=True).data})


class ProfileView(MemberAPIView):
    """`/api/my/profile/`: my own record in clear; PATCH proposes changes (name and ID number wait)."""

    @extend_schema(responses=ProfileSerializer)
    def get(self, request):
        """My record, memberships, positions and enterprises."""
        member = request.member
        person = member.person
        return Response(ProfileSerializer({
            "person": person,
            "memberships": my_memberships(member).order_by("org__path"),
            "positions": person.positions.select_related("council__term", "org"),
            "enterprises": my_enterprises(member).order_by("name"),
        }).data)

    @extend_schema(request=PersonProposalSerializer, responses=ProposalResultSerializer)
    def patch(self, request):
        """Propose changes to my record: verified fields become pending, the others apply at once."""
        return self.propose(request, request.member.person, PersonProposalSerializer)


class EnterpriseProfileView(MemberAPIView):
    """`/api/my/enterprises/{id}/`: PATCH proposes changes to an enterprise I represent."""

    @extend_schema(request=EnterpriseProposalSerializer, responses=ProposalResultSerializer)
    def patch(self, request, pk):
        """Propose changes (name and credit code wait for approval); others' enterprises answer 404."""
        enterprise = generics.get_object_or_404(my_enterprises(request.member), pk=pk)
        return self.propose(request, enterprise, EnterpriseProposalSerializer)


class LanguageView(MemberAPIView):
    """`/api/my/language/`: the language I chose (zh-hans or en), remembered in my account."""

    @extend_schema(responses=LanguageSerializer)
    def get(self, request):
        """My language."""
        return Response({"language": request.member.language})

    @extend_schema(request=LanguageSerializer, responses=LanguageSerializer)
    def put(self, request):
        """Choose my language."""
        body = LanguageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        member = services.set_language(by=request.user, member=request.member, language=body.validated_data["language"])
        return Response({"language": member.language})


class ChangeListView(generics.ListAPIView):
    """`/api/my/changes/`: every change I proposed, newest first."""

    serializer_class = ChangeSerializer
    permission_classes = [permissions.IsAuthenticated, IsMember]
    filter_backends = []

    def get_queryset(self):
        """My own changes only."""
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no member
            return ProfileChange.objects.none()
        return ProfileChange.objects.filter(person=self.request.member.person).select_related("enterprise")


# --- staff ---------------------------------------------------------------------------------


class MayChangeMembersRecord(permissions.BasePermission):
    """Writes (approve, reject) need a change grant on the member's record (reads are scoped by the queryset)."""

    message = gettext_lazy("您无权处理此记录。")

    def has_object_permission(self, request, view, obj):
        """Safe methods pass; the others need `change` on the person's (or enterprise's) organization."""
        if request.method in permissions.SAFE_METHODS:
            return True
        org = obj.enterprise.org if getattr(obj, "enterprise_id", None) else obj.person.org
        return can(request.user, CHANGE, org)


class ChangeFilter(df.FilterSet):
    """Status (pending by default in the UI), organization subtree, person."""

    org = OrgSubtreeFilter(label=gettext_lazy("组织代码"))
    status = df.ChoiceFilter(choices=ChangeStatus.choices)

    class Meta:
        model = ProfileChange
        fields = ["status", "person", "org"]


class ProfileChangeViewSet(ScopedViewSet):
    """Members' proposed changes in the caller's subtrees; approve or reject the pending ones."""

    serializer_class = StaffChangeSerializer
    filterset_class = ChangeFilter
    permission_classes = [permissions.IsAuthenticated, MayChangeMembersRecord]

    def scoped_queryset(self, user):
        """Visible changes with person, organization, enterprise and approver joined."""
        return (
            ProfileChange.objects.visible_to(user)
            .select_related("person", "person__org", "enterprise", "decided_by").order_by("-pk")
        )

    def create_object(self, data):
        """Members propose changes themselves (/api/my/profile/)."""
        raise DjangoValidationError(_("资料修改由会员本人在 /api/my/profile/ 提出。"))

    def update_object(self, instance, data):
        """A change is decided, not edited."""
        raise DjangoValidationError(_("请使用 approve 或 reject。"))

    @extend_schema(request=None, responses=StaffChangeSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Apply the proposed values through the registry's services; the member is told."""
        change = self.get_object()
        services.approve_change(by=request.user, change=change)
        return Response(self.get_serializer(self.get_queryset().get(pk=change.pk)).data)

    @extend_schema(request=RejectSerializer, responses=StaffChangeSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Refuse with a reason; the record stays as it was; the member is told."""
        change = self.get_object()
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.reject_change(by=request.user, change=change, reason=body.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=change.pk)).data)


class InvitationFilter(df.FilterSet):
    """Organization subtree and person."""

    org = OrgSubtreeFilter(label=gettext_lazy("组织代码"))

    class Meta:
        model = Invitation
        fields = ["person", "org"]


class InvitationViewSet(ScopedViewSet):
    """Invitations in the caller's subtrees; POST {person, channel} invites (the link is in the answer only)."""

    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter
    permission_classes = [permissions.IsAuthenticated, MayChangeMembersRecord]

    def scoped_queryset(self, user):
        """Visible invitations with the person joined."""
        return Invitation.objects.visible_to(user).select_related("person").order_by("-pk")

    def create_object(self, data):
        """portal.services.invite; the link rides on the object for the answer."""
        invitation, link = services.invite(by=self.request.user, person=data["person"], channel=data.get("channel"),
                                           base_url=self.request.build_absolute_uri("/"))
        invitation.link = link
        return invitation

    def perform_create(self, serializer):
        """Answer with the invitation and its one-time link."""
        obj = self.create_object(dict(serializer.validated_data))
        serializer.instance = self.get_queryset().get(pk=obj.pk)
        serializer.instance.link = obj.link

    def update_object(self, instance, data):
        """An invitation is not edited: invite again."""
        raise DjangoValidationError(_("邀请不能修改，请重新邀请。"))
