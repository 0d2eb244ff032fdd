"""Pages of import and export: the import form, blank templates, and starting an export of a list."""
import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import exporting
from core.importing import sheets
from core.importing.forms import ImportForm
from core.importing.tasks import start_import
from core.templatetags.importing import may_import


@login_required
def import_page(request):
    """Upload a sheet and start its import as a background job; then go to the job's page."""
    if not may_import(request.user):
        raise PermissionDenied(_("您没有导入数据的权限。"))
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user,
                      initial={"kind": request.GET.get("kind", "people")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = start_import(by=request.user, kind=data["kind"], upload=data["file"], org=data["org"],
                           mode=data["mode"])
        return redirect("job-detail", job.pk)
    return render(request, "core/import.html", {"section": "import", "form": form, "kinds": sheets.kinds()})


@login_required
def import_template(request, kind):
    """The blank sheet of a kind, with its headers and a sheet explaining the columns."""
    try:
        sheet_kind = sheets.get(kind)
    except ValueError:
        raise Http404 from None
    buffer = io.BytesIO()
    from core.importing.workbooks import write_template  # openpyxl only when a workbook is written
    write_template(sheet_kind, buffer)
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=f"{sheet_kind.title}导入模板.xlsx")


@login_required
@require_POST
def export_start(request, kind):
    """Export the list of `kind` with the filters posted (the list page's current ones) as a job."""
    try:
        sheet_kind = sheets.get(kind)
    except ValueError:
        raise Http404 from None
    names = set(sheet_kind.filterset.base_filters) if sheet_kind.filterset else set()
    filters = {k: v for k, v in request.POST.items() if k in names and v}
    # Personal data comes out in clear only with a stated purpose (and the grant); masked otherwise.
    job = exporting.start_export(by=request.user, kind=kind, filters=filters,
                                 purpose=request.POST.get("export_purpose", ""))
    return redirect("job-detail", job.pk)
