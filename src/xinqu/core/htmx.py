from django.http import HttpRequest


def partial_or(page: str, partial: str, request: HttpRequest) -> str:
    """The template to render: only the results fragment when HTMX asks for it."""
    return partial if request.headers.get("HX-Request") == "true" else page
