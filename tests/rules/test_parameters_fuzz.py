"""Fuzzing the pack loader: any file content either loads or fails with a PackError, nothing else."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tadamun.rules.errors import PackError
from tadamun.rules.parameters import load_packs_from
from tests.rules.packbuilder import regime_files, regime_manifest, write_pack

_TEMPLATE = Path(tempfile.mkdtemp(prefix="tadamun-fuzz-"))
write_pack(_TEMPLATE, regime_manifest(), regime_files())
_FILES = sorted(p.relative_to(_TEMPLATE) for p in _TEMPLATE.rglob("*.yaml"))


def _load_with(relative: Path, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "packs"
        shutil.copytree(_TEMPLATE, root)
        (root / relative).write_bytes(content)
        try:
            load_packs_from(root)
        except PackError as exc:
            assert exc.file and str(exc)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_FILES), st.data())
def test_mutated_pack_files_fail_cleanly(relative: Path, data: st.DataObject) -> None:
    original = (_TEMPLATE / relative).read_bytes()
    position = data.draw(st.integers(0, len(original)))
    cut = data.draw(st.integers(0, 40))
    insert = data.draw(
        st.binary(max_size=20)
        | st.sampled_from([b": ", b"- ", b"\n  ", b"null", b"'", b"{", b"1e999", b"-1", b"\xff"])
    )
    _load_with(relative, original[:position] + insert + original[position + cut :])


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(_FILES), st.text(max_size=200))
def test_arbitrary_text_fails_cleanly(relative: Path, text: str) -> None:
    _load_with(relative, text.encode("utf-8"))
