"""Serializers of the charity API; beneficiaries' personal fields are read masked."""
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from charity.models import Beneficiary, Disbursement, Donation, Fund, Honor
from core.api import MaskedCharField, MaskedDateField, OrgField
from orgs.models import Organization
from registry.api.serializers import ScopedPrimaryKeyField
from registry.models import Enterprise, Person


class FundSerializer(serializers.ModelSerializer):
    """A fund; `balance` moves only with donations and approved disbursements."""

    org = OrgField()

    class Meta:
        model = Fund
        fields = ["id", "org", "code", "name", "kind", "rules", "balance", "active", "created_at"]
        read_only_fields = ["balance", "created_at"]
        extra_kwargs = {"code": {"validators": []}}


class DonationSerializer(serializers.ModelSerializer):
    """A donation; the receipt number is given on receipt. Anonymous donors are shown as 爱心人士."""

    fund = ScopedPrimaryKeyField(Fund)
    donor_person = ScopedPrimaryKeyField(Person, required=False, allow_null=True)
    donor_enterprise = ScopedPrimaryKeyField(Enterprise, required=False, allow_null=True)
    donor_org = ScopedPrimaryKeyField(Organization, required=False, allow_null=True)
    public_name = serializers.CharField(read_only=True)

    class Meta:
        model = Donation
        fields = ["id", "fund", "donor_kind", "donor_person", "donor_enterprise", "donor_org", "donor_name",
                  "public_name", "anonymous", "kind", "value", "goods", "received_on", "receipt_number", "notes",
                  "created_at"]
        read_only_fields = ["receipt_number", "created_at"]
        extra_kwargs = {"donor_name": {"required": False}, "received_on": {"required": False}}


class BeneficiarySerializer(serializers.ModelSerializer):
    """A beneficiary; personal fields are written in clear and read masked (a minor's name too)."""

    org = OrgField()
    name = serializers.SerializerMethodField()
    name_input = serializers.CharField(write_only=True, source="name", label=_("姓名或名称"))
    id_number = MaskedCharField(max_length=18, required=False, allow_blank=True)
    phone = MaskedCharField(max_length=20, required=False, allow_blank=True)
    address = MaskedCharField(max_length=300, required=False, allow_blank=True)
    birth_date = MaskedDateField(required=False, allow_null=True)
    guardian_name = MaskedCharField(max_length=100, required=False, allow_blank=True)
    guardian_phone = MaskedCharField(max_length=20, required=False, allow_blank=True)
    is_minor = serializers.BooleanField(read_only=True)

    class Meta:
        model = Beneficiary
        fields = ["id", "org", "kind", "name", "name_input", "is_minor", "id_number", "birth_date", "phone",
                  "address", "guardian_name", "guardian_phone", "school", "region", "notes", "created_at"]
        read_only_fields = ["created_at"]

    def get_name(self, obj) -> str:
        """A minor's name masked (王*明), others in full."""
        return str(obj)


class DisbursementSerializer(serializers.ModelSerializer):
    """A disbursement; `approve` and `reject` decide it."""

    fund = ScopedPrimaryKeyField(Fund)
    beneficiary = ScopedPrimaryKeyField(Beneficiary)

    class Meta:
        model = Disbursement
        fields = ["id", "fund", "beneficiary", "amount", "purpose", "status", "decided_at", "paid_on",
                  "decision_note", "created_at"]
        read_only_fields = ["status", "decided_at", "paid_on", "decision_note", "created_at"]


class DecisionSerializer(serializers.Serializer):
    """An approval or refusal."""

    note = serializers.CharField(required=False, allow_blank=True, default="")
    paid_on = serializers.DateField(required=False)


class HonorSerializer(serializers.ModelSerializer):
    """An honour and its one recipient."""

    org = OrgField()
    person = ScopedPrimaryKeyField(Person, required=False, allow_null=True)
    enterprise = ScopedPrimaryKeyField(Enterprise, required=False, allow_null=True)
    recipient_org = ScopedPrimaryKeyField(Organization, required=False, allow_null=True)

    class Meta:
        model = Honor
        fields = ["id", "org", "title", "year", "person", "enterprise", "recipient_org", "citation", "awarded_on"]
        validators = []
