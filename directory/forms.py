"""Forms of the directory pages: product, photo, demand, glossary term, and the public inquiry."""
from django import forms
from django.utils.translation import gettext_lazy as _

from core.countries import country_choices
from core.forms import StyledFormMixin
from core.scoping import CHANGE
from directory.models import LANGUAGES, Category, Demand, Product
from orgs.models import Organization
from registry.models import Enterprise


def category_choices():
    """Second-level categories under their parent's name."""
    out = [("", "—")]
    for parent in Category.objects.filter(parent__isnull=True).prefetch_related("children"):
        out.append((parent.name, [(c.pk, c.name) for c in parent.children.all()] or [(parent.pk, parent.name)]))
    return out


class ProductForm(StyledFormMixin, forms.ModelForm):
    """A product with its English text (left empty, the glossary fills it in and marks it as machine-made)."""

    name_en = forms.CharField(label=_("英文品名"), required=False, max_length=200)
    description_en = forms.CharField(label=_("英文描述"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.TypedChoiceField(label=_("类目"), required=False, coerce=int, empty_value=None)

    class Meta:
        model = Product
        fields = ["enterprise", "code", "name", "description", "specifications", "min_order", "unit",
                  "price_min", "price_max", "currency", "hs_code", "certifications", "status"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "specifications": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = Enterprise.objects.visible_to(user, CHANGE).order_by("name")
        self.fields["category"].choices = category_choices()
        if self.instance.pk:
            self.initial["category"] = self.instance.category_id
            en = (self.instance.translations or {}).get("en", {})
            if not en.get("machine"):
                self.initial.update(name_en=en.get("name", ""), description_en=en.get("description", ""))
        self.style()

    def service_fields(self) -> dict:
        """The cleaned data as the services take it."""
        data = dict(self.cleaned_data)
        name_en, description_en = data.pop("name_en"), data.pop("description_en")
        data["category"] = Category.objects.filter(pk=data["category"]).first() if data.get("category") else None
        translations = dict(self.instance.translations or {}) if self.instance.pk else {}
        if name_en or description_en:
            translations["en"] = {"name": name_en, "description": description_en, "machine": False}
        elif translations.get("en") and not translations["en"].get("machine"):
            translations.pop("en")
        data["translations"] = translations
        return data


class PhotoForm(forms.Form):
    """One photo file (checked by its content in the service)."""

    photo = forms.FileField(label=_("图片"))


class PhotoZipForm(StyledFormMixin, forms.Form):
    """A products sheet (its 图片 column names the files) and the zip of photos beside it."""

    sheet = forms.FileField(label=_("产品表格"), help_text=_("与导入产品时相同的表格，“图片”列写文件名，多个用分号隔开"))
    archive = forms.FileField(label=_("图片压缩包（.zip）"))

    MAX_ZIP_BYTES = 500 * 1024 * 1024

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def clean_sheet(self):
        """A sheet file, checked by its content."""
        from core.uploads import form_check

        return form_check(self.cleaned_data["sheet"], "sheet")

    def clean_archive(self):
        """A real zip file (by its content), at most 500 MB; each photo is checked when attached."""
        import zipfile

        upload = self.cleaned_data["archive"]
        if upload.size > self.MAX_ZIP_BYTES:
            raise forms.ValidationError(_("压缩包不能超过 500 MB。"))
        if not zipfile.is_zipfile(upload):
            raise forms.ValidationError(_("“%(n)s”不是 zip 压缩包。") % {"n": upload.name})
        upload.seek(0)
        return upload


class DemandForm(StyledFormMixin, forms.ModelForm):
    """A demand, in the buyer's language."""

    category = forms.TypedChoiceField(label=_("类目"), required=False, coerce=int, empty_value=None)
    destination = forms.ChoiceField(label=_("目的国"), required=False)

    class Meta:
        model = Demand
        fields = ["org", "buyer", "title", "description", "language", "quantity", "unit", "target_price",
                  "currency", "destination", "deadline"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "deadline": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = Organization.objects.visible_to(user, CHANGE).order_by("path")
        self.fields["category"].choices = category_choices()
        self.fields["destination"].choices = [("", "—"), *country_choices()]
        self.fields["language"].choices = LANGUAGES
        self.style()

    def service_fields(self) -> dict:
        """The cleaned data as the services take it."""
        data = dict(self.cleaned_data)
        data["category"] = Category.objects.filter(pk=data["category"]).first() if data.get("category") else None
        return data


class GlossaryTermForm(StyledFormMixin, forms.Form):
    """A glossary word added by staff."""

    zh = forms.CharField(label=_("中文"), max_length=40)
    en = forms.CharField(label=_("英文"), max_length=120, help_text=_("多个译法以 | 分隔"))
    es = forms.CharField(label=_("西班牙文"), max_length=120, required=False)
    ru = forms.CharField(label=_("俄文"), max_length=120, required=False)
    ar = forms.CharField(label=_("阿拉伯文"), max_length=120, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class InquiryForm(forms.Form):
    """A buyer's first message, behind the intake's challenge and a honeypot."""

    name = forms.CharField(max_length=200)
    email = forms.EmailField(required=False)
    country = forms.ChoiceField(required=False)
    message = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    answer = forms.CharField(max_length=4)
    token = forms.CharField(widget=forms.HiddenInput)
    website = forms.CharField(required=False)

    def __init__(self, *args, labels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—"), *country_choices()]
        for name, field in self.fields.items():
            if labels and name in labels:
                field.label = labels[name]
            field.widget.attrs.setdefault("class", "form-select" if name == "country" else "form-control")
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})


class ReplyForm(forms.Form):
    """A message in an inquiry's thread."""

    body = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
