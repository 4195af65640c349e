"""The Agendize face: Agendize Scheduling 2.1 under ``/api/2.1/scheduling`` (and ``/api/2.0``).

Translates the Agendize wire format (``{dateTime, timeZone}`` objects, string ids, ``{"items":
[...]}`` lists, ``{"error": {...}}`` bodies) into core commands and back. It decides nothing.
"""
