from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Everything that exists only for the demo: it may import any domain, and no domain imports it."""

    name = "madoguchi.demo"
    label = "demo"
