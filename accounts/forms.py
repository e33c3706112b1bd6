import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality, Prefecture
from portal.forms import PortalFormMixin


def _helper(submit_label, *, form_tag: bool = True) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = form_tag
    helper.form_method = "post"
    helper.add_input(Submit("submit", submit_label))
    return helper


class LoginForm(PortalFormMixin, AuthenticationForm):
    """Django's login form (it passes the request on, so django-axes counts each attempt)."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("ユーザー名（メールアドレス）")
        self.fields["password"].label = _("パスワード")
        # The template adds the hidden "next" field inside the form.
        self.helper = _helper(_("ログイン"), form_tag=False)


class OTPCodeForm(PortalFormMixin, forms.Form):
    code = forms.CharField(
        label=_("確認コード（6桁）"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        help_text=_("認証アプリに表示されている6桁の数字を入力してください。"),
    )

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(submit_label or _("確認"))

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"]).translate(str.maketrans("０１２３４５６７８９", "0123456789"))
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("6桁の数字を入力してください。"))
        return code


class InvitationForm(PortalFormMixin, forms.Form):
    email = forms.EmailField(label=_("メールアドレス"))
    prefecture = forms.ModelChoiceField(
        label=_("都道府県"), queryset=Prefecture.objects.all(), empty_label=_("選択してください")
    )
    municipality_code = forms.CharField(
        label=_("市区町村コード（6桁）"),
        required=False,
        max_length=6,
        help_text=_("全国地方公共団体コード。空欄にすると、都道府県内のすべての市区町村を編集できるアカウントになります。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("招待メールを送る"))

    def clean(self):
        cleaned = super().clean()
        code = (cleaned.get("municipality_code") or "").strip()
        prefecture = cleaned.get("prefecture")
        cleaned["municipality"] = None
        if code and prefecture is not None:
            municipality = Municipality.objects.filter(code=code).select_related("prefecture", "parent").first()
            if municipality is None:
                self.add_error("municipality_code", _("この市区町村コードは見つかりません。"))
            elif municipality.prefecture_id != prefecture.pk:
                self.add_error("municipality_code", _("この市区町村は選択した都道府県にありません。"))
            else:
                cleaned["municipality"] = municipality
        return cleaned


class InvitationPasswordForm(PortalFormMixin, SetPasswordForm):
    """Django's set-password form (the password validators apply), labelled for invitations."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("パスワード")
        self.fields["new_password2"].label = _("パスワード（確認）")
        self.helper = _helper(_("パスワードを設定して利用を始める"))


class PasswordResetRequestForm(PortalFormMixin, PasswordResetForm):
    """Django's reset form, for its email field only: the view queues the mail (accounts.services)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("メールアドレス")
        self.fields["email"].help_text = _("アカウントに登録しているメールアドレスを入力してください。")
        self.fields["email"].widget.attrs["autofocus"] = True
        self.helper = _helper(_("再設定のメールを送る"))


class PasswordResetSetForm(PortalFormMixin, SetPasswordForm):
    """Django's set-password form (the password validators apply), labelled for a reset."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("新しいパスワード")
        self.fields["new_password2"].label = _("新しいパスワード（確認）")
        self.helper = _helper(_("パスワードを再設定する"))
