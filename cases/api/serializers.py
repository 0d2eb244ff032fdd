"""Serializers of the cases API: personal data masked (and hidden from department liaisons), orgs by code."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.access import can
from cases.models import Case, CaseEvent, Department, Dispatch, Expert, Kind, ReferralKind
from core.api import MaskedCharField, MaskedEmailField, OrgField
from registry.api.serializers import ScopedPrimaryKeyField
from registry.models import Enterprise, Person

APPLICANT_FIELDS = ("applicant_person", "applicant_enterprise", "applicant_name", "id_number", "phone", "email")


class DispatchSummarySerializer(serializers.ModelSerializer):
    """A dispatch as shown inside its case."""

    department_name = serializers.CharField(source="department.name", read_only=True)
    state = serializers.CharField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Dispatch
        fields = ["id", "department", "department_name", "state", "acknowledge_due", "answer_due",
                  "acknowledged_at", "answered_at", "answer", "is_overdue"]


class EventSerializer(serializers.ModelSerializer):
    """One entry of the case's timeline."""

    by = serializers.StringRelatedField()

    class Meta:
        model = CaseEvent
        fields = ["at", "action", "status", "by", "note", "public"]


class CaseSerializer(serializers.ModelSerializer):
    """A case. The workflow fields are read-only: they change through the step actions."""

    org = OrgField(help_text=_("受理组织的代码或编号"))
    org_name = serializers.CharField(source="org.name", read_only=True)
    applicant_person = ScopedPrimaryKeyField(Person, required=False, allow_null=True)
    applicant_enterprise = ScopedPrimaryKeyField(Enterprise, required=False, allow_null=True)
    applicant_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    id_number = MaskedCharField(max_length=18, required=False, allow_blank=True)
    phone = MaskedCharField(max_length=20, required=False, allow_blank=True)
    email = MaskedEmailField(required=False, allow_blank=True)
    is_overdue = serializers.BooleanField(read_only=True)
    dispatches = DispatchSummarySerializer(many=True, read_only=True)
    # Blank until the case is referred: declared so that the schema allows "" beside the kinds.
    referred_to = serializers.ChoiceField(choices=ReferralKind.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Case
        fields = [
            "id", "number", "org", "org_name", "kind", "channel", "status", "priority", *APPLICANT_FIELDS,
            "language", "other_party", "subject", "description", "amount_involved", "amount_recovered",
            "assignee", "room", "submitted_at", "accepted_at", "decided_at", "closed_at", "accept_due", "due_on",
            "is_overdue", "decline_reason", "agreement", "not_resolved_reason", "referred_to", "satisfaction",
            "satisfaction_comment", "is_spam", "dispatches",
        ]
        read_only_fields = [
            "number", "status", "amount_recovered", "assignee", "room", "submitted_at", "accepted_at", "decided_at",
            "closed_at", "accept_due", "due_on", "decline_reason", "agreement", "not_resolved_reason", "referred_to",
            "satisfaction", "satisfaction_comment", "is_spam",
        ]

    def to_representation(self, instance):
        """A department's liaison sees the matter, never who the applicant is or how to reach them."""
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is not None and not can(request.user, "view", instance.org):
            for f in APPLICANT_FIELDS:
                data[f] = None if f.startswith("applicant_") and f != "applicant_name" else ""
        return data


class CaseDetailSerializer(CaseSerializer):
    """A case with its timeline."""

    events = EventSerializer(many=True, read_only=True)

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events"]


class DispatchSerializer(serializers.ModelSerializer):
    """A dispatch to a department; only its deadlines and note change after it is made."""

    org = serializers.CharField(source="org.code", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    subject = serializers.CharField(source="case.subject", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    state = serializers.CharField(read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Dispatch
        fields = ["id", "org", "case", "case_number", "subject", "department", "department_name", "note", "state",
                  "dispatched_at", "acknowledge_due", "answer_due", "acknowledged_at", "answered_at", "answer",
                  "answer_public", "is_overdue"]
        read_only_fields = ["case", "department", "dispatched_at", "acknowledged_at", "answered_at", "answer",
                            "answer_public"]


class DepartmentSerializer(serializers.ModelSerializer):
    """A department cases are dispatched to; liaisons are user ids."""

    org = OrgField(help_text=_("所属组织的代码或编号"))
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)

    class Meta:
        model = Department
        fields = ["id", "org", "name", "kind", "contact_name", "email", "phone", "liaisons", "active"]
        extra_kwargs = {"liaisons": {"required": False}}


class ExpertSerializer(serializers.ModelSerializer):
    """An expert of the pool; phone and e-mail masked on read."""

    org = OrgField(help_text=_("所属组织的代码或编号"))
    phone = MaskedCharField(max_length=20, required=False, allow_blank=True)
    email = MaskedEmailField(required=False, allow_blank=True)

    class Meta:
        model = Expert
        fields = ["id", "org", "name", "kind", "fields", "languages", "available", "phone", "email", "user", "notes"]


# ---- step requests


class ReasonSerializer(serializers.Serializer):
    """A step that needs a reason (decline, reopen, not resolved)."""

    reason = serializers.CharField()
    referred_to = serializers.CharField(required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    """A step with an optional note."""

    note = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    """Who handles the case: a user and/or mediators (expert ids), or the pair on duty in a room."""

    assignee = serializers.IntegerField(required=False, allow_null=True)
    mediators = serializers.ListField(child=serializers.IntegerField(), required=False)
    room = serializers.IntegerField(required=False, allow_null=True)


class DispatchRequestSerializer(serializers.Serializer):
    """The departments to dispatch to."""

    departments = serializers.ListField(child=serializers.IntegerField(), min_length=1)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SessionSerializer(serializers.Serializer):
    """A mediation session."""

    held_on = serializers.DateField()
    room = serializers.IntegerField(required=False, allow_null=True)
    mediators = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    parties_present = serializers.CharField(required=False, allow_blank=True, default="")
    result = serializers.CharField(required=False, allow_blank=True, default="")


class ReferSerializer(serializers.Serializer):
    """A referral to an expert or a hand-over to another body."""

    kind = serializers.CharField()
    expert = serializers.IntegerField(required=False, allow_null=True)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ResolveSerializer(serializers.Serializer):
    """The agreement and the amount recovered."""

    agreement = serializers.CharField()
    amount_recovered = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)


class SatisfactionSerializer(serializers.Serializer):
    """The follow-up's score and comment."""

    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReplySerializer(serializers.Serializer):
    """A reply to the applicant, or an internal note."""

    text = serializers.CharField()
    public = serializers.BooleanField(default=True)


class AnswerSerializer(serializers.Serializer):
    """A department's answer."""

    text = serializers.CharField()
    public = serializers.BooleanField(default=False)


# ---- public intake


class PublicIntakeSerializer(serializers.Serializer):
    """A request from the public: no login, a challenge, size limits."""

    org = serializers.CharField(required=False, allow_blank=True, help_text=_("受理组织代码；留空为默认受理组织"))
    kind = serializers.ChoiceField(choices=Kind.choices)
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")
    applicant_name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    other_party = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    amount_involved = serializers.DecimalField(max_digits=14, decimal_places=2, required=False, allow_null=True)
    language = serializers.ChoiceField(choices=[("zh-hans", "中文"), ("en", "English")], default="zh-hans")
    challenge = serializers.CharField(help_text=_("GET /api/public/intake/challenge/ 得到的 token"))
    answer = serializers.CharField(max_length=10)
    website = serializers.CharField(required=False, allow_blank=True, default="", help_text=_("留空"))


class TrackSerializer(serializers.Serializer):
    """A tracking number and its secret."""

    number = serializers.CharField(max_length=20)
    secret = serializers.CharField(max_length=20)
