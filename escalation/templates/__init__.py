"""Package data: the shipped Jinja2 templates (a package so that wheels include them)."""
