"""Storage of evidence files: atomic, verified writes on a file system or S3 (ground level).

Imports nothing from the domain apps; they list their stored files through
:mod:`madoguchi.storage.sources`. Write with :func:`madoguchi.storage.services.store_verified`.
"""
