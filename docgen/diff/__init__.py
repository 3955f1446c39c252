"""Diff: two bundles -> what changed, object by object, by identity keys."""

from docgen.diff.document import diff_bundles, dump_diff

__all__ = ["diff_bundles", "dump_diff"]
