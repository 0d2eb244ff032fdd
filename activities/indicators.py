"""The activities indicators: activities and attendance, trips, training hours, outcomes, projects, volunteers."""
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from activities.models import Activity, Kind, Outcome, OutcomeKind, Project, Service, Stage
from stats.indicators import Indicator, register

PROJECTS = pgettext_lazy("unit: number of projects", "个")  # the unit of the indicators below that count projects


def _activities(scope):
    return scope.qs(Activity).filter(start__range=(scope.start, scope.end))


def _period(s):
    return {"start_from": s.start.isoformat(), "start_to": s.end.isoformat()}


def _sum(qs, field):
    return qs.aggregate(t=Sum(field))["t"] or 0


def _by(qs, field):
    return dict(qs.values_list(field).annotate(n=Count("id")).order_by("-n").values_list(field, "n"))


def _trips_by_destination(scope) -> dict:
    counts: dict[str, int] = {}
    for dests, country in _activities(scope).filter(kind=Kind.STUDY_TRIP).values_list("destinations", "country"):
        for code in {c.strip() for c in (dests or country or "").split(",") if c.strip()}:
            counts[code] = counts.get(code, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _outcomes(scope, kind):
    return scope.qs(Outcome).filter(kind=kind, activity__start__range=(scope.start, scope.end))


def _projects_signed(scope):
    return scope.qs(Project).filter(signed_on__range=(scope.start, scope.end))


def _projects_landed(scope):
    return scope.qs(Project).filter(landed_on__range=(scope.start, scope.end))


def _services(scope):
    return scope.qs(Service).filter(date__range=(scope.start, scope.end))


def _a(key, title, unit, description, compute, records=_activities, **kw):
    register(Indicator(key=key, title=title, unit=unit, description=description, compute=compute, records=records,
                       list_url=kw.pop("list_url", "activities:activity-list"),
                       list_filters=kw.pop("list_filters", _period), **kw))


_a("activities.activities.count", _("活动"), _("场"), _("期内开始的活动数（按开始日期）。"),
   lambda s: _activities(s).count())
_a("activities.activities.by_kind", _("各类活动"), _("场"), _("期内开始的活动数，按类型。"),
   lambda s: _by(_activities(s), "kind"), breakdown_param="kind")
_a("activities.participants", _("参加人数"), _("人"),
   _("期内活动的参加人数之和：签到的不同人数，导入的往年活动取表中人数。"),
   lambda s: _sum(_activities(s), "participants"))
_a("activities.person_times", _("参加人次"), _("人次"),
   _("期内活动的参加人次之和：多场次培训每场签到计一人次。"), lambda s: _sum(_activities(s), "person_times"))
_a("activities.trips.count", _("考察活动"), _("次"), _("期内开始的考察活动数。"),
   lambda s: _activities(s).filter(kind=Kind.STUDY_TRIP).count(),
   records=lambda s: _activities(s).filter(kind=Kind.STUDY_TRIP),
   list_filters=lambda s: {**_period(s), "kind": Kind.STUDY_TRIP})
_a("activities.trips.by_destination", _("考察目的地"), _("次"),
   _("期内考察活动按目的地国家或地区计数（一次考察去几个国家就计几个）。"), _trips_by_destination,
   records=lambda s: _activities(s).filter(kind=Kind.STUDY_TRIP),
   list_filters=lambda s: {**_period(s), "kind": Kind.STUDY_TRIP}, breakdown_param="destination")
_a("activities.training.sessions", _("培训"), _("期"), _("期内开始的培训数。"),
   lambda s: _activities(s).filter(kind=Kind.TRAINING).count(),
   records=lambda s: _activities(s).filter(kind=Kind.TRAINING),
   list_filters=lambda s: {**_period(s), "kind": Kind.TRAINING})
_a("activities.training.trainees", _("培训人次"), _("人次"), _("期内培训的参加人次之和。"),
   lambda s: _sum(_activities(s).filter(kind=Kind.TRAINING), "person_times"),
   records=lambda s: _activities(s).filter(kind=Kind.TRAINING),
   list_filters=lambda s: {**_period(s), "kind": Kind.TRAINING})
_a("activities.training.hours", _("培训学时"), _("人·小时"),
   _("期内培训的学时之和：每人次乘以该场次的学时。"),
   lambda s: _sum(_activities(s).filter(kind=Kind.TRAINING), "hours"),
   records=lambda s: _activities(s).filter(kind=Kind.TRAINING),
   list_filters=lambda s: {**_period(s), "kind": Kind.TRAINING})
_a("activities.outcomes.signed_count", _("活动签约项目"), PROJECTS, _("期内活动上签约的项目数。"),
   lambda s: _outcomes(s, OutcomeKind.SIGNED).count())
_a("activities.outcomes.signed_amount", _("活动签约金额"), _("万元"), _("期内活动上签约项目的金额之和。"),
   lambda s: _sum(_outcomes(s, OutcomeKind.SIGNED), "amount"))
_a("activities.outcomes.intended_amount", _("意向成交额"), _("万元"), _("期内活动达成意向的金额之和。"),
   lambda s: _sum(_outcomes(s, OutcomeKind.INTENTION), "amount"))

_p = {"list_url": "activities:project-list"}
_a("activities.projects.by_stage", _("招商项目（按阶段）"), PROJECTS, _("当前各阶段的项目数（登记日期不晚于期末）。"),
   lambda s: _by(s.qs(Project).filter(created_at__date__lte=s.end), "stage"),
   records=lambda s: s.qs(Project), list_filters=lambda s: {}, breakdown_param="stage", cumulative=True, **_p)
_a("activities.projects.signed", _("签约项目"), PROJECTS, _("期内签约的招商项目数（按签约日期）。"),
   lambda s: _projects_signed(s).count(), records=_projects_signed,
   list_filters=lambda s: {"signed_from": s.start.isoformat(), "signed_to": s.end.isoformat()}, **_p)
_a("activities.projects.signed_amount", _("签约投资额"), _("万元"), _("期内签约的招商项目投资额之和。"),
   lambda s: _sum(_projects_signed(s), "amount"), records=_projects_signed,
   list_filters=lambda s: {"signed_from": s.start.isoformat(), "signed_to": s.end.isoformat()}, **_p)
_a("activities.projects.landed", _("落地项目"), PROJECTS, _("期内落地的招商项目数（按落地日期）。"),
   lambda s: _projects_landed(s).count(), records=_projects_landed,
   list_filters=lambda s: {"stage": Stage.LANDED}, **_p)
_a("activities.projects.landed_amount", _("到位资金"), _("万元"), _("期内落地项目的到位资金之和。"),
   lambda s: _sum(_projects_landed(s), "landed_amount"), records=_projects_landed,
   list_filters=lambda s: {"stage": Stage.LANDED}, **_p)

_v = {"list_url": "activities:service-list",
      "list_filters": lambda s: {"date_from": s.start.isoformat(), "date_to": s.end.isoformat()}}
_a("activities.volunteer.services", _("志愿服务"), _("次"), _("期内记录的志愿服务次数。"),
   lambda s: _services(s).count(), records=_services, **_v)
_a("activities.volunteer.hours", _("志愿服务时长"), _("小时"), _("期内记录的志愿服务时长之和。"),
   lambda s: _sum(_services(s), "hours"), records=_services, **_v)
_a("activities.volunteer.volunteers", _("参与服务的志愿者"), _("人"), _("期内至少服务过一次的志愿者人数。"),
   lambda s: _services(s).values("volunteer").distinct().count(), records=_services, **_v)
