"""The REST API under /api/v1/: the second front door, through the same services and rules."""
