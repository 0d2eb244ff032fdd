"""Viewsets of the cases API: scoped reads, the workflow steps as actions, the public intake and tracking."""
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import intake, services
from cases.api import serializers as s
from cases.filters import CaseFilter, DepartmentFilter, DispatchFilter, ExpertFilter
from cases.models import Case, Department, Dispatch, Expert, MediationRoom
from core.api import MayChangeRecord, RevealMixin, ScopedViewSet, changed_only, drf_validation_error


def _body(serializer_class, request):
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _visible(model, user, pks):
    pks = list(pks or [])
    found = list(model.objects.visible_to(user).filter(pk__in=pks))
    if len(found) != len(set(pks)):
        raise serializers.ValidationError({model._meta.model_name: [_("编号无效或不在您的范围内。")]})
    return found


class CaseViewSet(RevealMixin, ScopedViewSet):
    """Cases in the caller's scope (liaisons: what was dispatched to their department), with the steps as actions."""

    serializer_class = s.CaseSerializer
    filterset_class = CaseFilter

    def get_serializer_class(self):
        """The detail carries the timeline."""
        return s.CaseDetailSerializer if self.action == "retrieve" else s.CaseSerializer

    def scoped_queryset(self, user):
        """Visible cases with what the serializer reads joined in."""
        qs = Case.objects.visible_to(user).select_related("org").prefetch_related("dispatches__department")
        if getattr(self, "action", None) == "retrieve":
            qs = qs.prefetch_related("events__by")
        return qs.order_by("-pk")

    def create_object(self, data):
        """Register the case (cases.services.create_case)."""
        return services.create_case(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Correct the case's facts (cases.services.update_case)."""
        data = changed_only(instance, data, {"channel"})
        data.pop("channel", None)
        return services.update_case(by=self.request.user, case=instance, **data)

    def _answer(self, case):
        return Response(s.CaseDetailSerializer(self.get_queryset().prefetch_related("events__by").get(pk=case.pk),
                                               context=self.get_serializer_context()).data)

    @extend_schema(request=s.NoteSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept a submitted case."""
        case = self.get_object()
        return self._answer(services.accept(by=request.user, case=case, note=_body(s.NoteSerializer, request)["note"]))

    @extend_schema(request=s.ReasonSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline a submitted case, with a reason."""
        case = self.get_object()
        return self._answer(services.decline(by=request.user, case=case, reason=_body(s.ReasonSerializer, request)["reason"]))

    @extend_schema(request=s.AssignSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign to a case officer and/or mediators, or to the pair on duty in a room."""
        from django.contrib.auth import get_user_model

        case = self.get_object()
        body = _body(s.AssignSerializer, request)
        assignee = get_object_or_404(get_user_model(), pk=body["assignee"]) if body.get("assignee") else None
        mediators = _visible(Expert, request.user, body["mediators"]) if "mediators" in body else None
        room = _visible(MediationRoom, request.user, [body["room"]])[0] if body.get("room") else None
        return self._answer(services.assign(by=request.user, case=case, assignee=assignee, mediators=mediators,
                                            room=room))

    @extend_schema(request=s.DispatchRequestSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_to(self, request, pk=None):
        """Dispatch to departments (吹哨)."""
        case = self.get_object()
        body = _body(s.DispatchRequestSerializer, request)
        departments = _visible(Department, request.user, body["departments"])
        services.dispatch(by=request.user, case=case, departments=departments, note=body["note"])
        return self._answer(case)

    @extend_schema(request=s.SessionSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def sessions(self, request, pk=None):
        """Record a mediation session."""
        case = self.get_object()
        body = _body(s.SessionSerializer, request)
        room = _visible(MediationRoom, request.user, [body["room"]])[0] if body.get("room") else None
        services.record_session(by=request.user, case=case, held_on=body["held_on"], room=room,
                                mediators=_visible(Expert, request.user, body["mediators"]),
                                parties_present=body["parties_present"], result=body["result"])
        return self._answer(case)

    @extend_schema(request=s.ReferSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        """Refer to an expert or hand over to a court's or another body's mediation."""
        case = self.get_object()
        body = _body(s.ReferSerializer, request)
        expert = _visible(Expert, request.user, [body["expert"]])[0] if body.get("expert") else None
        services.refer(by=request.user, case=case, kind=body["kind"], expert=expert, body=body["body"],
                       note=body["note"])
        return self._answer(case)

    @extend_schema(request=s.ResolveSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Record the agreement and the amount recovered."""
        case = self.get_object()
        body = _body(s.ResolveSerializer, request)
        return self._answer(services.resolve(by=request.user, case=case, agreement=body["agreement"],
                                             amount_recovered=body.get("amount_recovered")))

    @extend_schema(request=s.ReasonSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"], url_path="not-resolved")
    def not_resolved(self, request, pk=None):
        """Record that the dispute was not resolved, why, and where it was referred."""
        case = self.get_object()
        body = _body(s.ReasonSerializer, request)
        return self._answer(services.not_resolve(by=request.user, case=case, reason=body["reason"],
                                                 referred_to=body["referred_to"]))

    @extend_schema(request=s.NoteSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the case (办结)."""
        case = self.get_object()
        return self._answer(services.close(by=request.user, case=case, note=_body(s.NoteSerializer, request)["note"]))

    @extend_schema(request=s.SatisfactionSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def satisfaction(self, request, pk=None):
        """Record the satisfaction follow-up."""
        case = self.get_object()
        body = _body(s.SatisfactionSerializer, request)
        return self._answer(services.record_satisfaction(by=request.user, case=case, score=body["score"],
                                                         comment=body["comment"]))

    @extend_schema(request=s.ReasonSerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """Reopen a finished case with a reason."""
        case = self.get_object()
        return self._answer(services.reopen(by=request.user, case=case, reason=_body(s.ReasonSerializer, request)["reason"]))

    @extend_schema(request=s.ReplySerializer, responses=s.CaseDetailSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        """Reply to the applicant (public) or add an internal note."""
        case = self.get_object()
        body = _body(s.ReplySerializer, request)
        services.reply(by=request.user, case=case, text=body["text"], public=body["public"])
        return self._answer(case)


class StepPermission(MayChangeRecord):
    """A department's liaison may acknowledge and answer (the service checks the department); other writes
    need the change grant."""

    def has_object_permission(self, request, view, obj):
        """Acknowledge and answer go to the service's own check."""
        if getattr(view, "action", None) in {"acknowledge", "answer"}:
            return True
        return super().has_object_permission(request, view, obj)


class DispatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                      viewsets.GenericViewSet):
    """Dispatches (吹哨) in the caller's scope, and for liaisons their department's; acknowledge and answer."""

    serializer_class = s.DispatchSerializer
    filterset_class = DispatchFilter
    permission_classes = [permissions.IsAuthenticated, StepPermission]

    def handle_exception(self, exc):
        """Service errors: ValidationError → 400 with field names, as in every scoped viewset."""
        if isinstance(exc, DjangoValidationError):
            exc = drf_validation_error(exc)
        return super().handle_exception(exc)

    def get_queryset(self):
        """Visible dispatches with case and department joined."""
        return Dispatch.objects.visible_to(self.request.user).select_related("org", "case", "department").order_by("-pk")

    def perform_update(self, serializer):
        """Move the deadlines through cases.services.update_dispatch."""
        data = dict(serializer.validated_data)
        services.update_dispatch(by=self.request.user, dispatch=serializer.instance, **data)

    @extend_schema(request=None, responses=s.DispatchSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The department reports that it has taken the case (报到)."""
        d = services.acknowledge(by=request.user, dispatch=self.get_object())
        return Response(s.DispatchSerializer(self.get_queryset().get(pk=d.pk)).data)

    @extend_schema(request=s.AnswerSerializer, responses=s.DispatchSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """The department's answer (public: shown to the applicant)."""
        dispatch = self.get_object()
        body = _body(s.AnswerSerializer, request)
        d = services.answer(by=request.user, dispatch=dispatch, text=body["text"], public=body["public"])
        return Response(s.DispatchSerializer(self.get_queryset().get(pk=d.pk)).data)


class DepartmentViewSet(ScopedViewSet):
    """Departments cases are dispatched to."""

    serializer_class = s.DepartmentSerializer
    filterset_class = DepartmentFilter

    def scoped_queryset(self, user):
        """Visible departments with their liaisons."""
        return Department.objects.visible_to(user).select_related("org").prefetch_related("liaisons").order_by("name", "pk")

    def create_object(self, data):
        """Add the department (cases.services.create_department)."""
        liaisons = data.pop("liaisons", None)
        return services.create_department(by=self.request.user, liaisons=liaisons, **data)

    def update_object(self, instance, data):
        """Change the department (cases.services.update_department)."""
        liaisons = data.pop("liaisons", None)
        if liaisons is not None and set(liaisons) == set(instance.liaisons.all()):
            liaisons = None
        return services.update_department(by=self.request.user, department=instance, liaisons=liaisons, **data)


class ExpertViewSet(RevealMixin, ScopedViewSet):
    """The expert pool: lawyers, mediators, advisors, doctors."""

    serializer_class = s.ExpertSerializer
    filterset_class = ExpertFilter

    def scoped_queryset(self, user):
        """Visible experts."""
        return Expert.objects.visible_to(user).select_related("org").order_by("kind", "name", "pk")

    def create_object(self, data):
        """Add the expert (cases.services.create_expert)."""
        return services.create_expert(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Change the expert (cases.services.update_expert)."""
        return services.update_expert(by=self.request.user, expert=instance, **data)


_status = inline_serializer("PublicStatus", {
    "number": serializers.CharField(), "status": serializers.CharField(), "status_display": serializers.CharField(),
    "submitted_at": serializers.DateTimeField(),
    "updates": serializers.ListField(child=serializers.DictField()),
})


class PublicView(APIView):
    """Unauthenticated endpoints: no session (no CSRF), no token."""

    authentication_classes = []
    permission_classes = [permissions.AllowAny]


class ChallengeView(PublicView):
    """A fresh challenge for the public intake."""

    @extend_schema(responses=inline_serializer("Challenge", {"question": serializers.CharField(),
                                                             "token": serializers.CharField()}))
    def get(self, request):
        """A question and its signed token (answer it in the intake within two hours, not in the first seconds)."""
        question, token = intake.make_challenge()
        return Response({"question": question, "token": token})


class IntakeView(PublicView):
    """File a request without logging in; answers the tracking number and the secret (shown once)."""

    throttle_classes = [intake.IntakeThrottle]

    @extend_schema(request=s.PublicIntakeSerializer,
                   responses={201: inline_serializer("IntakeResult", {"number": serializers.CharField(),
                                                                      "secret": serializers.CharField()})})
    def post(self, request):
        """Check the challenge, mark spam, store the request through cases.services.submit_public."""
        body = s.PublicIntakeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        verdict = intake.check_challenge(data.pop("challenge"), data.pop("answer"))
        if verdict in ("wrong", "expired"):
            return Response({"answer": [_("验证答案不正确或已过期，请重新获取。")]}, status=status.HTTP_400_BAD_REQUEST)
        org = intake.intake_org(data.pop("org", ""))
        if org is None:
            return Response({"org": [_("受理组织不存在。")]}, status=status.HTTP_400_BAD_REQUEST)
        honeypot = data.pop("website", "")
        spam = verdict == "spam" or bool(honeypot)
        try:
            case, secret = services.submit_public(org=org, is_spam=spam, **data)
        except DjangoValidationError as e:
            raise drf_validation_error(e) from None
        return Response({"number": case.number, "secret": secret}, status=status.HTTP_201_CREATED)


class TrackView(PublicView):
    """Follow a request by its number and secret: the status and the public replies only."""

    throttle_classes = [intake.TrackThrottle]

    @extend_schema(request=s.TrackSerializer, responses={200: _status})
    def post(self, request):
        """The public status, or 404 for a wrong number or secret alike."""
        body = s.TrackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        case = services.track(body.validated_data["number"], body.validated_data["secret"])
        if case is None:
            return Response({"detail": _("编号或查询码不正确。")}, status=status.HTTP_404_NOT_FOUND)
        return Response(intake.public_status(case))
