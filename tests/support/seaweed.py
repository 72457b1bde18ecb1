"""pytest fixtures: seaweed server (see module owner)."""
