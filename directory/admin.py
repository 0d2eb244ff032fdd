"""Django admin of the directory, for superusers only."""
from django.contrib import admin

from directory.models import Category, Demand, GlossaryTerm, Inquiry, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """The category tree."""

    list_display = ["code", "name", "name_en", "parent"]
    search_fields = ["code", "name", "name_en"]


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    """Staff's glossary words."""

    list_display = ["zh", "en", "es", "ru", "ar", "category"]
    search_fields = ["zh", "en"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Products (edit through the web UI so that translations, vectors and audit follow)."""

    list_display = ["name", "enterprise", "category", "status", "country"]
    list_filter = ["status"]
    raw_id_fields = ["enterprise", "org", "category"]
    search_fields = ["name"]


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    """Demands."""

    list_display = ["title", "buyer", "language", "destination", "status"]
    raw_id_fields = ["org", "category"]


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    """Inquiries (the parties and the status; the messages stay between them)."""

    list_display = ["buyer_name", "enterprise", "status", "is_spam", "created_at"]
    raw_id_fields = ["org", "enterprise", "product", "demand"]
    exclude = ["buyer_key", "supplier_key"]
