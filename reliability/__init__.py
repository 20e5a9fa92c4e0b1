"""``make reliability``: Madoguchi's production topology under faults, access and load, measured.

A suite outside ``make test`` (pytest never collects it): it starts its own production-shaped
instance (``deploy.production``: nginx with TLS, gunicorn app processes, both job workers and
the scheduler under supervisord, PostgreSQL, Redis) with the demo municipalities and the demo
PKI, then

1. submits applications and decides cases continuously while it kills app processes and the
   documents worker, restarts PostgreSQL, fills the media disk and makes the database
   read-only (:mod:`reliability.faults`, :mod:`reliability.load`);
2. verifies that nothing acknowledged was lost, duplicated, corrupted or left stuck
   (:mod:`reliability.verify`);
3. walks every URL and API operation as every kind of visitor (:mod:`reliability.access`);
4. ramps locust users until p99 passes one second, with one and with two app processes
   (:mod:`reliability.ramp`);

and prints one table. See docs/operations/reliability.md.
"""
