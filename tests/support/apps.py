"""The app as the integration tests build it: ``create_app``, without paying coverage's tracer again for a
construction it has already traced in this process.

The suite builds one app per test, ~1,800 in all. Under coverage a build took ~0.7 s of CPU on a slow machine
against ~0.35 s untraced: each of Litestar's and dishka's ~350,000 calls is a trace event, recorded or not. A
build with the same kind of settings runs the same lines, so the first one of each kind per worker is traced
and later ones run with the tracer off, as pytest-cov's ``no_cover`` does for a whole test. Every build runs
with the garbage collector off (the build allocates a large graph that lives as long as the app: collecting
during it only walks the live heap again, another ~0.1 s). Measured on tests/integration/test_auth_api.py: 0.72 s ->
0.22 s a build, the module 81 s -> 59 s, and the coverage report the same but for two branch arcs of
``adapters/http/injection.py`` that only a second build takes (other tests, which call ``create_app``
directly, still trace them).

The kind is the database's dialect, the settings a test sets, and the types of the providers it overrides.
Two builds of one kind could differ only in a branch taken on a value, which would then be reported as not
run, never the reverse. Requests, startup and shutdown are traced as usual.

The tracer is coverage's C tracer (``sys.gettrace()`` while coverage runs): ``sys.settrace(None)`` removes it
from this thread, and its own ``start()`` puts it back as it was (``Coverage.stop()`` would only flag it, and
``sys.settrace(tracer)`` would put it back behind Python's slower trampoline).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Hashable

from dishka import Provider
from litestar import Litestar
from sqlalchemy.engine import make_url

from skillbridge.main import Settings, create_app

_built: set[Hashable] = set()


def build_test_app(settings: Settings, *override_providers: Provider) -> Litestar:
    """``create_app(settings, *override_providers)``, traced by coverage only the first time for its kind."""
    kind = (
        make_url(settings.database_url).get_backend_name(),
        frozenset(settings.model_fields_set),
        tuple(type(provider) for provider in override_providers),
    )
    tracer = sys.gettrace()
    untraced = kind in _built and type(tracer).__name__ == "CTracer"
    _built.add(kind)
    if untraced:
        sys.settrace(None)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return create_app(settings, *override_providers)
    finally:
        if collecting:
            gc.enable()
        if untraced:
            tracer.start()  # type: ignore[union-attr]
