"""The public pages clients use: online booking, managing a booking by link, calendar feeds.

Server-rendered HTML (Jinja2 templates), no front-end build step. Mounted by
:func:`appointd.asgi.create_app` with :func:`mount`.
"""
