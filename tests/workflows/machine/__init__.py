"""The engine tests' own machine: a small app that uses `workflows` the way a domain does."""
