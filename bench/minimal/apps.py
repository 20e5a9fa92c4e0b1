from django.apps import AppConfig


class MinimalConfig(AppConfig):
    name = "bench.minimal"
    label = "bench_minimal"
    verbose_name = "Benchmark baselines"
    default_auto_field = "django.db.models.BigAutoField"
