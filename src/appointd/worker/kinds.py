"""The modules that register subscription kinds, imported by every dispatcher.

A dispatcher needs each kind's renderer, but not the HTTP application around it: importing
``appointd.asgi`` (every face, every route and its pydantic models) cost a worker 2.0-2.3 s of
CPU at start, these modules 1.5-1.6 s (measured at load 5-6), on each restart after a crash
too. A face that registers a kind
(:func:`appointd.worker.subscriptions.register_kind`) lists its module here;
``tests/unit/test_subscription_kinds.py`` fails when a kind registered by the application is
missing after importing only these.
"""

from __future__ import annotations

import importlib

MODULES = ("appointd.faces.agendize.watches",)


def load() -> None:
    """Import every module of :data:`MODULES` (each registers its kinds at import time)."""
    for name in MODULES:
        importlib.import_module(name)
