from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from portal.models import PersonalDataAccessLog
from portal.privacy import personal_data_access_record
from portal.ratelimits import registration_ratelimit
from portal.spreadsheets import FORMATS_BY_EXTENSION, export_filename, spreadsheet_response
from portal.tokens import new_token

from . import selectors
from .calendars import session_calendar, summit_calendar
from .exports import DelegateResource, delegates_filename_stem
from .forms import ApplicationForm, ContactForm, DelegateFormSet, delegate_initial, delegate_inputs
from .models import Application, Summit
from .services import SummitError, application_cancel, application_create, application_update
from .structured_data import summit_event


def _summit_or_404(slug: str) -> Summit:
    try:
        return selectors.summit_get_public(slug=slug)
    except Summit.DoesNotExist as error:
        raise Http404 from error


@require_safe
def summit_list(request: HttpRequest) -> HttpResponse:
    upcoming, past = selectors.summit_partition(list(selectors.summit_list_public()))
    return render(request, "summits/summit_list.html", {"upcoming": upcoming, "past": past})


@require_safe
def summit_detail(request: HttpRequest, slug: str) -> HttpResponse:
    summit = _summit_or_404(slug)
    context = {
        "summit": summit,
        "timetable": selectors.summit_timetable(summit),
        "tracks": list(summit.tracks.all()),
        "registration_open": summit.is_registration_open(),
        "structured_data": summit_event(summit),
    }
    return render(request, "summits/summit_detail.html", context)


@require_safe
def track_detail(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    summit = _summit_or_404(slug)
    track = next((t for t in summit.tracks.all() if t.number == number), None)
    if track is None:
        raise Http404
    breakouts = [s for s in summit.sessions.all() if s.kind == "breakout"]
    return render(request, "summits/breakouttrack_detail.html", {"summit": summit, "track": track, "breakouts": breakouts})


def _formset(request: HttpRequest, summit: Summit, *, initial=None):
    tracks, courses = selectors.summit_availability(summit=summit)
    data = request.POST if request.method == "POST" else None
    formset = DelegateFormSet(data, prefix="delegates", initial=initial, form_kwargs={"tracks": tracks, "courses": courses})
    if data is not None and not formset.management_form.is_valid():
        # A browser always sends the management form; without it the request was not made by our page.
        raise BadRequest("delegate formset management form missing or malformed")
    return formset, tracks, courses


def _show_refusal(request: HttpRequest, error: SummitError, *, form, formset) -> None:
    """Put a service's refusal where the error summary and the person's row show it.

    A full track or course goes on the row of each person who chose it; a closed summit (the
    form is no longer shown) above the page; any other rule on the form as a whole.
    """
    if error.code == "closed":
        messages.error(request, error.message)
        return
    if not error.full:
        form.add_error(None, error.message)
        return
    for seat in error.full:
        for row in formset.forms:
            if row.has_changed() and getattr(row, "cleaned_data", {}).get(seat.field) == seat.item_id:
                row.add_error(seat.field, seat.message)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@registration_ratelimit
def register(request: HttpRequest, slug: str) -> HttpResponse:
    summit = _summit_or_404(slug)
    registration_open = summit.is_registration_open()
    form = ApplicationForm(request.POST or None, initial={"submission_key": new_token()})
    formset, tracks, courses = _formset(
        request, summit, initial=[{"role": "mayor"}] if request.method != "POST" else None
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            application = application_create(
                summit=summit,
                municipality=form.cleaned_data["municipality_object"],
                contact=form.contact(),
                delegates=delegate_inputs(formset),
                consent=form.cleaned_data["consent"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except SummitError as error:
            if error.code == "already_received":
                messages.info(request, error.message)
                return redirect(error.application)
            formset, tracks, courses = _formset(request, summit)  # refreshed seat counts, same input
            formset.is_valid()
            _show_refusal(request, error, form=form, formset=formset)
        else:
            messages.success(request, _("参加申込を受け付けました。確認メールを送りました。このページのURLから締切まで変更できます。"))
            return redirect(application)
    context = {
        "summit": summit,
        "form": form,
        "formset": formset,
        "tracks": tracks,
        "courses": courses,
        "registration_open": registration_open,
    }
    return render(request, "summits/application_form.html", context)


def _application_or_404(token: str) -> Application:
    try:
        return selectors.application_get_by_token(token=token)
    except Application.DoesNotExist as error:
        raise Http404 from error


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def application_detail(request: HttpRequest, token: str) -> HttpResponse:
    """The delegation's own page: view, change until the deadline, or withdraw (token link)."""
    application = _application_or_404(token)
    summit = application.summit
    initial_contact = {
        "contact_name": application.contact_name,
        "contact_department": application.contact_department,
        "contact_email": application.contact_email,
        "contact_phone": application.contact_phone,
    }
    form = ContactForm(request.POST or None, initial=initial_contact)
    formset, tracks, courses = _formset(
        request, summit, initial=delegate_initial(application) if request.method != "POST" else None
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            application_update(application=application, contact=form.contact(), delegates=delegate_inputs(formset))
        except SummitError as error:
            formset, tracks, courses = _formset(request, summit)
            formset.is_valid()
            if error.code == "cancelled":
                messages.error(request, error.message)
            else:
                _show_refusal(request, error, form=form, formset=formset)
        else:
            messages.success(request, _("申込内容を変更しました。確認メールを送りました。"))
            return redirect(application)
    context = {
        "summit": summit,
        "application": application,
        "form": form,
        "formset": formset,
        "tracks": tracks,
        "courses": courses,
        "can_change": application.is_live and summit.is_registration_open(),
    }
    return render(request, "summits/application_detail.html", context)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def application_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks whether to withdraw (a page of its own, so it works without JavaScript); POST does it."""
    application = _application_or_404(token)
    if request.method != "POST":
        if not application.is_live:
            return redirect(application)
        context = {"summit": application.summit, "application": application}
        return render(request, "summits/application_withdraw_confirm.html", context)
    try:
        application_cancel(application=application)
    except SummitError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("参加申込を取り消しました。"))
    return redirect(application)


def _ics_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def summit_ics(request: HttpRequest, slug: str) -> HttpResponse:
    summit = _summit_or_404(slug)
    return _ics_response(summit_calendar(summit), f"{summit.slug}.ics")


@require_safe
def session_ics(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    summit = _summit_or_404(slug)
    session = next((s for s in summit.sessions.all() if s.pk == pk), None)
    if session is None:
        raise Http404
    return _ics_response(session_calendar(session, summit=summit), f"{summit.slug}-{session.pk}.ics")


# ---------------------------------------------------------------- staff


def _staff_summit(slug: str) -> Summit:
    return get_object_or_404(Summit, slug=slug)


def _delegate_viewer(view, *, also: tuple[str, ...] = ()):
    """Staff pages show delegates' personal data: staff accounts with summits.view_delegate only."""
    return staff_member_required(permission_required(("summits.view_delegate", *also), raise_exception=True)(view))


def _contact_viewer(view):
    """The export also carries each application's contact person: summits.view_application too."""
    return _delegate_viewer(view, also=("summits.view_application",))


@_delegate_viewer
@require_safe
def staff_overview(request: HttpRequest, slug: str) -> HttpResponse:
    """Participants per track and per course, and the participating municipalities by prefecture."""
    summit = _staff_summit(slug)
    tracks, courses = selectors.summit_availability(summit=summit)
    delegates = list(selectors.summit_delegates(summit=summit))
    context = {
        "summit": summit,
        "tracks": [(entry, [d for d in delegates if d.track_id == entry.item.pk]) for entry in tracks],
        "courses": [(entry, [d for d in delegates if d.site_visit_course_id == entry.item.pk]) for entry in courses],
        "prefectures": selectors.summit_applications_by_prefecture(summit=summit),
        "delegate_count": len(delegates),
    }
    return render(request, "summits/summit_staff.html", context)


@_contact_viewer
@require_safe
def staff_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """Delegates as CSV (with a BOM so Excel reads UTF-8) or Excel, written as the admin's export
    writes them; each file is recorded."""
    if fmt not in FORMATS_BY_EXTENSION:
        raise Http404
    summit = _staff_summit(slug)
    dataset = DelegateResource().export(queryset=selectors.summit_delegates(summit=summit))
    personal_data_access_record(
        request=request,
        action=PersonalDataAccessLog.Action.EXPORT,
        data="summits.delegate",
        row_count=len(dataset),
        file_format=fmt,
        target=str(summit),
    )
    file_format = FORMATS_BY_EXTENSION[fmt]()
    filename = export_filename(delegates_filename_stem(summit.slug), file_format)
    return spreadsheet_response(dataset, file_format=file_format, filename=filename)


@_delegate_viewer
@require_safe
def staff_name_cards(request: HttpRequest, slug: str) -> HttpResponse:
    """A print page of names: recorded like an export. Deleted people get no card."""
    summit = _staff_summit(slug)
    delegates = list(selectors.summit_delegates(summit=summit).filter(anonymized_at__isnull=True))
    personal_data_access_record(
        request=request,
        action=PersonalDataAccessLog.Action.PRINT,
        data="summits.delegate",
        row_count=len(delegates),
        target=str(summit),
    )
    return render(request, "summits/delegate_namecards.html", {"summit": summit, "delegates": delegates})
