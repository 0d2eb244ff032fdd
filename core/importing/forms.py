"""The form of the import page."""
from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from core import uploads
from core.forms import StyledFormMixin
from core.importing import sheets
from core.importing.reader import SUFFIXES
from core.scoping import CHANGE

MODE_CHOICES = [
    ("dry_run", _("试导入：只检查，不写入")),
    ("all", _("全部导入：有任何一行不通过就都不写入")),
    ("valid_only", _("只导入通过检查的行")),
]


class ImportForm(StyledFormMixin, forms.Form):
    """Choose the kind of sheet, the default organization, the file and how to write it."""

    kind = forms.ChoiceField(label=_("表格类型"))
    org = forms.ModelChoiceField(label=_("默认组织"), queryset=None, required=False,
                                 help_text=_("没有填写“组织代码”的行归入此组织。"))
    file = forms.FileField(label=_("表格文件"), help_text=_(".xlsx、.xls 或 .csv（UTF-8 或 GB18030 编码）"))
    mode = forms.ChoiceField(label=_("导入方式"), choices=MODE_CHOICES, initial="dry_run", widget=forms.RadioSelect)

    def __init__(self, *args, user, **kwargs):
        from orgs.models import Organization

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.kind, k.title) for k in sheets.kinds()]
        self.fields["org"].queryset = Organization.objects.visible_to(user, CHANGE)
        self.fields["org"].label_from_instance = lambda o: f"{o.name}（{o.code}）"
        self.style()
        self.fields["mode"].widget.attrs["class"] = "form-check-input"

    def clean_file(self):
        """Only sheet files, checked by their content and size (core.uploads)."""
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in SUFFIXES:
            raise forms.ValidationError(_("请上传 .xlsx、.xls 或 .csv 文件。"))
        return uploads.form_check(upload, "sheet")
