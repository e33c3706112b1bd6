from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import Municipality, Prefecture


@require_safe
def municipality_detail(request: HttpRequest, code: str) -> HttpResponse:
    municipality = get_object_or_404(Municipality.objects.select_related("prefecture", "parent"), code=code)
    return render(request, "municipalities/municipality_detail.html", {"municipality": municipality})


@require_safe
def prefecture_detail(request: HttpRequest, code: str) -> HttpResponse:
    prefecture = get_object_or_404(Prefecture, code=code)
    return render(request, "municipalities/prefecture_detail.html", {"prefecture": prefecture})
