"""The care agents' web app (Starlette, Jinja2, HTMX): `social-triage serve`."""
