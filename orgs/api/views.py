"""Viewsets of the organization API: scoped reads, writes through orgs.services."""
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr

from core.api import ScopedViewSet
from orgs import services
from orgs.api.serializers import OrganizationSerializer
from orgs.filters import OrganizationFilter
from orgs.models import Organization


def with_parent(qs):
    """Annotate each organization with its parent's code and id (the path minus one step)."""
    parent = Organization.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
    )
    return qs.annotate(
        parent_code=Subquery(parent.values("code")[:1]),
        parent_pk=Subquery(parent.values("pk")[:1]),
    )


class OrganizationViewSet(ScopedViewSet):
    """Organizations in the caller's subtrees; create under a parent, update, move by changing `parent`."""

    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter

    def scoped_queryset(self, user):
        """Visible organizations, ordered by path, with their parent annotated."""
        return with_parent(Organization.objects.visible_to(user))

    def create_object(self, data):
        """Add the organization under its parent (orgs.services.create_organization)."""
        parent = data.pop("parent", None)
        return services.create_organization(by=self.request.user, parent=parent, **data)

    def update_object(self, instance, data):
        """Change fields; a different `parent` moves the organization with its subtree."""
        parent = data.pop("parent", None)
        with transaction.atomic():
            org = services.update_organization(by=self.request.user, org=instance, **data)
            if parent is not None and parent.pk != instance.parent_pk:
                org = services.move_organization(by=self.request.user, org=org, new_parent=parent)
        return org
