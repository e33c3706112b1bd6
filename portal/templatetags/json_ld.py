"""``{{ data|json_ld }}``: a dict as a <script type="application/ld+json"> element.

The JSON is escaped as Django's json_script escapes it (<, > and & as \\u escapes), so no
value, such as a title holding "</script>", can end the element early.
"""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> str:
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1).translate(_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


register.filter("json_ld", json_ld_script, is_safe=True)
