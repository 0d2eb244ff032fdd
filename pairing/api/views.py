"""Viewsets of the pairing API: scoped reads, writes through pairing.services."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedViewSet, changed_only
from pairing import services
from pairing.api.serializers import (
    FollowUpSerializer,
    IdsSerializer,
    PairRuleSerializer,
    PairSerializer,
    ParticipantSerializer,
    ProgramSerializer,
    ProposalSerializer,
    RunSerializer,
)
from pairing.filters import (
    FollowUpFilter,
    PairFilter,
    PairRuleFilter,
    ParticipantFilter,
    ProgramFilter,
    ProposalFilter,
    RunFilter,
)
from pairing.models import FollowUp, Pair, PairRule, PairStatus, Participant, Program, Proposal, Run


class ProgramViewSet(ScopedViewSet):
    """Pairing programmes in the caller's subtrees."""

    serializer_class = ProgramSerializer
    filterset_class = ProgramFilter

    def scoped_queryset(self, user):
        """Visible programmes with their organization."""
        return Program.objects.visible_to(user).select_related("org").order_by("-pk")

    def create_object(self, data):
        """Create the programme (pairing.services.create_program)."""
        return services.create_program(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Change the programme (pairing.services.update_program)."""
        return services.update_program(by=self.request.user, program=instance, **data)


class ParticipantViewSet(ScopedViewSet):
    """Helpers and beneficiaries of the visible programmes."""

    serializer_class = ParticipantSerializer
    filterset_class = ParticipantFilter

    def scoped_queryset(self, user):
        """Visible participants."""
        return Participant.objects.visible_to(user).select_related("org").order_by("-pk")

    def create_object(self, data):
        """Add the participant (pairing.services.add_participant)."""
        program = data.pop("program")
        return services.add_participant(by=self.request.user, program=program, **data)

    def update_object(self, instance, data):
        """Change the participant; the programme is fixed."""
        data = changed_only(instance, data, {"program"})
        if "program" in data:
            raise ValidationError({"program": _("参与方不能换到别的项目。")})
        return services.update_participant(by=self.request.user, participant=instance, **data)


class PairRuleViewSet(ScopedViewSet):
    """Locked and forbidden pairs."""

    serializer_class = PairRuleSerializer
    filterset_class = PairRuleFilter

    def scoped_queryset(self, user):
        """Visible rules."""
        return PairRule.objects.visible_to(user).order_by("-pk")

    def create_object(self, data):
        """Lock or forbid a pair (pairing.services.add_rule)."""
        return services.add_rule(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Replace the rule of the same pair."""
        merged = {"program": instance.program, "kind": instance.kind, "helper": instance.helper,
                  "beneficiary": instance.beneficiary, "reason": instance.reason, **data}
        return services.add_rule(by=self.request.user, **merged)


class RunViewSet(ScopedViewSet):
    """Optimizer runs: POST runs one (large programmes in the background), confirm and reject its proposals."""

    serializer_class = RunSerializer
    filterset_class = RunFilter

    def scoped_queryset(self, user):
        """Visible runs."""
        return Run.objects.visible_to(user).select_related("program").order_by("-pk")

    def create_object(self, data):
        """Run the optimizer: at once for an ordinary programme, as a background job for a large one."""
        return services.run_or_start(by=self.request.user, program=data["program"], k=data.get("k"))

    def update_object(self, instance, data):
        """A run is a record of what was computed: it does not change."""
        raise ValidationError(_("运行记录不能修改；请重新运行。"))

    @extend_schema(request=IdsSerializer, responses={200: PairSerializer(many=True)})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm proposals of this run (all pending ones when none are named) into locked pairs."""
        run = self.get_object()
        body = IdsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        pairs = services.confirm_proposals(by=request.user, run=run, proposals=body.validated_data.get("proposals"))
        return Response(PairSerializer(pairs, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=IdsSerializer, responses={200: None})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject the named proposals of this run."""
        run = self.get_object()
        body = IdsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        n = services.reject_proposals(by=request.user, run=run, proposals=body.validated_data.get("proposals") or [])
        return Response({"rejected": n})


class ProposalViewSet(ScopedViewSet):
    """Proposals with their score components; PATCH `decision` confirms or rejects one."""

    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter

    def scoped_queryset(self, user):
        """Visible proposals with both sides' names."""
        return Proposal.objects.visible_to(user).select_related("helper", "beneficiary", "run").order_by("-score", "pk")

    def create_object(self, data):
        """Proposals come from runs only."""
        raise ValidationError(_("结对建议由匹配运行产生。"))

    def update_object(self, instance, data):
        """Confirm or reject the proposal."""
        decision = data.get("decision")
        if decision == "confirmed":
            services.confirm_proposals(by=self.request.user, run=instance.run, proposals=[instance.pk])
        elif decision == "rejected":
            services.reject_proposals(by=self.request.user, run=instance.run, proposals=[instance.pk])
        elif decision is not None and decision != instance.decision:
            raise ValidationError({"decision": _("只能确认或否决。")})
        return instance


class PairViewSet(ScopedViewSet):
    """Pairs; POST makes one by hand, PATCH locks, unlocks, completes or ends one."""

    serializer_class = PairSerializer
    filterset_class = PairFilter

    def scoped_queryset(self, user):
        """Visible pairs with both sides."""
        return Pair.objects.visible_to(user).select_related("helper", "beneficiary").order_by("-pk")

    def create_object(self, data):
        """Pair two participants by hand (pairing.services.create_pair)."""
        return services.create_pair(by=self.request.user, program=data["program"], helper=data["helper"],
                                    beneficiary=data["beneficiary"], started_on=data.get("started_on"))

    def update_object(self, instance, data):
        """Lock or unlock; complete or end (with a reason)."""
        data = changed_only(instance, data, {"program", "helper", "beneficiary", "started_on", "status",
                                             "end_reason", "locked"})
        unknown = set(data) - {"status", "end_reason", "locked"}
        if unknown:
            raise ValidationError({f: _("不能修改此字段。") for f in sorted(unknown)})
        if "locked" in data:
            services.set_pair_locked(by=self.request.user, pair=instance, locked=data["locked"])
        if data.get("status") and data["status"] != PairStatus.ACTIVE:
            services.end_pair(by=self.request.user, pair=instance, status=data["status"],
                              reason=data.get("end_reason", ""))
        return instance


class FollowUpViewSet(ScopedViewSet):
    """Visits and contacts with their results."""

    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter

    def scoped_queryset(self, user):
        """Visible follow-ups."""
        return FollowUp.objects.visible_to(user).order_by("-date", "-pk")

    def create_object(self, data):
        """Record a follow-up (pairing.services.add_follow_up)."""
        pair = data.pop("pair")
        return services.add_follow_up(by=self.request.user, pair=pair, **data)

    def update_object(self, instance, data):
        """Correct a follow-up (pairing.services.update_follow_up); the pair is fixed."""
        data = changed_only(instance, data, {"pair"})
        return services.update_follow_up(by=self.request.user, follow_up=instance, **data)
