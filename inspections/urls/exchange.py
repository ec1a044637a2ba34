"""Routes of data in and out: imports, exports, reports and calendar feeds."""

urlpatterns: list = []
