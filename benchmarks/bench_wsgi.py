"""One gunicorn server for both sides of every comparison.

/bench/bare/... goes to a Django handler with no middleware at all; every other path goes to
the project's normal WSGI application (the full middleware stack, CSRF included). Same
processes, same database pool, same moment: the ratio of the two holds on a noisy machine.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.bench_settings")

import django  # noqa: E402

django.setup(set_prefix=False)

from django.core.handlers.exception import convert_exception_to_response  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402


class BareHandler(WSGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        self._middleware_chain = convert_exception_to_response(self._get_response)


full = WSGIHandler()
bare = BareHandler()


def application(environ, start_response):
    if environ.get("PATH_INFO", "").startswith("/bench/bare/"):
        return bare(environ, start_response)
    return full(environ, start_response)
