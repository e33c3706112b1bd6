from django.db import models
from django.utils.translation import gettext_lazy as _


class MunicipalityKind(models.TextChoices):
    DESIGNATED_CITY = "designated_city", _("政令指定都市")
    CITY = "city", _("市")
    TOWN = "town", _("町")
    VILLAGE = "village", _("村")
    SPECIAL_WARD = "special_ward", _("特別区")
    WARD = "ward", _("行政区")


# Kinds counted among the 1,741 市区町村 (wards of designated cities are not).
BASIC_MUNICIPALITY_KINDS = (
    MunicipalityKind.DESIGNATED_CITY,
    MunicipalityKind.CITY,
    MunicipalityKind.TOWN,
    MunicipalityKind.VILLAGE,
    MunicipalityKind.SPECIAL_WARD,
)
