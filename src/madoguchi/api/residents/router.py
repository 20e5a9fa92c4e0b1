from ninja import Router

# Residents and the municipality's own site: catalog, applications, documents, verification.
router = Router()
