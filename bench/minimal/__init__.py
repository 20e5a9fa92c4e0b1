"""Bench-only endpoints, mounted only by ``madoguchi.conf.settings.bench``.

* ``POST /bench/minimal/applications``: the database work of a submit in its plainest form
  (parse JSON; one transaction: lock and bump a counter row, insert a case row, insert an
  audit row). The baseline the real API is compared with.
* ``POST /bench/bare``: ``{"ok": true}`` without touching the database: the framework's ceiling.
"""
