from django.conf import settings


def operator(request):
    """The operator's public facts, for the site's footer and the privacy page."""
    return {
        "operator_name": settings.ANONI_OPERATOR_NAME,
        "operator_contact": settings.ANONI_OPERATOR_CONTACT,
        "data_location": settings.ANONI_DATA_LOCATION,
    }
