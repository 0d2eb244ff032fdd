"""Forms of the portal's business part: the directory's product and demand forms, narrowed to the member's enterprises."""
from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import StyledFormMixin
from directory.forms import DemandForm, ProductForm


def demand_language(member) -> str:
    """The directory language of a member's portal language (zh-hans → zh, en → en)."""
    lang = (member.language or "zh").lower()
    return "zh" if lang.startswith("zh") else lang[:2]


class MemberProductForm(ProductForm):
    """A product of one of the member's enterprises; the enterprise is chosen once, at creation."""

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, user=None, **kwargs)
        if self.instance.pk:
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"].queryset = enterprises.order_by("name")
            self.fields["enterprise"].empty_label = None
            self.fields["enterprise"].widget.attrs["class"] = "form-select"

    def service_fields(self) -> dict:
        """The cleaned data as the member services take it (the enterprise apart)."""
        data = super().service_fields()
        data.pop("enterprise", None)
        return data


class MemberDemandForm(DemandForm):
    """A demand of one of the member's enterprises, in the member's own language by default."""

    enterprise = forms.ModelChoiceField(label=_("采购企业"), queryset=None, empty_label=None)

    field_order = ["enterprise", "title", "description", "language", "category", "quantity", "unit", "target_price",
                   "currency", "destination", "deadline"]

    def __init__(self, *args, enterprises=None, language="zh", **kwargs):
        super().__init__(*args, user=None, **kwargs)
        del self.fields["org"]
        del self.fields["buyer"]
        self.fields["enterprise"].queryset = enterprises.order_by("name")
        self.fields["enterprise"].widget.attrs["class"] = "form-select"
        self.fields["title"].help_text = _("用您自己的语言填写，系统会为供应商翻译。")
        if not self.is_bound:
            self.initial.setdefault("language", language)
        self.order_fields(self.field_order)

    def _post_clean(self):
        # org and buyer come from the enterprise in the service; the model is validated there.
        pass

    def service_fields(self) -> dict:
        """The cleaned data as the member services take it (the enterprise apart)."""
        data = super().service_fields()
        data.pop("enterprise", None)
        return data


class MemberInquiryForm(StyledFormMixin, forms.Form):
    """A member's first message to the supplier of a product, sent for one of its enterprises."""

    enterprise = forms.ModelChoiceField(label=_("以哪家企业询盘"), queryset=None, empty_label=None)
    message = forms.CharField(label=_("询盘内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises.order_by("name")
        self.style()


class MessageForm(StyledFormMixin, forms.Form):
    """A message in an inquiry's thread."""

    body = forms.CharField(label=_("回复"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()
