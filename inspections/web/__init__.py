"""The product's web pages: their views and their URL routes."""
