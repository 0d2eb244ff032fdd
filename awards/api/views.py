"""Viewsets of the awards API: scoped reads, writes and steps through awards.services.

Judges score through `awards/assignments/`, which lists the caller's own assignments as a judge
(a judge needs no grant); every other endpoint is scoped by the caller's grants.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from awards import services
from awards.api.serializers import (
    CampaignSerializer,
    CertificationSerializer,
    CopyRubricSerializer,
    CriterionSerializer,
    JudgeAssignSerializer,
    JudgeSerializer,
    NominationSerializer,
    ScoreInputSerializer,
    ScoreSerializer,
)
from awards.certificates import certificate_pdf
from awards.filters import CampaignFilter, CertificationFilter, JudgeFilter, NominationFilter
from awards.models import Campaign, Certification, Judge, Nomination
from awards.ranking import rank_campaign
from core.api import ScopedViewSet, changed_only, drf_validation_error


class CampaignViewSet(ScopedViewSet):
    """Campaigns with their rubric; the steps (open, start-scoring, close-scoring, publish) are actions."""

    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter

    def scoped_queryset(self, user):
        """Visible campaigns, rubric prefetched."""
        return Campaign.objects.visible_to(user).select_related("org").prefetch_related("criteria")

    def create_object(self, data):
        """Create (awards.services.create_campaign)."""
        return services.create_campaign(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Change settings (awards.services.update_campaign)."""
        return services.update_campaign(by=self.request.user, campaign=instance,
                                        **changed_only(instance, data, {"org", "code"}))

    @extend_schema(request=CriterionSerializer, responses={201: CriterionSerializer})
    @action(detail=True, methods=["post"])
    def criteria(self, request, pk=None):
        """Add a criterion to the rubric (in preparation only)."""
        campaign = self.get_object()
        body = CriterionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        criterion = services.add_criterion(by=request.user, campaign=campaign, **body.validated_data)
        return Response(CriterionSerializer(criterion).data, status=201)

    @extend_schema(request=CopyRubricSerializer, responses={200: CampaignSerializer})
    @action(detail=True, methods=["post"], url_path="copy-rubric")
    def copy_rubric(self, request, pk=None):
        """Copy the rubric of last year's campaign (or of `source`)."""
        campaign = self.get_object()
        body = CopyRubricSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        source = body.validated_data.get("source")
        if source is not None:
            source = Campaign.objects.visible_to(request.user).filter(pk=source).first()
            if source is None:
                raise serializers.ValidationError({"source": [_("活动不存在。")]})
        services.copy_rubric(by=request.user, campaign=campaign, source=source)
        return Response(self.get_serializer(self.get_queryset().get(pk=campaign.pk)).data)

    def _step(self, request, fn):
        campaign = self.get_object()
        fn(by=request.user, campaign=campaign)
        return Response(self.get_serializer(self.get_queryset().get(pk=campaign.pk)).data)

    @extend_schema(request=None, responses={200: CampaignSerializer})
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        """Open nominations."""
        return self._step(request, services.open_nominations)

    @extend_schema(request=None, responses={200: CampaignSerializer})
    @action(detail=True, methods=["post"], url_path="start-scoring")
    def start_scoring(self, request, pk=None):
        """Close nominations, open scoring."""
        return self._step(request, services.start_scoring)

    @extend_schema(request=None, responses={200: CampaignSerializer})
    @action(detail=True, methods=["post"], url_path="close-scoring")
    def close_scoring(self, request, pk=None):
        """Close scoring: rank and open the publicity period."""
        return self._step(request, services.close_scoring)

    @extend_schema(request=None, responses={200: CampaignSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the list."""
        return self._step(request, services.publish)

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"], url_path="assign-all")
    def assign_all(self, request, pk=None):
        """Assign every submitted nomination to every judge without a conflict."""
        assigned, skipped = services.assign_all(by=request.user, campaign=self.get_object())
        return Response({"assigned": assigned, "skipped_for_conflict": skipped})

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def remind(self, request, pk=None):
        """Remind late judges."""
        late = services.remind_late(by=request.user, campaign=self.get_object())
        return Response({"reminded": [j.name for j in late]})

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        """Scoring progress per judge."""
        campaign = self.get_object()
        return Response([{"judge": r["judge"].name, "assigned": r["assigned"], "completed": r["completed"],
                          "late": r["late"], "reminded_at": r["reminded_at"]} for r in services.progress(campaign)])

    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get"])
    def ranking(self, request, pk=None):
        """The ranking with scores per criterion (once scoring has closed)."""
        campaign = self.get_object()
        if not campaign.scores_disclosed:
            raise PermissionDenied(_("评审结束前不公开分数。"))
        return Response([r.as_dict() for r in rank_campaign(campaign)])


class NominationViewSet(ScopedViewSet):
    """Nominations with their self-report and figures; `submit`, `withdraw`, `certificate`, `scores`."""

    serializer_class = NominationSerializer
    filterset_class = NominationFilter

    def scoped_queryset(self, user):
        """Visible nominations."""
        return (Nomination.objects.visible_to(user).select_related("org", "campaign")
                .prefetch_related("entries", "figures").order_by("campaign", "rank", "name"))

    def create_object(self, data):
        """Nominate (awards.services.nominate), then save any self-report sent along."""
        nominee = data.get("nominee_org") or data.get("nominee_enterprise") or data.get("nominee_person")
        if "campaign" not in data:
            raise ValidationError({"campaign": _("请指定评优活动。")})
        nomination = services.nominate(by=self.request.user, campaign=data["campaign"], nominee=nominee,
                                       summary=data.get("summary", ""))
        if data.get("entries"):
            services.save_report(by=self.request.user, nomination=nomination,
                                 entries={e["criterion"]: e for e in data["entries"]})
        return nomination

    def update_object(self, instance, data):
        """Write the self-report; the nominee and the campaign are fixed, figures are not writable."""
        data = changed_only(instance, data, {"campaign", "nominee_org", "nominee_enterprise", "nominee_person"})
        fixed = {"campaign", "nominee_org", "nominee_enterprise", "nominee_person"} & set(data)
        if fixed:
            raise ValidationError({f: _("不能修改此字段。") for f in fixed})
        entries = {e["criterion"]: {k: v for k, v in e.items() if k != "criterion"} for e in data.get("entries", [])}
        return services.save_report(by=self.request.user, nomination=instance, entries=entries,
                                    summary=data.get("summary"))

    @extend_schema(request=None, responses={200: NominationSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit (figures refreshed, then locked)."""
        nomination = services.submit_nomination(by=request.user, nomination=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=nomination.pk)).data)

    @extend_schema(request=None, responses={200: NominationSerializer})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw before scoring starts."""
        nomination = services.withdraw_nomination(by=request.user, nomination=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=nomination.pk)).data)

    @extend_schema(request=None, responses={200: ScoreSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def scores(self, request, pk=None):
        """The scores the caller may read (none of the judges' before scoring closes)."""
        return Response(ScoreSerializer(services.visible_scores(request.user, self.get_object()), many=True).data)

    @extend_schema(request=None, responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get", "post"])
    def certificate(self, request, pk=None):
        """The certificate of a selected nominee of a published campaign (PDF)."""
        nomination = self.get_object()
        response = HttpResponse(certificate_pdf(nomination), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="certificate-{nomination.pk}.pdf"'
        return response


class JudgeViewSet(ScopedViewSet):
    """Judges of the organizer's campaigns; `assign` gives them nominations (conflicts refused)."""

    serializer_class = JudgeSerializer
    filterset_class = JudgeFilter

    def scoped_queryset(self, user):
        """Visible judges."""
        return (Judge.objects.visible_to(user).select_related("campaign", "user")
                .prefetch_related("declared_conflicts").order_by("pk"))

    def create_object(self, data):
        """Add to the panel (awards.services.add_judge)."""
        return services.add_judge(by=self.request.user, **data)

    def update_object(self, instance, data):
        """A judge is removed and added again rather than rewritten."""
        raise ValidationError(_("评委不能修改。"))

    @extend_schema(request=JudgeAssignSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign nominations of the campaign to this judge."""
        judge = self.get_object()
        body = JudgeAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        nominations = list(judge.campaign.nominations.filter(pk__in=body.validated_data["nominations"]))
        made = services.assign(by=request.user, judge=judge, nominations=nominations)
        return Response({"assigned": [a.nomination_id for a in made]})


class CertificationViewSet(ScopedViewSet):
    """Certifications and plaques (四好商会, 挂牌)."""

    serializer_class = CertificationSerializer
    filterset_class = CertificationFilter

    def scoped_queryset(self, user):
        """Visible certifications."""
        return Certification.objects.visible_to(user).select_related("org").order_by("-year", "pk")

    def create_object(self, data):
        """Record (awards.services.certify)."""
        return services.certify(by=self.request.user, **data)

    def update_object(self, instance, data):
        """Change (awards.services.update_certification); the holder is fixed."""
        data = changed_only(instance, data, {"holder_org", "holder_enterprise", "holder_person"})
        return services.update_certification(by=self.request.user, certification=instance, **data)


class AssignmentListView(APIView):
    """`GET awards/assignments/`: the caller's own assignments as a judge, with its own scores."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: inline_serializer("JudgeAssignment", many=True, fields={
        "id": serializers.IntegerField(), "campaign": serializers.CharField(),
        "nomination": serializers.IntegerField(), "name": serializers.CharField(),
        "completed": serializers.BooleanField(), "scores": ScoreSerializer(many=True)})})
    def get(self, request):
        """Assignments of the caller, across campaigns."""
        return Response([{
            "id": a.pk, "campaign": a.judge.campaign.code, "nomination": a.nomination_id,
            "name": a.nomination.name, "completed": a.completed_at is not None,
            "scores": ScoreSerializer(a.scores.all(), many=True).data,
        } for a in services.judge_assignments(request.user).prefetch_related("scores__assignment__judge")])


class AssignmentScoreView(APIView):
    """`POST awards/assignments/{id}/scores/`: the judge scores its assignment."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ScoreInputSerializer, responses={200: ScoreSerializer(many=True)})
    def post(self, request, pk):
        """Scores [{criterion, value, comment}], each within its criterion's maximum."""
        assignment = services.judge_assignments(request.user).filter(pk=pk).first()
        if assignment is None:
            raise Http404
        body = ScoreInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            values = {int(s["criterion"]): s for s in body.validated_data["scores"]}
            saved = services.score(by=request.user, assignment=assignment, values=values)
        except (KeyError, ValueError, TypeError):
            raise serializers.ValidationError({"scores": [_("每项须有 criterion 和 value。")]}) from None
        except ValidationError as e:
            raise drf_validation_error(e) from None
        return Response(ScoreSerializer(saved, many=True).data)
