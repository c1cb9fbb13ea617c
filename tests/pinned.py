"""Library code that ours copies or replaces, pinned by the digest of its source: a
release that changes it fails the pinning test, so our copy is read again against it
before the upgrade lands, rather than quietly keeping the old rules."""

import hashlib
import inspect


def assert_source_is(function, sha256: str, ours: str) -> None:
    """``function``'s source is the one ``ours`` was written against."""
    source = inspect.getsource(function)
    assert hashlib.sha256(source.encode()).hexdigest() == sha256, (
        f"{function.__module__}.{function.__qualname__} changed: read {ours} against it, "
        "then record the new digest in this test"
    )
