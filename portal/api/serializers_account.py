"""Serializers of the portal's account API: my profile, my changes; staff's invitations and changes."""
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.personal import mask_value
from portal import services
from portal.models import Invitation, InvitationChannel, ProfileChange
from registry.models import Enterprise, Membership, Person


class OwnPersonSerializer(serializers.ModelSerializer):
    """The member's own person record, personal fields in clear (it is the member's own data)."""

    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "org", "org_name", "category", "gender", "birth_date", *services.MEMBER_PERSON_FIELDS]
        read_only_fields = fields


class OwnEnterpriseSerializer(serializers.ModelSerializer):
    """An enterprise the member represents."""

    class Meta:
        model = Enterprise
        fields = ["id", "kind", "country", "region", *services.MEMBER_ENTERPRISE_FIELDS]
        read_only_fields = fields


class OwnMembershipSerializer(serializers.ModelSerializer):
    """One of the member's current memberships."""

    org = serializers.CharField(source="org.code")
    org_name = serializers.CharField(source="org.name")
    enterprise = serializers.CharField(source="enterprise.name", default=None)

    class Meta:
        model = Membership
        fields = ["id", "org", "org_name", "role", "enterprise", "joined_on"]
        read_only_fields = fields


class OwnPositionSerializer(serializers.Serializer):
    """A council position the member holds or held."""

    org = serializers.CharField(source="org.code")
    org_name = serializers.CharField(source="org.name")
    term = serializers.CharField(source="council.term")
    role = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField()


class ProfileSerializer(serializers.Serializer):
    """`GET /api/my/profile/`: my record, memberships, positions and enterprises."""

    person = OwnPersonSerializer()
    memberships = OwnMembershipSerializer(many=True)
    positions = OwnPositionSerializer(many=True)
    enterprises = OwnEnterpriseSerializer(many=True)


def _proposal_fields(names):
    """Optional write fields for a PATCH of one's own record (validation is the service's)."""
    return {n: serializers.CharField(required=False, allow_blank=True, allow_null=True) for n in names}


class PersonProposalSerializer(serializers.Serializer):
    """Fields a member may change on its own record; name and ID number wait for approval."""

    def get_fields(self):
        """One optional text field per changeable field."""
        return _proposal_fields(services.MEMBER_PERSON_FIELDS)


class EnterpriseProposalSerializer(serializers.Serializer):
    """Fields a member may change on its enterprise; name and credit code wait for approval."""

    def get_fields(self):
        """One optional text field per changeable field."""
        return _proposal_fields(services.MEMBER_ENTERPRISE_FIELDS)


class LanguageSerializer(serializers.Serializer):
    """The member's language: zh-hans or en (applied at the next login and on the web at once)."""

    language = serializers.ChoiceField(choices=[code for code, _name in settings.LANGUAGES])


class ChangeSerializer(serializers.ModelSerializer):
    """A proposed change: {field: [before, after]}, its status and the reason of a refusal."""

    enterprise_name = serializers.CharField(source="enterprise.name", default=None, allow_null=True, read_only=True)

    class Meta:
        model = ProfileChange
        fields = ["id", "person", "enterprise", "enterprise_name", "changes", "status", "reason", "created_at",
                  "decided_at"]
        read_only_fields = fields


class ProposalResultSerializer(serializers.Serializer):
    """What a PATCH did: the changes written (applied at once, or pending approval)."""

    changes = ChangeSerializer(many=True)


class StaffChangeSerializer(serializers.ModelSerializer):
    """A member's proposed change as the secretariat sees it: personal values masked in lists; in clear
    on the detail for a user with the personal-data grant (logged as a reveal)."""

    person_name = serializers.CharField(source="person.name", read_only=True)
    org = serializers.CharField(source="person.org.code", read_only=True)
    enterprise_name = serializers.CharField(source="enterprise.name", default=None, allow_null=True, read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = ProfileChange
        fields = ["id", "person", "person_name", "org", "enterprise", "enterprise_name", "changes", "status",
                  "reason", "created_at", "decided_by", "decided_at"]
        read_only_fields = fields

    def to_representation(self, instance):
        """Personal values (ID number, phone …) masked, except on the detail for a caller who may see them."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        view = self.context.get("view")
        reveal = getattr(view, "action", None) in ("retrieve", "approve", "reject")
        rows = services.change_rows(instance, getattr(request, "user", None), reveal=reveal)
        data["changes"] = {field: [before, after] for field, _label, before, after, _current in rows}
        return data


class RejectSerializer(serializers.Serializer):
    """Why the change is refused (the member reads it)."""

    reason = serializers.CharField(max_length=300, help_text=_("驳回理由"))


class VisiblePersonField(serializers.PrimaryKeyRelatedField):
    """A person id the caller may change; others do not exist for it."""

    def get_queryset(self):
        """People in the caller's subtrees, not merged."""
        from core.scoping import CHANGE

        request = self.context.get("request")
        return Person.objects.visible_to(getattr(request, "user", None), CHANGE).active()


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation; the link is in the answer to its creation only (only its hash is stored)."""

    person = VisiblePersonField()
    person_name = serializers.CharField(source="person.name", read_only=True)
    channel = serializers.ChoiceField(choices=InvitationChannel.choices, required=False)
    address = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "person", "person_name", "channel", "address", "expires_at", "accepted_at", "created_at",
                  "link"]
        read_only_fields = ["address", "expires_at", "accepted_at", "created_at"]

    @extend_schema_field({"type": "string", "description": "masked"})
    def get_address(self, obj) -> str:
        """The e-mail or phone the link went to, masked."""
        return mask_value("email" if obj.channel == InvitationChannel.EMAIL else "phone", obj.address)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_link(self, obj) -> str | None:
        """The one-time link, in the creation's answer only."""
        return getattr(obj, "link", None)
