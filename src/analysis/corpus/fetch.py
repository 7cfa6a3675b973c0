"""Obtain the reference collections: download or copy from a mirror, verify, write atomically.

A collection is described by a :class:`Resource` (address pinned to a commit and
its sha256), read from ``corpus/reference.json``.  :func:`fetch` never leaves a
file that looks valid but is not: it writes to a temporary file beside the
target, checks the sha256, and only then renames it into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..errors import ChecksumError, FetchError, MirrorError

CHUNK = 1 << 16


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


def load_manifest(path: Path | str = config.REFERENCE_MANIFEST) -> dict[str, Resource]:
    """Read the reference manifest into ``{name: Resource}``."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    fields = Resource.__dataclass_fields__
    return {
        name: Resource(name=name, **{k: v for k, v in spec.items() if k in fields})
        for name, spec in data["collections"].items()
    }


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _mirror_candidates(mirror: Path, filename: str) -> list[Path]:
    # A mirror folder holds the files directly or, like ../shared/corpus, under reference/.
    return [mirror / filename, mirror / "reference" / filename]


def _copy_to_temp(source, dest: Path) -> tuple[Path, str]:
    """Stream ``source`` (a binary file object) to a temp file beside ``dest``; return it and its sha256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in iter(lambda: source.read(CHUNK), b""):
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return Path(tmp_name), digest.hexdigest()


def fetch(
    resource: Resource,
    dest_dir: Path | str = config.DOWNLOAD_DIR,
    *,
    mirror: Path | str | None = None,
    force: bool = False,
    timeout: float = 60.0,
) -> Path:
    """Make ``dest_dir/resource.filename`` a verified copy of the resource and return its path.

    Source: the ``mirror`` folder when given (else ``$ANALYSIS_CORPUS_MIRROR``),
    otherwise ``resource.url``.  A file already in place with the right sha256
    is reused unless ``force``.  On a checksum mismatch nothing is kept.
    """
    dest = Path(dest_dir) / resource.filename
    if not force and dest.exists():
        if sha256_file(dest) == resource.sha256:
            return dest
        dest.unlink()  # stale or corrupt: fetch it again

    mirror = Path(mirror) if mirror is not None else config.corpus_mirror()
    if mirror is not None:
        found = next((p for p in _mirror_candidates(mirror, resource.filename) if p.is_file()), None)
        if found is None:
            tried = ", ".join(str(p) for p in _mirror_candidates(mirror, resource.filename))
            raise MirrorError(
                f"mirror folder {mirror} has no {resource.filename} (looked for {tried}); "
                f"put the file there, or unset {config.MIRROR_ENV} / drop --mirror to download it from {resource.url}"
            )
        origin = str(found)
        with open(found, "rb") as src:
            tmp, digest = _copy_to_temp(src, dest)
    else:
        origin = resource.url
        try:
            with urllib.request.urlopen(resource.url, timeout=timeout) as response:
                tmp, digest = _copy_to_temp(response, dest)
        except (urllib.error.URLError, OSError) as exc:
            raise FetchError(
                f"could not download {resource.filename} from {resource.url}: {exc}. "
                f"Without network access, point --mirror (or {config.MIRROR_ENV}) at a folder holding "
                f"{resource.filename}, e.g. ../shared/corpus"
            ) from exc

    if digest != resource.sha256:
        tmp.unlink(missing_ok=True)
        raise ChecksumError(
            f"{resource.filename} from {origin} has sha256 {digest}, expected {resource.sha256}; "
            f"the file was not kept. The source is corrupt or not the pinned version."
        )
    os.replace(tmp, dest)
    return dest


def fetch_all(
    dest_dir: Path | str = config.DOWNLOAD_DIR,
    *,
    mirror: Path | str | None = None,
    force: bool = False,
    manifest: Path | str = config.REFERENCE_MANIFEST,
) -> dict[str, Path]:
    """Fetch every collection in the manifest; return ``{name: path}``."""
    return {
        name: fetch(res, dest_dir, mirror=mirror, force=force)
        for name, res in load_manifest(manifest).items()
    }


def reference_path(name: str, dest_dir: Path | str = config.DOWNLOAD_DIR, **kwargs) -> Path:
    """Path of a verified local copy of collection ``name``, fetching it if needed."""
    resources = load_manifest(kwargs.pop("manifest", config.REFERENCE_MANIFEST))
    if name not in resources:
        raise FetchError(f"unknown reference collection {name!r}; known: {', '.join(resources)}")
    return fetch(resources[name], dest_dir, **kwargs)


__all__ = ["Resource", "load_manifest", "fetch", "fetch_all", "reference_path", "sha256_file"]
