from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    """A 地域運営組織 (Region Management Organization) in the registry."""

    name = models.CharField(_("名称"), max_length=200)
    name_kana = models.CharField(_("よみ"), max_length=400, blank=True)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        related_name="organizations",
        verbose_name=_("市区町村"),
    )
    is_published = models.BooleanField(_("公開"), default=False)

    class Meta:
        ordering = ["municipality_id", "name_kana", "id"]
        verbose_name = _("地域運営組織")
        verbose_name_plural = _("地域運営組織")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizations:organization_detail", kwargs={"pk": self.pk})
