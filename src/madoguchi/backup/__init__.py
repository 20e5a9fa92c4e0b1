"""Backups and restores of a whole instance: ``madoguchi backup`` and ``madoguchi restore``.

One encrypted archive holds the database, the media (attachments, issued documents), the
signatures file with the keys and certificates it names, and a manifest that says what is
in it and what the database held. A restore goes only into an empty instance and proves
the result (files, counts, audit chains, signatures, digests). This app sits on top of the
domains: it reads their models and calls their verifications; no domain imports it.
See docs/operations/backup.md and docs/decisions/0009-encrypted-backups.md.
"""
