"""Routers of the native face, one module per area."""
