"""FilterSets shared by the web list pages and the API (one definition, two interfaces)."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from core.countries import country_choices
from core.search import found
from orgs.models import Organization
from registry.models import Category, Enterprise, EnterpriseKind, Industry, Membership, Person


class OrgSubtreeFilter(df.CharFilter):
    """Filter records to one organization's subtree, given its code."""

    def filter(self, qs, value):
        if not value:
            return qs
        org = Organization.objects.filter(code=value).only("path").first()
        if org is None:
            return qs.none()
        return qs.filter(**{f"{qs.model.scope_path}__startswith": org.path})


class SearchFilter(df.CharFilter):
    """Chinese full-text search (core.search): part of a name, pinyin, traditional characters.

    Results come best first (exact name first) unless the user sorts by a column.
    """

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        request = getattr(self.parent, "request", None)
        user = getattr(request, "user", None)
        return found(qs, user, value)


class KeptFormMixin:
    """A FilterSet whose styled form class is built once per FilterSet class.

    django-filter builds a new form class from the filters on every request (a class, its fields, their
    styling: about a tenth of a people list's time); these filtersets' fields depend on nothing but the
    class, so the first one built serves every later request.
    """

    def get_form_class(self):
        """The form class of this FilterSet class, built and styled on first use."""
        kept = type(self).__dict__.get("_kept_form_class")
        if kept is None:
            kept = super().get_form_class()
            for field in kept.base_fields.values():
                css = "form-select" if hasattr(field, "choices") else "form-control"
                field.widget.attrs.setdefault("class", css)
            type(self)._kept_form_class = kept
        return kept


class PersonFilter(KeptFormMixin, df.FilterSet):
    """Filters of the people list: category, country, region, organization, tag, text."""

    cacheable_form = True  # its form's HTML depends only on the query string and the language

    q = SearchFilter(label=_("搜索"))
    category = df.ChoiceFilter(label=_("类别"), choices=Category.choices, empty_label=_("全部"))
    country = df.ChoiceFilter(label=_("居住国"), choices=country_choices, empty_label=_("全部"))
    home_region = df.CharFilter(label=_("祖籍地"), method="filter_region")
    org = OrgSubtreeFilter(label=_("组织代码"))
    tag = df.CharFilter(label=_("标签"), field_name="tags__name")
    is_new_overseas = df.BooleanFilter(label=_("新侨"))
    created_from = df.DateFilter(label=_("登记日期起"), field_name="created_at", lookup_expr="date__gte")
    created_to = df.DateFilter(label=_("登记日期止"), field_name="created_at", lookup_expr="date__lte")
    ordering = df.OrderingFilter(
        fields=(("name", "name"), ("birth_date", "birth_date"), ("country", "country"),
                ("category", "category"), ("created_at", "created_at")),
    )

    class Meta:
        model = Person
        fields = ["q", "category", "country", "home_region", "org", "tag", "is_new_overseas"]

    def filter_region(self, qs, name, value):
        """A region code matches itself and its subdivisions (330000 finds 330782)."""
        prefix = value.rstrip("0") if value else ""
        if len(prefix) % 2:
            prefix += "0"
        return qs.filter(**{f"{name}__startswith": prefix}) if prefix else qs


class EnterpriseFilter(KeptFormMixin, df.FilterSet):
    """Filters of the enterprise list: industry, kind, country, region, organization, tag, text."""

    cacheable_form = True  # its form's HTML depends only on the query string and the language

    q = SearchFilter(label=_("搜索"))
    industry = df.ChoiceFilter(label=_("行业"), choices=Industry.choices, empty_label=_("全部"))
    kind = df.ChoiceFilter(label=_("类型"), choices=EnterpriseKind.choices, empty_label=_("全部"))
    country = df.ChoiceFilter(label=_("国家"), choices=country_choices, empty_label=_("全部"))
    region = df.CharFilter(label=_("地区"), method="filter_region")
    org = OrgSubtreeFilter(label=_("组织代码"))
    tag = df.CharFilter(label=_("标签"), field_name="tags__name")
    created_from = df.DateFilter(label=_("登记日期起"), field_name="created_at", lookup_expr="date__gte")
    created_to = df.DateFilter(label=_("登记日期止"), field_name="created_at", lookup_expr="date__lte")
    ordering = df.OrderingFilter(fields=(("name", "name"), ("industry", "industry"), ("created_at", "created_at")))

    class Meta:
        model = Enterprise
        fields = ["q", "industry", "kind", "country", "region", "org", "tag"]

    filter_region = PersonFilter.filter_region


class MembershipFilter(df.FilterSet):
    """Filters of memberships: organization subtree, current or not, person, enterprise."""

    org = OrgSubtreeFilter(label=_("组织代码"))
    current = df.BooleanFilter(label=_("在会"), field_name="left_on", lookup_expr="isnull")
    person = df.NumberFilter(label=_("人员"))
    enterprise = df.NumberFilter(label=_("企业"))

    class Meta:
        model = Membership
        fields = ["org", "current", "person", "enterprise", "role"]
