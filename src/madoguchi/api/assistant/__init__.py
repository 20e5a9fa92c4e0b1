from madoguchi.api.assistant import faq  # noqa: F401 (registers the FAQ list)
from madoguchi.api.assistant.router import router

__all__ = ["router"]
