"""Root URLs: mounts the faces named in settings.EGOV_FACES."""

from django.conf import settings

from config.faces import build_urlpatterns

urlpatterns = build_urlpatterns(settings.EGOV_FACES)
