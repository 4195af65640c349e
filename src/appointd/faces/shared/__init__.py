"""What every face uses and no face owns; imports no face.

* :mod:`.parsing` - strict parsers of ids, instants, dates and local wall times;
* :mod:`.pydantic` - the same parsers as pydantic validators (``Annotated`` types);
* :mod:`.errors` - the registry through which each face renders shared-machinery errors
  (413, idempotency) in its own format, by path prefix;
* :mod:`.body_limit` - the request body limit (an ASGI middleware for the whole app);
* :mod:`.idempotency` - ``Idempotency-Key`` handling for unsafe requests of any face.
"""
