from madoguchi.api.assistant.router import router

__all__ = ["router"]
