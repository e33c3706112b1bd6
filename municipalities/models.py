from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Left
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .codes import validate_local_government_code
from .enums import MunicipalityKind

prefecture_code_validator = RegexValidator(r"^\d{2}$", _("都道府県コードは2桁の数字です。"))


class Prefecture(models.Model):
    """One of the 47 prefectures, keyed by its 2-digit JIS X 0401 code ("01"–"47")."""

    code = models.CharField(_("都道府県コード"), max_length=2, primary_key=True, validators=[prefecture_code_validator])
    local_government_code = models.CharField(
        _("全国地方公共団体コード"), max_length=6, unique=True, validators=[validate_local_government_code]
    )
    name = models.CharField(_("名称"), max_length=10, unique=True)
    name_kana = models.CharField(_("よみ"), max_length=20)
    name_en = models.CharField(_("英語名"), max_length=20)
    # Not the prefectural office's own position: the sources have none (fixtures/README.md).
    latitude = models.DecimalField(
        _("緯度"), max_digits=9, decimal_places=6, null=True, blank=True, help_text=_("都道府県庁所在地の市区役所の位置。")
    )
    longitude = models.DecimalField(
        _("経度"), max_digits=9, decimal_places=6, null=True, blank=True, help_text=_("都道府県庁所在地の市区役所の位置。")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("都道府県")
        verbose_name_plural = _("都道府県")
        constraints = [
            models.CheckConstraint(condition=models.Q(code__regex=r"^\d{2}$"), name="prefecture_code_two_digits"),
            # 「13」→「130001」: the prefecture's own 全国地方公共団体コード is its code, 000, check digit.
            models.CheckConstraint(
                condition=models.Q(local_government_code__regex=r"^\d{2}000\d$")
                & models.Q(code=Left("local_government_code", 2)),
                name="prefecture_local_government_code_matches",
            ),
        ]

    def __str__(self) -> str:
        return self.local_name

    @property
    def local_name(self) -> str:
        """The name in the page's language: 「広島県」, or "Hiroshima" on an English page."""
        if self.name_en and (get_language() or "").split("-")[0] == "en":
            return self.name_en
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("municipalities:prefecture_detail", kwargs={"code": self.code})


class Municipality(models.Model):
    """A 市区町村 or a ward (行政区) of a designated city.

    ``code`` is the 6-digit 全国地方公共団体コード as text, leading zero kept, with its check
    digit (the sixth digit) validated by ``municipalities.codes``.
    """

    code = models.CharField(
        _("全国地方公共団体コード"), max_length=6, primary_key=True, validators=[validate_local_government_code]
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
                condition=models.Q(prefecture_id=Left("code", 2)), name="municipality_code_in_prefecture"
            ),
            # Exactly the wards (行政区) have a parent: their designated city.
            models.CheckConstraint(
                condition=models.Q(kind=MunicipalityKind.WARD, parent__isnull=False)
                | (~models.Q(kind=MunicipalityKind.WARD) & models.Q(parent__isnull=True)),
                name="ward_has_parent_city",
            ),
        ]
        indexes = [models.Index(fields=["prefecture", "kind"])]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("municipalities:municipality_detail", kwargs={"code": self.code})

    @property
    def is_ward(self) -> bool:
        return self.kind == MunicipalityKind.WARD

    @property
    def display_name(self) -> str:
        """「長野市」, and for a ward its city too: 「札幌市中央区」 (ward names repeat across cities).

        For wards this reads ``parent``: list code should ``select_related("parent")``.
        """
        if self.is_ward:
            return f"{self.parent.name}{self.name}"
        return self.name

    @property
    def display_name_kana(self) -> str:
        """The reading of display_name: 「さっぽろしちゅうおうく」."""
        if self.is_ward:
            return f"{self.parent.name_kana}{self.name_kana}"
        return self.name_kana

    @property
    def full_name(self) -> str:
        """「長野県長野市」「北海道札幌市中央区」, as Japanese addresses read.

        Reads ``prefecture`` (and ``parent`` for wards): ``select_related`` them in lists.
        """
        return f"{self.prefecture.name}{self.display_name}"
