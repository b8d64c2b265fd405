"""The web workspace: a partnership counts its place together, in the browser."""
