"""Measurements at scale; never part of `make test`."""
