import pytest

from library.core.storage import LocalFileStorage, StorageError


def test_save_read_delete(tmp_path):
    storage = LocalFileStorage(tmp_path)
    key = storage.save(b"hello", "pdf")
    assert key.endswith(".pdf") and storage.read(key) == b"hello"
    assert (tmp_path / key).stat().st_mode & 0o777 == 0o600
    storage.delete(key)
    assert not (tmp_path / key).exists()


@pytest.mark.parametrize(
    "key",
    [
        "../etc/passwd",
        "/etc/passwd",
        "ab/../../x.pdf",
        "ab/evil.pdf",
        "ab/" + "0" * 32 + ".exe",
        "",
        None,
        "ab/" + "0" * 32 + ".pdf/../../x",
    ],
)
def test_keys_that_could_escape_are_refused(tmp_path, key):
    storage = LocalFileStorage(tmp_path)
    with pytest.raises(StorageError):
        storage.read(key)


def test_symlink_out_of_the_root_is_refused(tmp_path):
    root = tmp_path / "store"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / ("a" * 32 + ".pdf")).write_bytes(b"secret")
    root.mkdir()
    (root / "aa").symlink_to(outside)
    with pytest.raises(StorageError):
        LocalFileStorage(root).read("aa/" + "a" * 32 + ".pdf")
