"""The test client the suite logs people in with."""

from django.test import Client


class PortalClient(Client):
    """Django's test client whose ``force_login`` of a staff account also passes the code step.

    Production requires two-step login of every staff account (settings.REQUIRE_STAFF_2FA), so
    a staff member's session there is always verified: ``force_login`` gives staff a confirmed
    authenticator (made once) and marks the session as verified, as the code step does.
    ``verified=False`` leaves the session after the password only, for the tests of the gate.
    """

    def force_login(self, user, backend=None, *, verified: bool = True):
        super().force_login(user, backend)
        if verified and user.is_staff:
            from django_otp import DEVICE_ID_SESSION_KEY
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="テスト用認証アプリ", confirmed=True)
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
