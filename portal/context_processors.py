from django.conf import settings


def portal(request):
    """Values every page's base template needs."""
    return {"SITE_URL": settings.SITE_URL}
