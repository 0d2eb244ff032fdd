"""Serializers of the activities API."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from activities.models import (
    Activity,
    Outcome,
    Project,
    Registration,
    Service,
    Session,
    Stage,
    Volunteer,
    VolunteerTeam,
)
from core.api import MaskedCharField, OrgField
from registry.api.serializers import ScopedPrimaryKeyField
from registry.models import Enterprise, Person


class ActivitySerializer(serializers.ModelSerializer):
    """An activity; `participants`, `person_times` and `hours` are counted from check-ins."""

    org = OrgField(help_text=_("主办组织的代码或编号"))

    class Meta:
        model = Activity
        fields = ["id", "org", "number", "kind", "title", "start", "end", "city", "country", "destinations",
                  "capacity", "audience", "description", "agenda", "registration_open", "participants",
                  "person_times", "hours", "created_at"]
        read_only_fields = ["participants", "person_times", "hours", "created_at"]
        validators = []


class SessionSerializer(serializers.ModelSerializer):
    """A session of an activity."""

    activity = ScopedPrimaryKeyField(Activity)

    class Meta:
        model = Session
        fields = ["id", "activity", "number", "date", "title", "hours"]
        extra_kwargs = {"number": {"required": False}}
        validators = []


class RegistrationSerializer(serializers.ModelSerializer):
    """A registration; `status` is decided by the places left (waitlisted when full)."""

    activity = ScopedPrimaryKeyField(Activity)
    person = ScopedPrimaryKeyField(Person, required=False, allow_null=True)
    phone = MaskedCharField(max_length=20, required=False, allow_blank=True)

    class Meta:
        model = Registration
        fields = ["id", "activity", "person", "name", "phone", "company", "status", "channel", "created_at"]
        read_only_fields = ["status", "channel", "created_at"]
        extra_kwargs = {"name": {"required": False}}
        validators = []


class CheckInSerializer(serializers.Serializer):
    """A check-in: the session number (the first session when omitted)."""

    session = serializers.IntegerField(required=False, help_text=_("场次，默认第一场"))


class OutcomeSerializer(serializers.ModelSerializer):
    """An outcome of an activity."""

    activity = ScopedPrimaryKeyField(Activity)

    class Meta:
        model = Outcome
        fields = ["id", "activity", "kind", "title", "amount", "project", "date", "notes"]
        read_only_fields = ["project"]


class ProjectSerializer(serializers.ModelSerializer):
    """An investment project; `stage` moves through the `advance` action."""

    org = OrgField(help_text=_("引进组织的代码或编号"))
    investor_person = ScopedPrimaryKeyField(Person, required=False, allow_null=True)
    investor_enterprise = ScopedPrimaryKeyField(Enterprise, required=False, allow_null=True)
    activity = ScopedPrimaryKeyField(Activity, required=False, allow_null=True)

    class Meta:
        model = Project
        fields = ["id", "org", "name", "investor_person", "investor_enterprise", "investor_name", "region",
                  "sector", "amount", "landed_amount", "stage", "activity", "signed_on", "landed_on",
                  "drop_reason", "notes", "created_at"]
        read_only_fields = ["stage", "signed_on", "landed_on", "drop_reason", "created_at"]


class AdvanceSerializer(serializers.Serializer):
    """A move of a project to another stage."""

    stage = serializers.ChoiceField(choices=Stage.choices)
    date = serializers.DateField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class TeamSerializer(serializers.ModelSerializer):
    """A volunteer team."""

    org = OrgField()

    class Meta:
        model = VolunteerTeam
        fields = ["id", "org", "name", "description", "founded_on"]


class VolunteerSerializer(serializers.ModelSerializer):
    """A volunteer and the total of their hours."""

    team = ScopedPrimaryKeyField(VolunteerTeam)
    person = ScopedPrimaryKeyField(Person)
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Volunteer
        fields = ["id", "team", "person", "name", "joined_on", "active", "hours"]
        read_only_fields = ["hours"]
        validators = []


class ServiceSerializer(serializers.ModelSerializer):
    """A service with its hours."""

    volunteer = ScopedPrimaryKeyField(Volunteer)
    activity = ScopedPrimaryKeyField(Activity, required=False, allow_null=True)

    class Meta:
        model = Service
        fields = ["id", "volunteer", "date", "hours", "description", "activity"]
