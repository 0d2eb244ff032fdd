"""FilterSets of the charity lists, shared by the web pages and the API."""
import django_filters as df
from django.utils.translation import gettext_lazy as _

from charity.models import (
    Beneficiary,
    BeneficiaryKind,
    Disbursement,
    DisbursementStatus,
    Donation,
    DonationKind,
    Fund,
    FundKind,
    Honor,
)
from registry.filters import OrgSubtreeFilter


class FundFilter(df.FilterSet):
    """Funds by name, kind and organization subtree."""

    q = df.CharFilter(label=_("名称"), field_name="name", lookup_expr="icontains")
    kind = df.ChoiceFilter(label=_("类型"), choices=FundKind.choices, empty_label=_("全部"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Fund
        fields = ["q", "kind", "active", "org"]


class DonationFilter(df.FilterSet):
    """Donations by donor or receipt number, fund, kind and period."""

    q = df.CharFilter(label=_("捐赠方或收据编号"), method="search")
    fund = df.CharFilter(label=_("基金代码"), field_name="fund__code")
    kind = df.ChoiceFilter(label=_("类型"), choices=DonationKind.choices, empty_label=_("全部"))
    received_from = df.DateFilter(label=_("接收不早于"), field_name="received_on", lookup_expr="gte")
    received_to = df.DateFilter(label=_("接收不晚于"), field_name="received_on", lookup_expr="lte")
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Donation
        fields = ["q", "fund", "kind", "received_from", "received_to", "org"]

    def search(self, qs, name, value):
        """Donor name or receipt number."""
        return qs.filter(donor_name__icontains=value) | qs.filter(receipt_number__icontains=value) if value else qs


class BeneficiaryFilter(df.FilterSet):
    """Beneficiaries by name and kind."""

    q = df.CharFilter(label=_("姓名或名称"), field_name="name", lookup_expr="icontains")
    kind = df.ChoiceFilter(label=_("类型"), choices=BeneficiaryKind.choices, empty_label=_("全部"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Beneficiary
        fields = ["q", "kind", "org"]


class DisbursementFilter(df.FilterSet):
    """Disbursements by fund, status, beneficiary and payment period."""

    q = df.CharFilter(label=_("用途"), field_name="purpose", lookup_expr="icontains")
    fund = df.CharFilter(label=_("基金代码"), field_name="fund__code")
    status = df.ChoiceFilter(label=_("状态"), choices=DisbursementStatus.choices, empty_label=_("全部"))
    beneficiary = df.NumberFilter(label=_("受助人"))
    paid_from = df.DateFilter(label=_("拨付不早于"), field_name="paid_on", lookup_expr="gte")
    paid_to = df.DateFilter(label=_("拨付不晚于"), field_name="paid_on", lookup_expr="lte")
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Disbursement
        fields = ["q", "fund", "status", "beneficiary", "paid_from", "paid_to", "org"]


class HonorFilter(df.FilterSet):
    """Honours by title, year and recipient."""

    q = df.CharFilter(label=_("荣誉名称"), field_name="title", lookup_expr="icontains")
    year = df.NumberFilter(label=_("年度"))
    title = df.CharFilter(label=_("名称"), field_name="title")
    person = df.NumberFilter(label=_("人员"))
    enterprise = df.NumberFilter(label=_("企业"))
    org = OrgSubtreeFilter(label=_("组织代码"))

    class Meta:
        model = Honor
        fields = ["q", "year", "title", "person", "enterprise", "org"]
