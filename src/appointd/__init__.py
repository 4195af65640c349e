"""appointd: an appointment-scheduling server with one core and several API faces."""

__version__ = "0.1.0"
