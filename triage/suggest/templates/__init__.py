"""The shipped reply templates (package data)."""
