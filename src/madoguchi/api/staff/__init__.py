from madoguchi.api.staff.router import router

__all__ = ["router"]
