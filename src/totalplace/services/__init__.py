"""Use cases that join io, store and domain; transactions live here."""
