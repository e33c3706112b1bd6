from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag(takes_context=True)
def facet_query(context, key: str, value: str, *, multiple: bool = False) -> str:
    """The list's query string with ``key=value`` switched on or off, back on page 1.

    A single-valued facet replaces its value; a multiple one (activity) adds or removes it.
    """
    # The search's own valid values (OrganizationSearchForm.query), never the raw address:
    # a repeated or unknown parameter would be copied into every link. Read once per render.
    base = context.render_context.get("facet_query_base")
    if base is None:
        base = context["query"]
        context.render_context["facet_query_base"] = base
    params: QueryDict = base.copy()
    current = params.getlist(key)
    if value in current:
        params.setlist(key, [v for v in current if v != value])
    elif multiple:
        params.setlist(key, [*current, value])
    else:
        params.setlist(key, [value])
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"
