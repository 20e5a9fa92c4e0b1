from django.urls import path

from madoguchi.observability import views

app_name = "observability"

urlpatterns = [
    path("health/live", views.live, name="live"),
    path("health/ready", views.ready, name="ready"),
    path("metrics", views.prometheus_metrics, name="metrics"),
]
