"""Issued documents: laid out (render), signed (signing), checked by anyone (verification).

The services that issue them and record each issuance are in :mod:`.services`; the reads
the portal and back office need are in :mod:`.selectors`.
"""
