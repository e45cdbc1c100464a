"""Reading an uploaded zip without trusting it: sizes and ratios are checked before anything is
inflated, and inflating stops at the declared size (a header can lie).

Limits (documented in the README): at most `MAX_ENTRIES` files, `MAX_UNCOMPRESSED_BYTES` in all once
inflated, and no file more than `MAX_RATIO` times larger than its compressed form (zip bombs reach
ratios in the thousands; CSV text compresses 5-20 times).
"""

from __future__ import annotations

import io
import zipfile

from smarthabit.errors import ValidationFailed
from smarthabit.i18n import N_

MAX_ENTRIES = 2000
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100
_SMALL = 4096  # files this small are never a bomb, whatever their ratio


def _refuse(code: str, message: str, details: object = None, **params: object) -> ValidationFailed:
    return ValidationFailed(message, details, code=code, params=params)


def read_zip(data: bytes) -> dict[str, bytes]:
    """The files of a zip archive by name (directories left out), or ValidationFailed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _refuse("corrupt_archive", N_("The file is not a readable zip archive")) from None
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        _check_sizes(entries)
        files: dict[str, bytes] = {}
        for info in entries:
            files[info.filename] = _inflate(archive, info)
    return files


def _check_sizes(entries: list[zipfile.ZipInfo]) -> None:
    if len(entries) > MAX_ENTRIES:
        raise _refuse("archive_too_large", N_("The archive holds more than {max} files"), max=MAX_ENTRIES)
    total = sum(info.file_size for info in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise _refuse("archive_too_large", N_("The archive inflates to more than {max} bytes"),
                      {"max_uncompressed_bytes": MAX_UNCOMPRESSED_BYTES}, max=MAX_UNCOMPRESSED_BYTES)
    for info in entries:
        if info.file_size > _SMALL and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _refuse("suspicious_archive", N_("The archive's compression ratio is implausible (a zip bomb?)"),
                          {"file": info.filename[:200], "max_ratio": MAX_RATIO})


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        raise _refuse("corrupt_archive", N_("A file in the archive cannot be read"),
                      {"file": info.filename[:200]}) from None
    if len(data) > info.file_size:
        raise _refuse("suspicious_archive", N_("A file inflates beyond its declared size"),
                      {"file": info.filename[:200]})
    return data
