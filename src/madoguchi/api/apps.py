from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "madoguchi.api"
    label = "api"
    verbose_name = "REST API"

    def ready(self) -> None:
        from madoguchi.api.problems import problem
        from madoguchi.observability.unavailable import RETRY_AFTER_SECONDS, register_responder

        # While the database is down, API clients get a problem document, not the portal's page.
        register_responder(
            "/api/",
            lambda request: problem(
                request, 503, "service-unavailable", headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
            ),
        )
