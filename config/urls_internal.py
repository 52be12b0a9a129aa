"""URLs of a process that serves the internal face only."""

from config.faces import build_urlpatterns

urlpatterns = build_urlpatterns(["internal"])
