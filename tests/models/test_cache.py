"""Downloads into the cache: mirrors in turn, atomic, sha256 recorded and checked; a clear offline error."""

import hashlib

import pytest

from artkit.errors import ArtkitError, ModelUnavailableError
from artkit.models import cache


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTKIT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def source(tmp_path, content=b"weights" * 1000):
    path = tmp_path / "served.ckpt"
    path.write_bytes(content)
    return path.as_uri()


def test_the_first_working_mirror_is_used_and_the_hash_recorded(tmp_path, private_cache):
    url = source(tmp_path)
    path = cache.fetch("demo", "demo.ckpt", ["file:///nowhere/dead-link.ckpt", url])
    assert path == private_cache / "demo.ckpt" and path.read_bytes() == b"weights" * 1000
    assert cache.recorded_hashes()["demo.ckpt"] == hashlib.sha256(b"weights" * 1000).hexdigest()
    assert not list(private_cache.glob("*.tmp"))


def test_a_changed_file_is_caught_on_the_next_load(tmp_path, private_cache):
    url = source(tmp_path)
    path = cache.fetch("demo", "demo.ckpt", [url])
    path.write_bytes(b"tampered")
    with pytest.raises(ArtkitError, match="does not match the expected"):
        cache.fetch("demo", "demo.ckpt", [url])


def test_a_published_hash_is_checked(tmp_path):
    with pytest.raises(ArtkitError, match="does not match the expected"):
        cache.fetch("demo", "demo.ckpt", [source(tmp_path)], sha256="0" * 64)


def test_offline_names_the_model_and_the_fixes():
    with pytest.raises(ModelUnavailableError) as err:
        cache.fetch("imagenet-f16-16384", "x.ckpt", ["file:///nowhere/a.ckpt", "file:///nowhere/b.ckpt"])
    message = str(err.value)
    assert "imagenet-f16-16384: cannot download" in message
    assert "artkit models download imagenet-f16-16384" in message and "model: toy" in message
