"""Serializers of the pairing API: programmes, participants, rules, runs, proposals, pairs, follow-ups."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api import OrgField
from pairing.models import FollowUp, Pair, PairRule, Participant, Program, Proposal, Run
from registry.api.serializers import ScopedPrimaryKeyField
from registry.models import Enterprise, Person


class ProgramSerializer(serializers.ModelSerializer):
    """A programme and its rules; `weights` maps score components to weights."""

    org = OrgField(help_text=_("组织的代码或编号"))

    class Meta:
        model = Program
        fields = ["id", "org", "code", "name", "kind", "start", "end", "description", "helper_eligibility",
                  "beneficiary_eligibility", "capacity", "max_helpers", "same_county", "same_industry",
                  "common_language", "max_distance_km", "top_k", "weights", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"code": {"validators": []}}


class ParticipantSerializer(serializers.ModelSerializer):
    """A helper or beneficiary; tags and languages are comma-separated."""

    program = ScopedPrimaryKeyField(Program)
    person = ScopedPrimaryKeyField(Person, required=False, allow_null=True)
    enterprise = ScopedPrimaryKeyField(Enterprise, required=False, allow_null=True)
    org = serializers.CharField(source="org.code", read_only=True)

    class Meta:
        model = Participant
        fields = ["id", "org", "program", "side", "name", "external_key", "person", "enterprise", "region",
                  "industry", "size", "needs", "strengths", "languages", "latitude", "longitude", "capacity",
                  "past_results", "active", "notes", "created_at"]
        read_only_fields = ["created_at"]
        validators = []


class PairRuleSerializer(serializers.ModelSerializer):
    """A locked or forbidden pair."""

    program = ScopedPrimaryKeyField(Program)
    helper = ScopedPrimaryKeyField(Participant)
    beneficiary = ScopedPrimaryKeyField(Participant)

    class Meta:
        model = PairRule
        fields = ["id", "program", "kind", "helper", "beneficiary", "reason", "created_at"]
        read_only_fields = ["created_at"]
        validators = []


class RunSerializer(serializers.ModelSerializer):
    """A run: parameters, objective beside the greedy total, and the unpaired with reasons."""

    program = ScopedPrimaryKeyField(Program)
    k = serializers.IntegerField(write_only=True, required=False, allow_null=True, min_value=1,
                                 help_text=_("每个受助方保留的候选数；留空按项目设置"))
    gain_percent = serializers.FloatField(source="gain", read_only=True)

    class Meta:
        model = Run
        fields = ["id", "program", "number", "status", "params", "objective", "greedy_objective", "gain_percent",
                  "pairs", "candidates", "pruned_k", "result", "seconds", "job", "created_at", "k"]
        read_only_fields = ["number", "status", "params", "objective", "greedy_objective", "pairs", "candidates",
                            "pruned_k", "result", "seconds", "job", "created_at"]


class ProposalSerializer(serializers.ModelSerializer):
    """A proposed pair with its score components."""

    helper_name = serializers.CharField(source="helper.name", read_only=True)
    beneficiary_name = serializers.CharField(source="beneficiary.name", read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "run", "helper", "helper_name", "beneficiary", "beneficiary_name", "score", "components",
                  "locked", "decision"]
        read_only_fields = ["run", "helper", "beneficiary", "score", "components", "locked"]


class PairSerializer(serializers.ModelSerializer):
    """A confirmed pair; `status` ends it (a reason is needed for `ended`), `locked` locks or unlocks it."""

    program = ScopedPrimaryKeyField(Program)
    helper = ScopedPrimaryKeyField(Participant)
    beneficiary = ScopedPrimaryKeyField(Participant)
    helper_name = serializers.CharField(source="helper.name", read_only=True)
    beneficiary_name = serializers.CharField(source="beneficiary.name", read_only=True)

    class Meta:
        model = Pair
        fields = ["id", "program", "helper", "helper_name", "beneficiary", "beneficiary_name", "status",
                  "end_reason", "locked", "score", "components", "started_on", "ended_on", "created_at"]
        read_only_fields = ["score", "components", "ended_on", "created_at"]
        validators = []
        extra_kwargs = {"started_on": {"required": False}}


class FollowUpSerializer(serializers.ModelSerializer):
    """A visit or contact with its results."""

    pair = ScopedPrimaryKeyField(Pair)

    class Meta:
        model = FollowUp
        fields = ["id", "pair", "date", "kind", "notes", "funds_delivered", "orders_amount", "income_increase",
                  "people_trained", "created_at"]
        read_only_fields = ["created_at"]


class IdsSerializer(serializers.Serializer):
    """Proposal ids (all pending ones when omitted)."""

    proposals = serializers.ListField(child=serializers.IntegerField(), required=False, allow_null=True)
