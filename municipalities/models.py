from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .enums import MunicipalityKind

prefecture_code_validator = RegexValidator(r"^\d{2}$", _("都道府県コードは2桁の数字です。"))
local_government_code_validator = RegexValidator(r"^\d{6}$", _("全国地方公共団体コードは6桁の数字です。"))


class Prefecture(models.Model):
    """One of the 47 prefectures, keyed by its 2-digit JIS X 0401 code ("01"–"47")."""

    code = models.CharField(_("都道府県コード"), max_length=2, primary_key=True, validators=[prefecture_code_validator])
    local_government_code = models.CharField(
        _("全国地方公共団体コード"), max_length=6, unique=True, validators=[local_government_code_validator]
    )
    name = models.CharField(_("名称"), max_length=10, unique=True)
    name_kana = models.CharField(_("よみ"), max_length=20)
    name_en = models.CharField(_("英語名"), max_length=20)
    latitude = models.DecimalField(_("緯度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("経度"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("都道府県")
        verbose_name_plural = _("都道府県")
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^\d{2}$"), name="prefecture_code_two_digits"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("municipalities:prefecture_detail", kwargs={"code": self.code})


class Municipality(models.Model):
    """A 市区町村 or a ward (行政区) of a designated city.

    ``code`` is the 6-digit 全国地方公共団体コード as text, leading zero kept, with its check
    digit (the sixth digit) validated by ``municipalities.codes``.
    """

    code = models.CharField(
        _("全国地方公共団体コード"), max_length=6, primary_key=True, validators=[local_government_code_validator]
    )
    prefecture = models.ForeignKey(
        Prefecture, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("都道府県")
    )
    name = models.CharField(_("名称"), max_length=40)
    name_kana = models.CharField(_("よみ（ひらがな）"), max_length=80)
    kind = models.CharField(_("区分"), max_length=20, choices=MunicipalityKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="wards",
        verbose_name=_("政令指定都市"),
        help_text=_("行政区の場合、その政令指定都市。"),
    )
    latitude = models.DecimalField(_("緯度（役所）"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("経度（役所）"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("市区町村")
        verbose_name_plural = _("市区町村")
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^\d{6}$"), name="municipality_code_six_digits"),
            models.CheckConstraint(
                condition=models.Q(kind="ward", parent__isnull=False) | ~models.Q(kind="ward"),
                name="ward_has_parent_city",
            ),
        ]
        indexes = [models.Index(fields=["prefecture", "kind"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("municipalities:municipality_detail", kwargs={"code": self.code})

    @property
    def full_name(self) -> str:
        """「長野県長野市」: prefecture name and municipality name, as Japanese addresses read."""
        return f"{self.prefecture.name}{self.name}"
