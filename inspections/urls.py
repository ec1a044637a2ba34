"""Routes of the inspection pages."""

urlpatterns: list = []
