"""Marketing's view: digests (numbers, themes, charts, HTML/CSV, e-mail), schedules, alerts.

The web dashboard calls `build_digest` and `render_html`; nothing here imports the web app.
"""
