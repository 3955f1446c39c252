"""The bundle: one JSON snapshot, the contract between collection and documents."""

from docgen.bundle.io import (
    LoadedBundle,
    bundle_bytes,
    dump_bundle,
    load_bundle,
    parse_bundle,
    save_bundle,
)
from docgen.bundle.model import new_bundle, put_section

__all__ = ["LoadedBundle", "bundle_bytes", "dump_bundle", "load_bundle", "new_bundle",
           "parse_bundle", "put_section", "save_bundle"]
