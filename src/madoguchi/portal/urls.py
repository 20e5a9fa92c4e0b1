from django.urls import path

from madoguchi.portal.views import apply, catalog, correction, status

app_name = "portal"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("status/", status.status_lookup, name="status"),
    path("status/correct/", correction.correction, name="correction"),
    path("<str:code>/", catalog.catalog, name="catalog"),
    path("<str:code>/procedures/<slug:slug>/", catalog.procedure_detail, name="procedure"),
    path("<str:code>/procedures/<slug:slug>/apply/confirm/", apply.apply_confirm, name="apply_confirm"),
    path("<str:code>/procedures/<slug:slug>/apply/done/", apply.apply_done, name="apply_done"),
    path("<str:code>/procedures/<slug:slug>/apply/<str:step_id>/", apply.apply_step, name="apply_step"),
]
