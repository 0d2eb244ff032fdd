"""Serializers of the members' API ("my associations", "my requests") and of the staff's notices API."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from activities.models import Activity, Registration
from cases.models import Case, Kind
from core.api import OrgField
from orgs.models import Organization, Position, Term
from portal.models import Notice

# --- staff -------------------------------------------------------------------------------------


class NoticeSerializer(serializers.ModelSerializer):
    """A notice as staff write it; publishing goes through the publish/unpublish actions."""

    org = OrgField()

    class Meta:
        model = Notice
        fields = ["id", "org", "kind", "title", "body", "council_only", "published_at", "created_at"]
        read_only_fields = ["published_at", "created_at"]


class PublishSerializer(serializers.Serializer):
    """When to publish (now when left out)."""

    at = serializers.DateTimeField(required=False, allow_null=True)


# --- members -----------------------------------------------------------------------------------


class MemberNoticeSerializer(serializers.ModelSerializer):
    """A notice as a member reads it."""

    org = serializers.CharField(source="org.code", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "org", "org_name", "kind", "title", "body", "council_only", "published_at"]


class PositionSerializer(serializers.ModelSerializer):
    """A position in a council: role and holder's name."""

    name = serializers.CharField(source="person.name", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Position
        fields = ["role", "role_display", "name", "since", "until"]


class CouncilSerializer(serializers.Serializer):
    """A council or supervisory board of a term with its positions."""

    kind = serializers.CharField()
    positions = PositionSerializer(many=True, source="positions.all")


class TermSerializer(serializers.ModelSerializer):
    """A term of office with its councils."""

    councils = CouncilSerializer(many=True, source="councils.all")

    class Meta:
        model = Term
        fields = ["number", "starts_on", "ends_on", "councils"]


class MyOrgSerializer(serializers.ModelSerializer):
    """One of the member's organizations, with its council and terms."""

    terms = TermSerializer(many=True, read_only=True)
    in_council = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = ["id", "code", "name", "short_name", "contact_phone", "address", "in_council", "terms"]

    def get_in_council(self, org) -> bool:
        """Whether the member holds a current council position here."""
        return org.pk in self.context.get("council", set())


class MyActivitySerializer(serializers.ModelSerializer):
    """An upcoming activity the member may register for."""

    org = serializers.CharField(source="org.code", read_only=True)
    places_left = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = ["id", "org", "kind", "title", "start", "end", "city", "country", "capacity", "places_left",
                  "audience", "registration_open", "description", "agenda"]

    def get_places_left(self, activity) -> int | None:
        """Places still free (None when the activity has no limit)."""
        taken = getattr(activity, "taken", None)
        if activity.capacity is None or taken is None:
            return None
        return max(activity.capacity - taken, 0)


class MyRegistrationSerializer(serializers.ModelSerializer):
    """The member's registration with its check-in code and the link to its pass page."""

    activity_title = serializers.CharField(source="activity.title", read_only=True)
    activity_start = serializers.DateField(source="activity.start", read_only=True)
    checkin_code = serializers.SerializerMethodField()
    pass_url = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = ["id", "activity", "activity_title", "activity_start", "status", "channel", "created_at",
                  "checkin_code", "pass_url"]

    def get_checkin_code(self, reg) -> str:
        """The signed code the QR code carries."""
        from activities.services import checkin_token

        return checkin_token(reg)

    def get_pass_url(self, reg) -> str:
        """The absolute URL of the pass page with the QR code."""
        url = reverse("activities:public-pass", args=[self.get_checkin_code(reg)])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class DuesYearSerializer(serializers.Serializer):
    """One year of a dues statement."""

    year = serializers.IntegerField()
    due = serializers.DecimalField(max_digits=12, decimal_places=2)
    paid = serializers.DecimalField(max_digits=12, decimal_places=2)
    owed = serializers.DecimalField(max_digits=12, decimal_places=2)


class DuesSerializer(serializers.Serializer):
    """The dues statement of one membership."""

    membership = serializers.IntegerField(source="membership.pk")
    org = serializers.CharField(source="membership.org.code")
    org_name = serializers.CharField(source="membership.org.name")
    role = serializers.CharField(source="membership.role")
    owed = serializers.DecimalField(max_digits=12, decimal_places=2)
    years = DuesYearSerializer(many=True)


class UpdateSerializer(serializers.Serializer):
    """A public entry of a case's timeline."""

    at = serializers.CharField()
    status = serializers.CharField()
    text = serializers.CharField()


class MyCaseSerializer(serializers.ModelSerializer):
    """The member's case as the applicant sees it: no internal notes, no officer, no parties' data."""

    org = serializers.CharField(source="org.code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    may_rate = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "number", "org", "kind", "channel", "status", "status_display", "subject", "description",
                  "other_party", "amount_involved", "submitted_at", "closed_at", "satisfaction",
                  "satisfaction_comment", "may_rate"]

    def get_may_rate(self, case) -> bool:
        """Whether the satisfaction follow-up can be answered now (closed and not yet rated)."""
        return case.status == "closed" and case.satisfaction is None


class MyCaseDetailSerializer(MyCaseSerializer):
    """A case with the entries of its timeline the applicant may see."""

    updates = serializers.SerializerMethodField()

    class Meta(MyCaseSerializer.Meta):
        fields = [*MyCaseSerializer.Meta.fields, "updates"]

    def get_updates(self, case) -> list[dict]:
        """The public entries (what the public tracking page shows)."""
        from portal.association import case_status

        return UpdateSerializer(case_status(case)["updates"], many=True).data


class MyCaseCreateSerializer(serializers.Serializer):
    """A request filed by a member."""

    org = serializers.CharField(help_text=_("受理商会代码（须为您所属的商会）"))
    kind = serializers.ChoiceField(choices=Kind.choices)
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    other_party = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    amount_involved = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True,
                                               min_value=0)


class SatisfactionSerializer(serializers.Serializer):
    """The answer to the satisfaction follow-up."""

    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
