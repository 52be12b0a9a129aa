"""URLs of a process that serves the public face only."""

from config.faces import build_urlpatterns

urlpatterns = build_urlpatterns(["public"])
