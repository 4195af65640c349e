"""The Cliniko face: Cliniko's API v1 under ``/cliniko/v1``, translated onto the core."""
