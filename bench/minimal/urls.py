"""The project's URLs plus the bench-only endpoints (ROOT_URLCONF of the bench settings)."""

from django.urls import path

from bench.minimal.views import bare, minimal_submit
from madoguchi.conf.urls import handler400, handler403, handler404, handler500
from madoguchi.conf.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/minimal/applications", minimal_submit, name="bench_minimal_submit"),
    path("bench/bare", bare, name="bench_bare"),
]

urlpatterns += project_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
