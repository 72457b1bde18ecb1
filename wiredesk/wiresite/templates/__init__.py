"""Jinja templates of the wire site (a package so that packaging ships them)."""
