from django.apps import AppConfig


class JpConfig(AppConfig):
    name = "madoguchi.jp"
    label = "jp"
    verbose_name = "Japanese text and data"
