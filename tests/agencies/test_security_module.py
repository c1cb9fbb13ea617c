"""Authenticator keys encrypted by a PKCS#11 security module (core.hsm,
agencies.security_module, agencies.otp_keys; ASVS 6.4.2): CKM_AES_GCM inside the module
under AES-256 keys it made and never lets out, bound to the owner as before, keys
encrypted in the application still decrypting until `reencrypt_otp_keys` moves them in.
Through SoftHSM2 (tests/softhsm.py), skipped where it is not installed."""

import base64
import hashlib
import os
import signal
import threading

import pytest
import time_machine
from django.contrib.auth.hashers import check_password, make_password
from django.core.management import CommandError, call_command
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies import checks, hashers, otp_keys, security_module
from agencies.hashers import PepperedPBKDF2PasswordHasher, pepper_id
from agencies.models import Authenticator
from core import hsm, hsm_session
from core.encryption import Undecryptable
from tests.factories import PASSWORD, TOTPDeviceFactory, UserFactory, current_code

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("softhsm")]

VERIFY = "/accounts/two-step/verify/"


@pytest.fixture
def module(softhsm, settings):
    """The token configured, with the key otp-test-1 made in it."""
    settings.PKCS11 = softhsm.settings("otp-test-1")
    call_command("create_pkcs11_keys", verbosity=0)
    return softhsm


def stored_key(device) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def test_a_key_is_encrypted_by_the_module_and_decrypts_through_it(module):
    key = bytes(range(20))
    device = TOTPDeviceFactory(key=key.hex())

    column = stored_key(device)

    assert column.startswith(f"p11gcm1:{hsm.key_id('otp-test-1')}:") and len(column) <= 80
    assert key.hex() not in column.lower()
    assert Authenticator.objects.get(pk=device.pk).bin_key == key


def test_the_key_object_is_sensitive_and_cannot_be_read_out_of_the_module(module):
    from pkcs11 import Attribute, KeyType, ObjectClass
    from pkcs11.exceptions import AttributeSensitive

    otp_keys.encrypt(b"k" * 20, user_id=1)  # the session is open
    token = hsm_session._token(security_module.config())
    with token.lock:
        key = token.session.get_key(
            object_class=ObjectClass.SECRET_KEY, key_type=KeyType.AES, label="otp-test-1"
        )
        assert key[Attribute.SENSITIVE] and not key[Attribute.EXTRACTABLE]
        assert key[Attribute.VALUE_LEN] == 32
        with pytest.raises(AttributeSensitive):
            key[Attribute.VALUE]  # noqa: B018


def test_a_value_copied_into_another_persons_device_does_not_decrypt_in_the_module(module):
    mine = TOTPDeviceFactory(user__username="mallory")
    theirs = TOTPDeviceFactory(user__username="ruth")

    TOTPDevice.objects.filter(pk=theirs.pk).update(key=stored_key(mine))

    with pytest.raises(Undecryptable):
        Authenticator.objects.get(pk=theirs.pk).bin_key  # noqa: B018
    assert Authenticator.objects.get(pk=mine.pk).bin_key  # the module still works


def test_a_tampered_value_does_not_decrypt_in_the_module(module):
    device = TOTPDeviceFactory()
    column = stored_key(device)
    flipped = column[:-3] + ("A" if column[-3] != "A" else "B") + column[-2:]
    TOTPDevice.objects.filter(pk=device.pk).update(key=flipped)

    with pytest.raises(Undecryptable):
        Authenticator.objects.get(pk=device.pk).bin_key  # noqa: B018


def test_keys_encrypted_in_the_application_still_decrypt_and_reencrypt_moves_them_in(
    softhsm, settings, capsys
):
    settings.PKCS11 = None
    devices = [TOTPDeviceFactory(), TOTPDeviceFactory()]
    keys = [device.bin_key for device in devices]
    assert all(stored_key(device).startswith("aesgcm1:") for device in devices)
    settings.PKCS11 = softhsm.settings("otp-test-1")
    call_command("create_pkcs11_keys", verbosity=0)
    assert [Authenticator.objects.get(pk=d.pk).bin_key for d in devices] == keys

    call_command("reencrypt_otp_keys")
    first = capsys.readouterr().out
    call_command("reencrypt_otp_keys")

    assert "2 moved into the security module" in first
    assert "0 moved into the security module" in capsys.readouterr().out
    assert all(stored_key(device).startswith("p11gcm1:") for device in devices)
    settings.OTP_KEY_ENCRYPTION_KEYS = []  # the application's keys retired
    assert [Authenticator.objects.get(pk=d.pk).bin_key for d in devices] == keys


def test_rotation_between_module_keys_the_first_label_encrypting(module, settings, capsys):
    device = TOTPDeviceFactory()
    key = device.bin_key
    settings.PKCS11 = module.settings("otp-test-2", "otp-test-1")
    call_command("create_pkcs11_keys", verbosity=0)
    assert Authenticator.objects.get(pk=device.pk).bin_key == key

    call_command("reencrypt_otp_keys")

    assert "1 encrypted again under the first key" in capsys.readouterr().out
    assert stored_key(device).startswith(f"p11gcm1:{hsm.key_id('otp-test-2')}:")
    settings.PKCS11 = module.settings("otp-test-2")  # the old label retired
    assert Authenticator.objects.get(pk=device.pk).bin_key == key


def test_a_value_under_a_label_no_longer_configured_does_not_decrypt(module, settings):
    device = TOTPDeviceFactory()
    settings.PKCS11 = module.settings("otp-test-2")
    call_command("create_pkcs11_keys", verbosity=0)

    with pytest.raises(Undecryptable):
        Authenticator.objects.get(pk=device.pk).bin_key  # noqa: B018


def test_a_module_value_does_not_decrypt_when_no_module_is_configured(module, settings):
    device = TOTPDeviceFactory()
    settings.PKCS11 = None

    with pytest.raises(Undecryptable):
        Authenticator.objects.get(pk=device.pk).bin_key  # noqa: B018


def test_making_the_keys_again_keeps_them(module, settings, capsys):
    device = TOTPDeviceFactory()
    key = device.bin_key
    settings.PKCS11 = module.settings("otp-test-1", "otp-test-3")

    call_command("create_pkcs11_keys")

    out = capsys.readouterr().out
    assert "otp-test-1 (AES): already there" in out
    assert "otp-test-3 (AES): made in the token" in out
    assert Authenticator.objects.get(pk=device.pk).bin_key == key


# --- Failing closed ----------------------------------------------------------------------


def test_a_wrong_pin_is_refused_naming_the_setting_and_nothing_falls_back(module, settings):
    settings.PKCS11 = {**module.settings("otp-test-1"), "PIN": "not-the-pin"}

    with pytest.raises(hsm.ModuleUnavailable, match="FRONTDOOR_PKCS11_PIN"):
        TOTPDeviceFactory()
    assert not TOTPDevice.objects.exists()  # not kept under the application's keys instead
    [error] = checks.security_module_usable()
    assert error.id == "agencies.E001" and "FRONTDOOR_PKCS11_PIN" in error.msg
    with pytest.raises(CommandError, match="FRONTDOOR_PKCS11_PIN"):
        call_command("create_pkcs11_keys")


def test_a_wrong_pin_does_not_decrypt_what_the_right_one_encrypted(module, settings):
    device = TOTPDeviceFactory()
    settings.PKCS11 = {**module.settings("otp-test-1"), "PIN": "not-the-pin"}

    with pytest.raises(hsm.ModuleUnavailable, match="FRONTDOOR_PKCS11_PIN"):
        Authenticator.objects.get(pk=device.pk).bin_key  # noqa: B018


@pytest.mark.parametrize(
    ("change", "setting"),
    [
        ({"TOKEN_LABEL": "no-such-token"}, "FRONTDOOR_PKCS11_TOKEN_LABEL"),
        ({"OTP_KEY_LABELS": ["no-such-key"]}, "FRONTDOOR_PKCS11_OTP_KEY_LABEL"),
        ({"MODULE": "/etc/hostname"}, "FRONTDOOR_PKCS11_MODULE"),
    ],
    ids=["token", "key", "module"],
)
def test_what_cannot_be_used_is_refused_at_start_up_naming_the_setting(
    module, settings, change, setting
):
    settings.PKCS11 = {**module.settings("otp-test-1"), **change}

    [error] = checks.security_module_usable()

    assert setting in error.msg
    with pytest.raises(hsm.ModuleUnavailable, match=setting):
        otp_keys.encrypt(b"k" * 20, user_id=1)


def test_the_start_up_check_refuses_a_key_that_cannot_encrypt_with_gcm(module, monkeypatch):
    """As an HSM in a FIPS mode that makes GCM nonces itself would: found, but unusable."""

    def refuse(self, plaintext, *, label, associated_data):
        raise hsm.ModuleUnavailable("MechanismParamInvalid")

    monkeypatch.setattr(hsm.SecurityModule, "encrypt", refuse)

    [error] = checks.security_module_usable()

    assert "does not encrypt and decrypt with CKM_AES_GCM" in error.msg
    assert "FRONTDOOR_PKCS11_OTP_KEY_LABEL" in error.msg


def test_the_start_up_check_passes_when_the_module_is_usable(module):
    assert checks.security_module_usable() == []
    assert otp_keys.decrypt(otp_keys.encrypt(b"k" * 20, user_id=1), user_id=1) == b"k" * 20


def test_a_key_that_may_be_read_out_is_refused(module, settings):
    from pkcs11 import Attribute, KeyType

    writer = hsm.SecurityModule(security_module.config(), writable=True)
    writer._run(
        lambda session: session.generate_key(
            KeyType.AES,
            256,
            label="otp-test-readable",
            store=True,
            template={Attribute.SENSITIVE: False, Attribute.EXTRACTABLE: True},
        )
    )
    writer.close()
    settings.PKCS11 = module.settings("otp-test-readable")

    with pytest.raises(hsm.ModuleUnavailable, match="not sensitive and non-extractable"):
        otp_keys.encrypt(b"k" * 20, user_id=1)
    with pytest.raises(CommandError, match="not sensitive and non-extractable"):
        call_command("create_pkcs11_keys")


# --- Sessions ------------------------------------------------------------------------------


def test_a_forked_process_opens_a_session_of_its_own(module):
    value = otp_keys.encrypt(b"k" * 20, user_id=7)  # the parent's session is open
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: as a gunicorn or Celery worker
        os.close(reader)
        try:
            ok = otp_keys.decrypt(value, user_id=7) == b"k" * 20
            again = otp_keys.decrypt(otp_keys.encrypt(b"c" * 20, user_id=7), user_id=7)
            os.write(writer, b"ok" if ok and again == b"c" * 20 else b"wrong")
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(writer, repr(exc).encode()[:200])
        finally:
            os._exit(0)
    os.close(writer)
    answer = os.read(reader, 256)
    os.close(reader)
    os.waitpid(pid, 0)

    assert answer == b"ok"
    assert otp_keys.decrypt(value, user_id=7) == b"k" * 20  # the parent's still works


def test_a_process_forked_while_another_thread_uses_the_module_does_not_hang(module):
    value = otp_keys.encrypt(b"k" * 20, user_id=8)
    token = hsm_session._token(security_module.config())
    holding, release = threading.Event(), threading.Event()

    def busy():
        with token.lock:  # as a thread in the middle of an operation at fork()
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=busy)
    thread.start()
    holding.wait(10)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        signal.alarm(10)  # hung on the inherited lock: killed, and nothing is written
        try:
            ok = otp_keys.decrypt(value, user_id=8) == b"k" * 20
            os.write(writer, b"ok" if ok else b"wrong")
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            os.write(writer, repr(exc).encode()[:200])
        finally:
            os._exit(0)
    os.close(writer)
    answer = os.read(reader, 256)
    os.close(reader)
    os.waitpid(pid, 0)
    release.set()
    thread.join()

    assert answer == b"ok"


def test_threads_share_the_session_one_operation_at_a_time(module):
    failures = []

    def work(user_id):
        try:
            for _ in range(20):
                secret = os.urandom(20)
                if (
                    otp_keys.decrypt(otp_keys.encrypt(secret, user_id=user_id), user_id=user_id)
                    != secret
                ):
                    failures.append(user_id)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []


def test_a_session_the_module_dropped_is_opened_again(module):
    value = otp_keys.encrypt(b"k" * 20, user_id=3)
    token = hsm_session._token(security_module.config())
    with token.lock:
        token.session.close()  # as if the module had restarted: the handle is now invalid

    assert otp_keys.decrypt(value, user_id=3) == b"k" * 20


# --- Signing in ----------------------------------------------------------------------------


def test_signing_in_with_an_authenticator_code_works_with_the_module(module, client, settings):
    settings.MFA_REQUIRED = True
    with time_machine.travel("2026-11-27 09:00:00+00:00", tick=False):
        device = TOTPDeviceFactory(user__username="ruth")
        assert stored_key(device).startswith("p11gcm1:")
        client.post("/accounts/login/", {"username": "ruth", "password": PASSWORD})
        assert client.get("/")["Location"].startswith(VERIFY)

        response = client.post(VERIFY, {"code": current_code(device)})

        assert response.status_code == 302 and response["Location"] == "/"
        assert client.get("/").status_code == 200
        assert stored_key(device).startswith("p11gcm1:")  # verifying saved it, still in the module


# --- The password pepper in the module -----------------------------------------------------


class FastPepperedHasher(PepperedPBKDF2PasswordHasher):
    iterations = 1_000


APP_PEPPER = "application-pepper-for-tests-0123456789abcdefgh"
PEPPER_LABEL = "pepper-test-1"


@pytest.fixture
def hashing(softhsm, settings):
    """Peppered hashing with the application's pepper, and the module's pepper key made
    (not yet configured)."""
    settings.PASSWORD_HASHERS = [f"{__name__}.FastPepperedHasher"]
    settings.PASSWORD_PEPPER = APP_PEPPER
    settings.PASSWORD_PEPPER_FALLBACKS = []
    settings.PKCS11 = softhsm.settings("otp-test-1", pepper=(PEPPER_LABEL,))
    call_command("create_pkcs11_keys", verbosity=0)
    settings.PKCS11 = None
    return softhsm


def test_with_a_module_pepper_the_module_keys_the_password(hashing, settings):
    settings.PKCS11 = hashing.settings("otp-test-1", pepper=(PEPPER_LABEL,))
    module = security_module.get()

    encoded = make_password(PASSWORD, salt="somesaltsomesaltsomesa")

    algorithm, pepper, iterations, salt, digest = encoded.split("$")
    keyed = module.hmac_sha256(PASSWORD.encode(), label=PEPPER_LABEL).hex()
    expected = hashlib.pbkdf2_hmac("sha256", keyed.encode(), salt.encode(), 1_000)
    assert (
        pepper == module.hmac_sha256(b"front door password pepper id", label=PEPPER_LABEL).hex()[:8]
    )
    assert pepper != pepper_id(APP_PEPPER)
    assert base64.b64decode(digest) == expected
    assert check_password(PASSWORD, encoded) and not check_password("not-it-at-all", encoded)
    settings.PKCS11 = None  # without the module, no pepper of the application's verifies it
    assert not check_password(PASSWORD, encoded)


def test_the_pepper_key_cannot_be_read_out_of_the_module(hashing, settings):
    from pkcs11 import Attribute, KeyType, ObjectClass
    from pkcs11.exceptions import AttributeSensitive

    settings.PKCS11 = hashing.settings("otp-test-1", pepper=(PEPPER_LABEL,))
    make_password(PASSWORD)  # the session is open
    token = hsm_session._token(security_module.config())
    with token.lock:
        key = token.session.get_key(
            object_class=ObjectClass.SECRET_KEY, key_type=KeyType.GENERIC_SECRET, label=PEPPER_LABEL
        )
        assert key[Attribute.SENSITIVE] and not key[Attribute.EXTRACTABLE]
        with pytest.raises(AttributeSensitive):
            key[Attribute.VALUE]  # noqa: B018


def test_a_hash_under_the_application_pepper_signs_in_and_moves_to_the_module_pepper(
    hashing, settings, client, capsys
):
    pat = UserFactory(username="pat", password=make_password(PASSWORD))
    before = pat.password
    assert before.startswith(f"pbkdf2_sha256_peppered${pepper_id(APP_PEPPER)}$")
    settings.PKCS11 = hashing.settings("otp-test-1", pepper=(PEPPER_LABEL,))
    call_command("password_pepper_status")
    assert "application pepper: 1" in capsys.readouterr().out

    response = client.post("/accounts/login/", {"username": "pat", "password": PASSWORD})

    assert response.status_code == 302
    pat.refresh_from_db()
    current = hashers.peppers()[0].id
    assert pat.password != before and pat.password.startswith(f"pbkdf2_sha256_peppered${current}$")
    settings.PASSWORD_PEPPER = ""  # the application's pepper retired
    assert pat.check_password(PASSWORD)
    call_command("password_pepper_status")
    assert capsys.readouterr().out.splitlines()[0] == "current: 1"


def test_no_password_is_checked_when_the_module_pepper_cannot_be_used(hashing, settings):
    settings.PKCS11 = hashing.settings("otp-test-1", pepper=(PEPPER_LABEL,))
    encoded = make_password(PASSWORD)
    settings.PKCS11 = {**hashing.settings("otp-test-1", pepper=(PEPPER_LABEL,)), "PIN": "wrong"}

    with pytest.raises(hsm.ModuleUnavailable, match="FRONTDOOR_PKCS11_PIN"):
        check_password(PASSWORD, encoded)
    with pytest.raises(hsm.ModuleUnavailable, match="FRONTDOOR_PKCS11_PIN"):
        make_password(PASSWORD)


def test_a_missing_pepper_key_is_refused_at_start_up_naming_the_setting(hashing, settings):
    settings.PKCS11 = hashing.settings("otp-test-1", pepper=("no-such-pepper",))

    [error] = checks.security_module_usable()

    assert "FRONTDOOR_PKCS11_PEPPER_KEY_LABEL" in error.msg
