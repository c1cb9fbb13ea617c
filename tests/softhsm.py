"""A SoftHSM2 token for the tests of the PKCS#11 security module (core.hsm): initialised
in a folder of its own under pytest's temporary directory, with its own softhsm2.conf,
once per test process (SoftHSM reads SOFTHSM2_CONF when the library is first loaded, and
core.hsm loads it once per process). Skipped, saying so, where softhsm2 is not installed
(`apt-get install softhsm2`; .ci/run installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

LIBRARIES = [
    Path("/usr/lib/softhsm/libsofthsm2.so"),
    Path("/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"),
    Path("/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so"),
    Path("/usr/local/lib/softhsm/libsofthsm2.so"),
]
TOKEN_LABEL = "frontdoor-test"
PIN = "test-user-pin-1234"
SO_PIN = "test-so-pin-5678"


@dataclass(frozen=True)
class Token:
    library: str
    label: str
    pin: str
    conf: str

    def settings(self, *labels: str, pepper: tuple[str, ...] = ()) -> dict:
        """settings.PKCS11 as frontdoor.settings makes it."""
        return {
            "MODULE": self.library,
            "TOKEN_LABEL": self.label,
            "PIN": self.pin,
            "OTP_KEY_LABELS": list(labels or ["otp-test-1"]),
            "PEPPER_KEY_LABELS": list(pepper),
        }

    def environment(self, *labels: str) -> dict[str, str]:
        """The FRONTDOOR_PKCS11_* variables (the PIN in the environment)."""
        return {
            "SOFTHSM2_CONF": self.conf,
            "FRONTDOOR_PKCS11_MODULE": self.library,
            "FRONTDOOR_PKCS11_TOKEN_LABEL": self.label,
            "FRONTDOOR_PKCS11_PIN": self.pin,
            "FRONTDOOR_PKCS11_OTP_KEY_LABEL": ",".join(labels or ["otp-test-1"]),
        }


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory) -> Token:
    library = next((path for path in LIBRARIES if path.is_file()), None)
    if shutil.which("softhsm2-util") is None or library is None:
        pytest.skip("softhsm2 is not installed (apt-get install softhsm2; .ci/run installs it)")
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        [
            "softhsm2-util",
            "--init-token",
            "--free",
            "--label",
            TOKEN_LABEL,
            "--pin",
            PIN,
            "--so-pin",
            SO_PIN,
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "SOFTHSM2_CONF": str(conf)},
    )
    return Token(library=str(library), label=TOKEN_LABEL, pin=PIN, conf=str(conf))
