from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .enums import InvitationStatus


class EditorScope(models.Model):
    """What a municipality editor (自治体編集者) may edit: one municipality, or one prefecture's.

    A municipality scope of a designated city also covers its wards (行政区).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editor_scope", verbose_name=_("ユーザー")
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="editor_scopes",
        verbose_name=_("市区町村"),
    )
    prefecture = models.ForeignKey(
        "municipalities.Prefecture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="editor_scopes",
        verbose_name=_("都道府県"),
        help_text=_("都道府県の担当者は、その都道府県内のすべての市区町村を編集できます。"),
    )

    class Meta:
        verbose_name = _("編集範囲")
        verbose_name_plural = _("編集範囲")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(municipality__isnull=False, prefecture__isnull=True)
                | models.Q(municipality__isnull=True, prefecture__isnull=False),
                name="editor_scope_exactly_one_area",
            ),
        ]

    def __str__(self) -> str:
        return str(self.municipality or self.prefecture)

    def covers(self, municipality) -> bool:
        """True when listings of ``municipality`` are inside this scope (reads no extra row)."""
        if self.municipality_id is not None:
            return municipality.pk == self.municipality_id or municipality.parent_id == self.municipality_id
        return municipality.prefecture_id == self.prefecture_id


class Invitation(models.Model):
    """An invitation of a municipality editor by ministry staff.

    The link's token is not stored: it is an HMAC of this row and of the user's state
    (accounts.tokens), so it stops working once the password is set, and a database
    reader cannot use it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("ユーザー")
    )
    email = models.EmailField(_("メールアドレス"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("招待した職員"),
    )
    created_at = models.DateTimeField(_("招待日時"), default=timezone.now)
    expires_at = models.DateTimeField(_("有効期限"))
    accepted_at = models.DateTimeField(_("承諾日時"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("招待")
        verbose_name_plural = _("招待")
        indexes = [models.Index(fields=["user", "-created_at"], name="invitation_user_latest")]

    def __str__(self) -> str:
        return self.email

    @property
    def is_expired(self) -> bool:
        return self.accepted_at is None and timezone.now() >= self.expires_at

    @property
    def status(self) -> InvitationStatus:
        """SUPERSEDED needs the annotation ``latest_id_for_user`` (selectors.invitation_list_recent)."""
        if self.accepted_at is not None:
            return InvitationStatus.ACCEPTED
        if getattr(self, "latest_id_for_user", self.pk) != self.pk:
            return InvitationStatus.SUPERSEDED
        if self.is_expired:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING


class AccountSecurity(models.Model):
    """Per-user session epoch: "logout everywhere" increments it, ending every older session.

    Each session remembers the epoch it was logged in at (accounts.sessions); a session
    whose epoch is behind is logged out on its next request. No row means epoch 0.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="account_security",
        verbose_name=_("ユーザー"),
    )
    session_epoch = models.PositiveIntegerField(_("セッション世代"), default=0)

    class Meta:
        verbose_name = _("アカウントの安全設定")
        verbose_name_plural = _("アカウントの安全設定")

    def __str__(self) -> str:
        return str(self.user)
