"""The home page: the counts of the user's scope."""
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from orgs.models import Organization
from registry.models import Category, Enterprise, Membership, Person


@login_required
def home(request):
    """Counts of organizations, people, enterprises and members inside the user's subtrees."""
    user = request.user
    people = Person.objects.visible_to(user).active()
    by_category = dict(people.values_list("category").annotate(n=Count("id")).values_list("category", "n"))
    context = {
        "counts": {
            "organizations": Organization.objects.visible_to(user).count(),
            "people": sum(by_category.values()),
            "enterprises": Enterprise.objects.visible_to(user).count(),
            "members": Membership.objects.visible_to(user).filter(left_on__isnull=True).count(),
        },
        "by_category": [(label, by_category.get(value, 0), value) for value, label in Category.choices],
        "by_country": list(
            people.exclude(country="").values_list("country").annotate(n=Count("id")).order_by("-n")[:8]
        ),
        "roots": _scope_roots(user),
    }
    return render(request, "core/home.html", context)


def _scope_roots(user):
    """The organizations at the top of the user's scope."""
    if user.is_superuser:
        return list(Organization.objects.filter(depth=1))
    return list(
        Organization.objects.filter(grants__user=user).distinct().order_by("path")
    )
