"""Obtain the reference collections: download or copy from a mirror, verify, write atomically.

A collection is described by a :class:`Resource` (address pinned to a commit and
its sha256), read from ``corpus/reference.json``.  :func:`fetch` never leaves a
file that looks valid but is not: it writes to a temporary file beside the
target (``.<filename>.<pid>.<random>.part``), checks the sha256, and only then
renames it into place.  A ``.part`` file whose process is gone (a killed run) is
removed by the next run.  A download has an overall ``deadline`` and is retried
``retries`` times with exponential backoff (``backoff``, ``2 × backoff``, …) after
a network failure; a wrong checksum is not retried.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .. import config
from .._util.atomic import remove_stale_parts, temp_beside
from ..errors import ChecksumError, FetchError, ManifestError, MirrorError

CHUNK = 1 << 16
TIMEOUT = 60.0      # seconds without a byte before one attempt gives up
DEADLINE = 900.0    # seconds for the whole download of one collection, retries included
RETRIES = 3         # further attempts after a network failure
BACKOFF = 2.0       # seconds before the first retry; doubled for each further one


@dataclass(frozen=True)
class Resource:
    """One published file: where it lives, what it must hash to."""

    name: str
    filename: str
    url: str
    sha256: str
    title: str = ""
    licence: str = ""
    format: str = ""


def _check_filename(filename, origin: str) -> str:
    """A manifest's file name must be a plain name: nothing is read or written outside its folder."""
    if (not isinstance(filename, str) or not filename or filename in (".", "..") or Path(filename).name != filename
            or "\\" in filename or filename.startswith(".")):
        raise ManifestError(f"{origin}: filename {filename!r} must be a plain file name (no folders, no '..', "
                            f"not absolute, not hidden); fix the manifest")
    return filename


def load_manifest(path: Path | str = config.REFERENCE_MANIFEST) -> dict[str, Resource]:
    """Read the reference manifest into ``{name: Resource}``; a malformed entry is an error naming the manifest."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        collections = data["collections"]
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such manifest") from None
    except (OSError, UnicodeError, ValueError, KeyError, TypeError) as exc:
        raise ManifestError(f"{path}: not a manifest with a 'collections' object ({exc})") from None
    if not isinstance(collections, dict):
        raise ManifestError(f"{path}: 'collections' must map names to entries")
    fields = Resource.__dataclass_fields__
    resources = {}
    for name, spec in collections.items():
        origin = f"{path}, collection {name!r}"
        if not isinstance(spec, dict) or not all(isinstance(spec.get(k), str) for k in ("filename", "url", "sha256")):
            raise ManifestError(f"{origin}: needs string fields filename, url and sha256")
        _check_filename(spec["filename"], origin)
        if not re.fullmatch(r"[0-9a-f]{64}", spec["sha256"]):
            raise ManifestError(f"{origin}: sha256 {spec['sha256']!r} is not 64 lower-case hex digits")
        resources[name] = Resource(name=name, **{k: v for k, v in spec.items() if k in fields and k != "name"})
    return resources


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _mirror_candidates(mirror: Path, filename: str) -> list[Path]:
    # A mirror folder holds the files directly or, like ../shared/corpus, under reference/.
    return [mirror / filename, mirror / "reference" / filename]


def _copy_to_temp(source, dest: Path, deadline_at: float | None = None) -> tuple[Path, str]:
    """Stream ``source`` (a binary file object) to a temp file beside ``dest``; return it and its sha256."""
    fd, tmp_name = temp_beside(dest)
    digest = hashlib.sha256()
    read = getattr(source, "read1", source.read)  # read1: what has arrived, so a trickle cannot outlive the deadline
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in iter(lambda: read(CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
                if deadline_at is not None and time.monotonic() > deadline_at:
                    raise TimeoutError("overall deadline passed during the transfer")
            missing = getattr(source, "length", None)  # an HTTP body cut short ends quietly in read1
            if missing:
                raise http.client.IncompleteRead(b"", missing)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return Path(tmp_name), digest.hexdigest()


def _download(resource: Resource, dest: Path, *, timeout: float, deadline: float, retries: int,
              backoff: float) -> tuple[Path, str]:
    """Download to a temp file, retrying network failures with exponential backoff within ``deadline``."""
    deadline_at = time.monotonic() + deadline
    failures: list[str] = []
    for attempt in range(retries + 1):
        remaining = deadline_at - time.monotonic()
        if remaining <= 0:
            break
        try:
            with urllib.request.urlopen(resource.url, timeout=min(timeout, remaining)) as response:
                return _copy_to_temp(response, dest, deadline_at)
        except urllib.error.HTTPError as exc:
            failures.append(f"HTTP {exc.code} {exc.reason}")
            if exc.code < 500 and exc.code not in (408, 429):
                break  # the address is wrong, not the network: retrying will not help
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
            failures.append(str(getattr(exc, "reason", "") or exc) or type(exc).__name__)
        if attempt < retries:
            time.sleep(max(0.0, min(backoff * 2 ** attempt, deadline_at - time.monotonic())))
    over = time.monotonic() >= deadline_at
    raise FetchError(
        f"could not download {resource.filename} from {resource.url}: {len(failures)} attempt(s) failed "
        f"({'; '.join(failures) or 'no attempt started'}){f', deadline of {deadline:g} s passed' if over else ''}. "
        f"Without network access, point --mirror (or {config.MIRROR_ENV}) at a folder holding "
        f"{resource.filename}, e.g. ../shared/corpus")


def fetch(
    resource: Resource,
    dest_dir: Path | str = config.DOWNLOAD_DIR,
    *,
    mirror: Path | str | None = None,
    force: bool = False,
    timeout: float = TIMEOUT,
    deadline: float = DEADLINE,
    retries: int = RETRIES,
    backoff: float = BACKOFF,
) -> Path:
    """Make ``dest_dir/resource.filename`` a verified copy of the resource and return its path.

    Source: the ``mirror`` folder when given (else ``$ANALYSIS_CORPUS_MIRROR``),
    otherwise ``resource.url`` (``timeout`` per read, ``deadline`` overall, ``retries``
    with ``backoff``).  A file already in place with the right sha256 is reused unless
    ``force``; a wrong one is replaced only by a verified copy.  On a checksum
    mismatch nothing is kept.  Only ``dest_dir`` is written to.
    """
    filename = _check_filename(resource.filename, f"resource {resource.name!r}")
    dest_dir = Path(dest_dir)
    dest = dest_dir / filename
    remove_stale_parts(dest)
    if not force and dest.is_file() and sha256_file(dest) == resource.sha256:
        return dest

    mirror = Path(mirror) if mirror is not None else config.corpus_mirror()
    if mirror is not None:
        found = next((p for p in _mirror_candidates(mirror, filename) if p.is_file()), None)
        if found is None:
            tried = ", ".join(str(p) for p in _mirror_candidates(mirror, filename))
            raise MirrorError(
                f"mirror folder {mirror} has no {filename} (looked for {tried}); "
                f"put the file there, or unset {config.MIRROR_ENV} / drop --mirror to download it from {resource.url}"
            )
        origin = str(found)
        with open(found, "rb") as src:
            tmp, digest = _copy_to_temp(src, dest)
    else:
        origin = resource.url
        tmp, digest = _download(resource, dest, timeout=timeout, deadline=deadline, retries=retries, backoff=backoff)

    if digest != resource.sha256:
        tmp.unlink(missing_ok=True)
        raise ChecksumError(
            f"{filename} from {origin} has sha256 {digest}, expected {resource.sha256}; "
            f"the file was not kept. The source is corrupt or not the pinned version."
        )
    os.replace(tmp, dest)
    return dest


class FetchAllError(FetchError):
    """Some collections could not be fetched; ``fetched`` and ``failed`` say which."""

    def __init__(self, message: str, fetched: dict[str, Path], failed: dict[str, Exception]):
        super().__init__(message)
        self.fetched, self.failed = fetched, failed


def fetch_all(
    dest_dir: Path | str = config.DOWNLOAD_DIR,
    *,
    mirror: Path | str | None = None,
    force: bool = False,
    manifest: Path | str = config.REFERENCE_MANIFEST,
    **options,
) -> dict[str, Path]:
    """Fetch every collection in the manifest; return ``{name: path}``.

    Every collection is tried even when one fails; then a :class:`FetchAllError` names
    each failing collection (its ``fetched`` attribute holds the ones that succeeded).
    ``options`` (``timeout``, ``deadline``, ``retries``, ``backoff``) go to :func:`fetch`.
    """
    fetched: dict[str, Path] = {}
    failed: dict[str, Exception] = {}
    for name, res in load_manifest(manifest).items():
        try:
            fetched[name] = fetch(res, dest_dir, mirror=mirror, force=force, **options)
        except FetchError as exc:
            failed[name] = exc
    if failed:
        detail = "; ".join(f"{name}: {exc}" for name, exc in failed.items())
        raise FetchAllError(f"{len(failed)} of {len(failed) + len(fetched)} collection(s) not fetched "
                            f"({', '.join(failed)}) - {detail}", fetched, failed)
    return fetched


def reference_path(name: str, dest_dir: Path | str = config.DOWNLOAD_DIR, **kwargs) -> Path:
    """Path of a verified local copy of collection ``name``, fetching it if needed."""
    resources = load_manifest(kwargs.pop("manifest", config.REFERENCE_MANIFEST))
    if name not in resources:
        raise FetchError(f"unknown reference collection {name!r}; known: {', '.join(resources)}")
    return fetch(resources[name], dest_dir, **kwargs)


__all__ = ["Resource", "FetchAllError", "load_manifest", "fetch", "fetch_all", "reference_path",
           "remove_stale_parts", "sha256_file"]
