"""Readers and writers: messy input in, domain data or clear errors out."""
