"""/manage/: municipalities keep their RMO listings current; ministry staff review.

Who may do what is asked of the rules (accounts/rules.py) through ``user.has_perm``: the
services check every write themselves; these views check only what they show.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.selectors import municipalities_editable_by
from accounts.sessions import form_take_back, keeps_form_across_login

from . import selectors, services
from .enums import RevisionStatus
from .forms import ListingRevisionForm, ReviewForm
from .models import ListingRevision, Organization
from .services import EDIT_LISTING, REVIEW_LISTING, OrganizationError


def _require(request: HttpRequest, permission: str, target=None) -> None:
    if not request.user.has_perm(permission, target):
        raise PermissionDenied


def _may_edit_revision(user, revision: ListingRevision) -> bool:
    if not user.has_perm(EDIT_LISTING, revision.municipality):
        return False
    return revision.organization_id is None or user.has_perm(EDIT_LISTING, revision.organization)


def _revision_or_404(pk: int) -> ListingRevision:
    revision = selectors.revision_detail(pk=pk)
    if revision is None:
        raise Http404
    return revision


def _municipality_choices(request: HttpRequest):
    """Editors pick from their municipalities; ministry staff (all 1,900) type a code."""
    if request.user.has_perm(REVIEW_LISTING):
        return None
    return list(municipalities_editable_by(request.user).order_by("code"))


# ---------------------------------------------------------------- the editor's pages


@never_cache
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(request, EDIT_LISTING)
    is_reviewer = request.user.has_perm(REVIEW_LISTING)
    municipalities = municipalities_editable_by(request.user)
    code = request.GET.get("municipality", "").strip()[:6]
    if code:
        municipalities = municipalities.filter(code=code)
    groups = [] if is_reviewer and not code else selectors.manage_dashboard(municipalities=municipalities)
    context = {"groups": groups, "is_reviewer": is_reviewer, "code": code}
    return render(request, "organizations/manage/dashboard.html", context)


def _edit(request: HttpRequest, *, organization=None, revision=None, initial=None) -> HttpResponse:
    """The proposal form for a listing, a new RMO, or a draft; "提出" saves and submits."""
    choices = _municipality_choices(request)
    if request.method == "POST":
        form = ListingRevisionForm(request.POST, municipality_choices=choices)
        if form.is_valid():
            try:
                revision = services.listing_draft_save(
                    user=request.user,
                    organization=organization if revision is None else None,
                    revision=revision,
                    **form.cleaned_data,
                )
            except OrganizationError as error:
                form.add_error(None, error.message)
            else:
                if "submit" not in request.POST:
                    messages.success(request, _("下書きを保存しました。"))
                    return redirect("manage:revision_detail", pk=revision.pk)
                try:
                    services.listing_submit(user=request.user, revision=revision)
                except OrganizationError as error:
                    messages.error(request, error.message)
                    return redirect("manage:revision_edit", pk=revision.pk)
                messages.success(request, _("審査に提出しました。承認されると公開されます。"))
                return redirect("manage:revision_detail", pk=revision.pk)
    elif (kept := form_take_back(request)) is not None:
        form = ListingRevisionForm(kept, municipality_choices=choices)
        messages.warning(
            request,
            _("ログアウトされる前に入力していた内容を戻しました。まだ保存されていません。内容を確かめて「下書きを保存」または「提出する」を押してください。"),
        )
    else:
        form = ListingRevisionForm(initial=initial, municipality_choices=choices)
    context = {"form": form, "organization": organization, "revision": revision}
    return render(request, "organizations/manage/revision_form.html", context)


def _initial_from(source) -> dict:
    initial = model_to_dict(source, fields=ListingRevisionForm._meta.fields)
    for name in ("activities", "funding_sources", "member_types"):
        initial[name] = [item.pk for item in initial[name]]
    return initial


@keeps_form_across_login
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose a change to a listing: continues its draft, or starts one from the published
    data (or from the proposal that was returned, so the editor's work is not lost)."""
    organization = get_object_or_404(Organization.objects.select_related("municipality"), pk=pk)
    _require(request, EDIT_LISTING, organization)
    open_revision = selectors.revision_open_for(organization=organization)
    if open_revision is not None and open_revision.status == RevisionStatus.SUBMITTED:
        messages.info(request, _("この組織の変更は審査中です。審査が終わるまで編集できません。"))
        return redirect("manage:revision_detail", pk=open_revision.pk)
    if open_revision is not None:
        return redirect("manage:revision_edit", pk=open_revision.pk)
    source = selectors.revision_returned_latest(organization=organization) or organization
    return _edit(request, organization=organization, initial=None if request.method == "POST" else _initial_from(source))


@keeps_form_across_login
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    _require(request, EDIT_LISTING)
    initial = {}
    code = request.GET.get("municipality", "")
    if code:
        initial["municipality"] = code[:6]
    return _edit(request, initial=initial)


@keeps_form_across_login
@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def revision_edit(request: HttpRequest, pk: int) -> HttpResponse:
    revision = _revision_or_404(pk)
    if not _may_edit_revision(request.user, revision):
        raise PermissionDenied
    if revision.status != RevisionStatus.DRAFT:
        messages.info(request, _("この申請は下書きではないため、編集できません。"))
        return redirect("manage:revision_detail", pk=revision.pk)
    return _edit(
        request,
        organization=revision.organization,
        revision=revision,
        initial=None if request.method == "POST" else _initial_from(revision),
    )


@never_cache
@login_required
def revision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposal's status and its field-by-field difference from the published listing;
    for a reviewer, the review page (approve, or return with a comment)."""
    revision = _revision_or_404(pk)
    is_reviewer = request.user.has_perm(REVIEW_LISTING)
    may_edit = _may_edit_revision(request.user, revision)
    if not (is_reviewer or may_edit):
        raise PermissionDenied
    context = {
        "revision": revision,
        "changes": selectors.revision_changes(revision),
        "may_edit": may_edit,
        "is_reviewer": is_reviewer,
        "review_form": ReviewForm() if is_reviewer and revision.status == RevisionStatus.SUBMITTED else None,
    }
    return render(request, "organizations/manage/revision_detail.html", context)


def _act(request: HttpRequest, pk: int, action, success) -> HttpResponse:
    """Run ``action(revision)``; ``success`` is the message, or a function of the revision
    that gives it (what happened can depend on the listing, see revision_approve)."""
    revision = get_object_or_404(ListingRevision, pk=pk)
    try:
        result = action(revision)
    except OrganizationError as error:
        messages.error(request, error.message)
        return redirect("manage:revision_detail", pk=revision.pk)
    messages.success(request, success(revision) if callable(success) else success)
    return redirect(result)


@login_required
@require_POST
def revision_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda revision: services.listing_submit(user=request.user, revision=revision),
        _("審査に提出しました。承認されると公開されます。"),
    )


@login_required
@require_POST
def revision_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """A returned proposal becomes a new draft with the same values, to correct and resubmit."""
    try:
        draft = services.listing_revise(user=request.user, revision=get_object_or_404(ListingRevision, pk=pk))
    except OrganizationError as error:
        messages.error(request, error.message)
        return redirect("manage:revision_detail", pk=pk)
    return redirect("manage:revision_edit", pk=draft.pk)


# ---------------------------------------------------------------- review (ministry staff)


@never_cache
@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    _require(request, REVIEW_LISTING)
    return render(request, "organizations/manage/review_queue.html", {"revisions": selectors.review_queue()})


def _review(request: HttpRequest, pk: int, review, success) -> HttpResponse:
    form = ReviewForm(request.POST)
    if not form.is_valid():
        _require(request, REVIEW_LISTING)
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("manage:revision_detail", pk=pk)

    def act(revision):
        reviewed = review(user=request.user, revision=revision, comment=form.cleaned_data["comment"])
        revision.organization = reviewed.organization
        return "manage:review_queue"

    return _act(request, pk, act, success)


def _approved_message(revision: ListingRevision) -> str:
    # Approval writes the proposal but leaves a listing the ministry took off the site unpublished.
    if revision.organization.is_published:
        return _("承認し、公開しました。編集者にメールで知らせます。")
    return _("承認し、登録内容を更新しました。この組織は非公開のため、公開ページには表示されません。編集者にメールで知らせます。")


@login_required
@require_POST
def revision_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, services.listing_approve, _approved_message)


@login_required
@require_POST
def revision_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _review(request, pk, services.listing_return, _("差し戻しました。編集者にメールで知らせます。"))


# ---------------------------------------------------------------- history


@never_cache
@login_required
def organization_history(request: HttpRequest, pk: int) -> HttpResponse:
    organizations = Organization.objects.select_related("municipality__prefecture", "municipality__parent")
    organization = get_object_or_404(organizations, pk=pk)
    _require(request, EDIT_LISTING, organization)
    context = {
        "organization": organization,
        "entries": selectors.organization_history(organization=organization),
        "may_restore": request.user.has_perm(REVIEW_LISTING),
    }
    return render(request, "organizations/manage/organization_history.html", context)


@login_required
@require_POST
def organization_restore(request: HttpRequest, pk: int, history_id: int) -> HttpResponse:
    if not Organization.history.filter(id=pk, history_id=history_id).exists():
        raise Http404
    try:
        services.listing_restore(user=request.user, version_id=history_id)
    except OrganizationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("版#%(version)s の内容に戻しました。") % {"version": history_id})
    return redirect("manage:organization_history", pk=pk)
