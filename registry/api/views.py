"""Viewsets of the registry API: scoped reads, writes through registry.services, reveal of personal data."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api import RevealMixin, ScopedViewSet, TagNamesMixin, changed_only
from registry import services
from registry.api.serializers import EnterpriseSerializer, MembershipSerializer, PersonSerializer
from registry.filters import EnterpriseFilter, MembershipFilter, PersonFilter
from registry.models import Enterprise, Membership, Person


class DuplicateSerializer(serializers.Serializer):
    """The answer when the person is already registered (409)."""

    detail = serializers.CharField()
    reason = serializers.CharField()
    code = serializers.CharField()
    existing = serializers.ListField(child=serializers.IntegerField(), help_text=_("您可查看的已登记人员编号"))
    existing_elsewhere = serializers.IntegerField(help_text=_("您的范围之外的已登记人员数"))


def duplicate_response(exc: services.DuplicateFound, user) -> Response:
    """409 naming the existing records; ids outside the caller's scope are only counted, never shown."""
    ids = [p.pk for p in exc.existing]
    visible = sorted(Person.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return Response(
        {"detail": exc.reason, "reason": exc.reason, "code": "duplicate", "existing": visible,
         "existing_elsewhere": len(ids) - len(visible)},
        status=status.HTTP_409_CONFLICT,
    )


class MergeSerializer(serializers.Serializer):
    """The duplicate record to fold into this one."""

    drop = serializers.IntegerField(help_text=_("要并入本记录的重复人员编号"))


_person_write = extend_schema(responses={200: PersonSerializer, 201: PersonSerializer, 409: DuplicateSerializer})


@extend_schema_view(create=_person_write, update=_person_write, partial_update=_person_write)
class PersonViewSet(TagNamesMixin, RevealMixin, ScopedViewSet):
    """People in the caller's subtrees (merged records hidden); personal data masked, revealed on request."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def scoped_queryset(self, user):
        """Visible, not merged, with organization and tags joined."""
        return (
            Person.objects.visible_to(user).active()
            .select_related("org").prefetch_related("tags").order_by("-pk")
        )

    def create_object(self, data):
        """Register the person (registry.services.create_person: validation and dedupe)."""
        tags = data.pop("tags", None)
        return services.create_person(by=self.request.user, tags=tags, **data)

    def update_object(self, instance, data):
        """Change the person (registry.services.update_person)."""
        tags = data.pop("tags", None)
        return services.update_person(by=self.request.user, person=instance, tags=tags, **data)

    @extend_schema(request=MergeSerializer, responses={200: PersonSerializer})
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge a duplicate into this person: memberships, positions and history of both are kept."""
        keep = self.get_object()
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        drop = get_object_or_404(self.get_queryset(), pk=body.validated_data["drop"])
        services.merge_people(by=request.user, keep=keep, drop=drop)
        return Response(self.get_serializer(self.get_queryset().get(pk=keep.pk)).data)

    def handle_exception(self, exc):
        """A duplicate answers 409 with the existing records, before the generic 400 mapping."""
        if isinstance(exc, services.DuplicateFound):
            return duplicate_response(exc, self.request.user)
        return super().handle_exception(exc)


class EnterpriseViewSet(TagNamesMixin, RevealMixin, ScopedViewSet):
    """Enterprises in the caller's subtrees; phone and address masked, revealed on request."""

    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilter

    def scoped_queryset(self, user):
        """Visible enterprises with organization and tags joined."""
        return (
            Enterprise.objects.visible_to(user)
            .select_related("org").prefetch_related("tags").order_by("-pk")
        )

    def create_object(self, data):
        """Register the enterprise (registry.services.create_enterprise)."""
        tags = data.pop("tags", None)
        return services.create_enterprise(by=self.request.user, tags=tags, **data)

    def update_object(self, instance, data):
        """Change the enterprise (registry.services.update_enterprise)."""
        tags = data.pop("tags", None)
        return services.update_enterprise(by=self.request.user, enterprise=instance, tags=tags, **data)


class MembershipViewSet(ScopedViewSet):
    """Memberships in the caller's subtrees; after joining only role and dates change."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter

    def scoped_queryset(self, user):
        """Visible memberships with organization, person and enterprise joined."""
        return (
            Membership.objects.visible_to(user)
            .select_related("org", "person", "enterprise").order_by("-pk")
        )

    def create_object(self, data):
        """Enrol the member (registry.services.add_membership)."""
        return services.add_membership(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Change role or dates (registry.services.update_membership); org and member are fixed."""
        data = changed_only(instance, data, {"org", "person", "enterprise"})
        return services.update_membership(by=self.request.user, membership=instance, **data)
