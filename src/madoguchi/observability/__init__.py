"""Ground-level operations support: structured logs, health checks, metrics, and the 503 that a
resident or an API client gets while the database is unavailable.

This app imports no domain app. Domains and doors plug in through its registries:
``health.register_check`` (readiness checks), ``metrics.register_collector`` (numbers read at
scrape time) and ``unavailable.register_responder`` (how a door says "try again later").
"""
