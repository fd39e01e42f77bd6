"Download cache against the shared mirror and bad-input cases (offline, corrupt archive)."

import os, tarfile
from pathlib import Path
import pytest
from klas_lfa_glidr.core.data import (
    DatasetSpec,
    DataUnavailable,
    ChecksumError,
    download,
    fetch_archive,
    sha256sum,
    data_root,
)

MIRROR = Path(__file__).resolve().parents[2] / 'shared' / 'data'


@pytest.mark.skipif(not (MIRROR / 'kg').is_dir(), reason='shared data mirror not present')
def test_mirror_is_used_without_network(monkeypatch):
    monkeypatch.setenv('KLG_DATA', str(MIRROR))
    monkeypatch.setenv('KLG_OFFLINE', '1')
    spec = DatasetSpec(
        'kg/conve-nations',
        {f: f'https://example.invalid/nations/{f}' for f in ('train.txt', 'valid.txt', 'test.txt')},
    )
    assert data_root() == MIRROR and spec.present()
    d = spec.fetch()
    assert sum(1 for _ in open(d / 'train.txt')) == 1592  # the count in shared/data/README.md


def test_offline_missing_names_url_file_and_dir(tmp_path, monkeypatch):
    monkeypatch.setenv('KLG_DATA', str(tmp_path))
    monkeypatch.setenv('KLG_OFFLINE', '1')
    spec = DatasetSpec('umls', {'train.txt': 'https://example.invalid/umls/train.txt'})
    with pytest.raises(DataUnavailable) as e:
        spec.fetch()
    msg = str(e.value)
    assert (
        'https://example.invalid/umls/train.txt' in msg
        and 'lacks 1 of 1 files' in msg
        and 'train.txt' in msg
        and str(tmp_path / 'umls') in msg
    )
    assert not (tmp_path / 'umls').exists() or not any((tmp_path / 'umls').iterdir())


def test_corrupt_archive_leaves_cache_clean(tmp_path):
    src = tmp_path / 'src'
    src.mkdir()
    (src / 'a.txt').write_text('x' * 1000)
    arc = tmp_path / 'good.tar.gz'
    with tarfile.open(arc, 'w:gz') as t:
        t.add(src / 'a.txt', arcname='a.txt')
    bad = tmp_path / 'bad.tar.gz'
    b = bytearray(arc.read_bytes())
    b[len(b) // 2] ^= 0xFF
    bad.write_bytes(bytes(b))
    cache = tmp_path / 'cache'
    with pytest.raises(ChecksumError):
        fetch_archive(bad.as_uri(), sha256sum(arc), 'ds', cache)
    assert list(cache.iterdir()) == []
    assert (
        fetch_archive(arc.as_uri(), sha256sum(arc), 'ds', cache) / 'a.txt'
    ).read_text() == 'x' * 1000
