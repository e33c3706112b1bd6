import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks_db.models import DBTaskResult

from accounts import services
from accounts.models import AccountSecurity, EditorScope, Invitation
from accounts.tokens import invitation_token
from portal.roles import MUNICIPALITY_EDITOR

from .conftest import PASSWORD


def _uid(invitation: Invitation) -> str:
    return urlsafe_base64_encode(force_bytes(invitation.user_id))


@pytest.fixture
def invitation(ministry_user, places):
    return services.invitation_create(invited_by=ministry_user, email=" Tanaka@City.Nagano.LG.JP ", municipality=places["長野市"])


@pytest.mark.django_db
def test_invitation_create_makes_an_inactive_editor_with_scope_and_queues_the_mail(invitation, ministry_user, settings):
    user = invitation.user

    assert (user.username, user.email, user.is_active, user.has_usable_password()) == (
        "tanaka@city.nagano.lg.jp", "tanaka@city.nagano.lg.jp", False, False,
    )
    assert list(user.groups.values_list("name", flat=True)) == [MUNICIPALITY_EDITOR]
    assert EditorScope.objects.get(user=user).municipality_id == "202011"
    assert invitation.invited_by == ministry_user
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=settings.INVITATION_DAYS)
    assert [task.args_kwargs["args"] for task in DBTaskResult.objects.all()] == [["accounts.invitation", invitation.pk, 1]]


@pytest.mark.django_db
def test_invitation_token_is_256_bits_and_not_stored(invitation):
    token = invitation_token(invitation)

    assert len(token) == 43
    stored = [str(value) for value in Invitation.objects.values_list().get(pk=invitation.pk)]
    assert token not in stored


@pytest.mark.django_db
def test_invitation_for_link_accepts_the_right_token_once(invitation):
    token = invitation_token(invitation)

    found = services.invitation_for_link(uidb64=_uid(invitation), token=token)
    user = services.invitation_accept(invitation=found, password=PASSWORD)

    assert user.is_active is True
    assert user.check_password(PASSWORD) is True
    with pytest.raises(services.AccountError) as reused:
        services.invitation_for_link(uidb64=_uid(invitation), token=token)
    assert reused.value.code == "invalid"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "uidb64, token",
    [("wrong-uid", "A" * 43), ("MTIzNDU2Nzg5", "A" * 43), (None, "A" * 43), (None, "")],
    ids=["garbage-uid", "unknown-user", "wrong-token", "empty-token"],
)
def test_invitation_for_link_refuses_wrong_links(invitation, uidb64, token):
    with pytest.raises(services.AccountError) as refused:
        services.invitation_for_link(uidb64=uidb64 or _uid(invitation), token=token)

    assert refused.value.code == "invalid"
    assert str(refused.value) == "この招待リンクは使用済みか、正しくありません。"


@pytest.mark.django_db
def test_invitation_for_link_says_expired_for_the_right_token_after_the_deadline(invitation):
    token = invitation_token(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))

    with pytest.raises(services.AccountError) as refused:
        services.invitation_for_link(uidb64=_uid(invitation), token=token)

    assert refused.value.code == "expired"


@pytest.mark.django_db
def test_inviting_again_replaces_the_scope_and_the_link(invitation, ministry_user, places):
    old_token = invitation_token(invitation)

    again = services.invitation_create(invited_by=ministry_user, email="tanaka@city.nagano.lg.jp", prefecture=places["長野県"])

    assert again.user_id == invitation.user_id
    assert EditorScope.objects.get(user=again.user).prefecture_id == "20"
    with pytest.raises(services.AccountError):
        services.invitation_for_link(uidb64=_uid(invitation), token=old_token)
    assert services.invitation_for_link(uidb64=_uid(again), token=invitation_token(again)) == again


@pytest.mark.django_db
def test_inviting_an_address_whose_account_is_in_use_is_refused(ministry_user, city_editor, places):
    with pytest.raises(services.AccountError) as refused:
        services.invitation_create(invited_by=ministry_user, email="NAGANO-CITY@example.jp", municipality=places["長野市"])

    assert str(refused.value) == "このメールアドレスのアカウントは既にあります。"
    assert Invitation.objects.count() == 0


@pytest.mark.django_db
def test_invitation_needs_exactly_one_area(ministry_user, places):
    with pytest.raises(services.AccountError) as refused:
        services.invitation_create(
            invited_by=ministry_user, email="a@example.jp", municipality=places["長野市"], prefecture=places["長野県"]
        )

    assert refused.value.code == "scope"
    assert get_user_model().objects.filter(username="a@example.jp").exists() is False


@pytest.mark.django_db
def test_invitation_accept_twice_accepts_once(invitation):
    services.invitation_accept(invitation=invitation, password=PASSWORD)

    with pytest.raises(services.AccountError) as second:
        services.invitation_accept(invitation=invitation, password="another-password-123")

    assert second.value.code == "invalid"
    invitation.user.refresh_from_db()
    assert invitation.user.check_password(PASSWORD) is True


@pytest.mark.django_db
def test_sessions_end_everywhere_counts_up_from_zero(city_editor):
    assert AccountSecurity.objects.filter(user=city_editor).exists() is False

    first = services.sessions_end_everywhere(user=city_editor)
    second = services.sessions_end_everywhere(user=city_editor)

    assert (first, second) == (1, 2)
