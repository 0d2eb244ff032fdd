"""Serializers of the awards API; figures are read-only (they come from the indicators)."""
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from awards.models import Campaign, Certification, Criterion, Entry, Figure, Judge, Nomination, Score
from core.api import OrgField
from orgs.models import Organization
from registry.api.serializers import ScopedPrimaryKeyField
from registry.models import Enterprise, Person


class CriterionSerializer(serializers.ModelSerializer):
    """One line of the rubric."""

    class Meta:
        model = Criterion
        fields = ["id", "group", "title", "description", "max_score", "weight", "indicator_key", "position"]


class CampaignSerializer(serializers.ModelSerializer):
    """A campaign with its rubric (criteria are added through `…/criteria/`)."""

    org = OrgField()
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = ["id", "org", "code", "year", "title", "description", "nominee_kind", "eligible_kinds",
                  "required_certification", "required_level", "places", "scoring_mode", "drop_extremes",
                  "nomination_end", "scoring_end", "publicity_end", "published_on", "status", "criteria",
                  "created_at"]
        read_only_fields = ["status", "created_at"]
        extra_kwargs = {"code": {"validators": []}}


class CopyRubricSerializer(serializers.Serializer):
    """The campaign to copy the rubric from (last year's when omitted)."""

    source = serializers.IntegerField(required=False, allow_null=True, help_text=_("往年活动编号；省略则取去年的"))


class EntrySerializer(serializers.ModelSerializer):
    """The self-report on one criterion."""

    class Meta:
        model = Entry
        fields = ["criterion", "text", "self_score"]


class FigureSerializer(serializers.ModelSerializer):
    """A figure filled in from an indicator (read-only)."""

    class Meta:
        model = Figure
        fields = ["key", "title", "unit", "value", "previous", "change", "computed_at"]
        read_only_fields = fields


class NominationSerializer(serializers.ModelSerializer):
    """A nomination: created for one nominee, then its self-report (`summary`, `entries`) is written."""

    campaign = ScopedPrimaryKeyField(Campaign, required=False)
    campaign_code = serializers.SlugRelatedField(source="campaign", slug_field="code", write_only=True,
                                                 required=False, queryset=Campaign.objects.filter(status="nominating"),
                                                 help_text=_("申报期内任何可申报者都可按代码指定活动"))
    nominee_org = ScopedPrimaryKeyField(Organization, required=False, allow_null=True)
    nominee_enterprise = ScopedPrimaryKeyField(Enterprise, required=False, allow_null=True)
    nominee_person = ScopedPrimaryKeyField(Person, required=False, allow_null=True)
    entries = EntrySerializer(many=True, required=False)
    figures = FigureSerializer(many=True, read_only=True)
    org = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = Nomination
        fields = ["id", "org", "campaign", "campaign_code", "nominee_org", "nominee_enterprise", "nominee_person",
                  "name", "summary", "status", "by_organizer", "submitted_at", "score", "rank", "selected",
                  "entries", "figures", "created_at"]
        read_only_fields = ["name", "status", "by_organizer", "submitted_at", "score", "rank", "selected",
                            "created_at"]
        # One nomination per nominee and campaign is checked by the service (awards.services.nominate);
        # DRF cannot build that validator when two fields (campaign, campaign_code) feed `campaign`.
        validators = []


class JudgeSerializer(serializers.ModelSerializer):
    """A judge of a campaign, by user name."""

    campaign = ScopedPrimaryKeyField(Campaign)
    user = serializers.SlugRelatedField(slug_field="username", queryset=get_user_model().objects.filter(
        is_active=True))
    person = ScopedPrimaryKeyField(Person, required=False, allow_null=True)
    declared_conflicts = serializers.SlugRelatedField(many=True, slug_field="code", read_only=True)

    class Meta:
        model = Judge
        fields = ["id", "campaign", "user", "person", "name", "declared_conflicts", "reminded_at"]
        read_only_fields = ["reminded_at"]
        extra_kwargs = {"name": {"required": False}}


class JudgeAssignSerializer(serializers.Serializer):
    """Nominations to assign to a judge."""

    nominations = serializers.ListField(child=serializers.IntegerField())


class ScoreSerializer(serializers.ModelSerializer):
    """A score on one criterion (readable by its judge, and by the organizer once scoring has closed)."""

    judge = serializers.CharField(source="assignment.judge.name", read_only=True)

    class Meta:
        model = Score
        fields = ["criterion", "judge", "value", "comment", "updated_at"]
        read_only_fields = ["judge", "updated_at"]


class ScoreInputSerializer(serializers.Serializer):
    """A judge's scores: [{criterion, value, comment}]."""

    scores = serializers.ListField(child=serializers.DictField())


class CertificationSerializer(serializers.ModelSerializer):
    """A certification or plaque of an organization, enterprise or person."""

    org = serializers.CharField(source="org.code", read_only=True)
    holder_org = ScopedPrimaryKeyField(Organization, required=False, allow_null=True)
    holder_enterprise = ScopedPrimaryKeyField(Enterprise, required=False, allow_null=True)
    holder_person = ScopedPrimaryKeyField(Person, required=False, allow_null=True)

    class Meta:
        model = Certification
        fields = ["id", "org", "kind", "title", "level", "issuer", "year", "expires_on", "holder_org",
                  "holder_enterprise", "holder_person", "campaign", "created_at"]
        read_only_fields = ["campaign", "created_at"]
