"""Jinja templates of the wire site."""
