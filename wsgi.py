"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

from library import create_app, start_up

app = create_app()
start_up(app)
