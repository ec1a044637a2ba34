"""The product's pages, one module per area; thin views over the selectors and services."""
