from django.conf import settings


def platform(request):
    return {
        "EGOV_FACES": settings.EGOV_FACES,
        "EGOV_SITE_NAME": getattr(settings, "EGOV_SITE_NAME", ""),
    }
