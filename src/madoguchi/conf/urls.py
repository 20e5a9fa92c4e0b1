from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from madoguchi.api.pages import problem_index, problem_page
from madoguchi.api.urls import api
from madoguchi.api.webhooks import payment_webhook

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("problems/", problem_index, name="problems"),
    path("problems/<slug:kind>", problem_page, name="problem"),
    path("payments/webhooks/<slug:provider>/", payment_webhook, name="payment_webhook"),
    path("staff/", include("madoguchi.backoffice.urls")),
    path("", include("madoguchi.observability.urls")),
    path("", include("madoguchi.portal.urls")),
]

handler400 = "madoguchi.portal.views.errors.bad_request"
handler403 = "madoguchi.portal.views.errors.forbidden"
handler404 = "madoguchi.portal.views.errors.not_found"
handler500 = "madoguchi.portal.views.errors.server_error"
