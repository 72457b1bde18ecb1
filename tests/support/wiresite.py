"""pytest fixtures: wiresite server (see module owner)."""
