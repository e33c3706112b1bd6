"""Template side of the small-count rule (portal.disclosure)."""

from django import template

from portal.disclosure import public_person_count as _public_person_count

register = template.Library()


@register.filter
def public_person_count(value):
    """The number of people, or None when it is too small to publish (say 参加あり instead)."""
    return _public_person_count(value)
