"""Django admin for superusers: funds (read-only balance), donations, honours."""
from django.contrib import admin

from charity import models


@admin.register(models.Fund)
class FundAdmin(admin.ModelAdmin):
    """Funds; the balance moves only through charity.services."""

    list_display = ["name", "code", "kind", "balance", "org"]
    readonly_fields = ["balance"]
    raw_id_fields = ["org"]


@admin.register(models.Donation)
class DonationAdmin(admin.ModelAdmin):
    """Donations, read-only: receipts are numbered by the service."""

    list_display = ["receipt_number", "donor_name", "kind", "value", "received_on"]
    search_fields = ["receipt_number", "donor_name"]

    def has_change_permission(self, request, obj=None):
        """Receipted donations are not edited."""
        return False

    def has_add_permission(self, request):
        """Donations come in through the service (numbering, balance)."""
        return False


@admin.register(models.Honor)
class HonorAdmin(admin.ModelAdmin):
    """Honours."""

    list_display = ["title", "year", "org"]
    raw_id_fields = ["org", "person", "enterprise", "recipient_org"]
