"""The TimeTap face: TimeTap's REST API (seeds 000 and 001, vendor-apis.md section 3) served
from appointd's core at ``/timetap``, ``/timetap/live`` and ``/timetap/test``."""
