"""Per-value work of ``seed_demo`` that needs no database and no order: the pinyin of names, the
encryption of ID and certificate numbers and their keyed lookup hashes.

At city scale this is about a third of the Python time, so large runs hand it to one worker process
(``Deriver(parallel=True)``) while the main process generates the next chunk and streams the previous
one to PostgreSQL: two cores, both busy.  The worker is ``python -m ablework.demo.derived``, a fresh
interpreter that inherits no database connection and no threads and imports only this module (no
Django setup: the keys are passed in).  Unlike a ``multiprocessing`` pool it does not re-import the
caller's ``__main__``, which from a script without a main guard would run the seed again.  Chunks
and results travel as pickles over the child's stdin/stdout (a pipe between this process and its own
child).  The results are the same functions' results either way (``core.pinyin``, ``core.crypto``);
only the ciphertexts differ from run to run, by their random nonce.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ablework.core import crypto

__all__ = ["ChunkInput", "ChunkOutput", "Deriver", "Keys", "derive"]


@dataclass(frozen=True)
class Keys:
    cipher: str
    key: bytes
    lookup_key: bytes


@dataclass
class ChunkInput:
    names: list[str] = field(default_factory=list)  # names whose pinyin is not known yet
    encrypt: list[str] = field(default_factory=list)  # plaintexts to encrypt
    hash: list[str] = field(default_factory=list)  # normalised values for crypto.lookup_hash


@dataclass
class ChunkOutput:
    names: list[str]  # ChunkInput.names, back
    pinyin: list[tuple[str, str]]  # (name_pinyin, name_initials) of each name
    ciphers: list[str]
    hashes: list[str]


def derive(keys: Keys, data: ChunkInput) -> ChunkOutput:
    # Imported here: pypinyin's dictionaries take 55 MB, which a parent that hands the work to the
    # worker never needs.
    from ablework.core.pinyin import name_initials, name_pinyin

    cipher, key, lookup_key = keys.cipher, keys.key, keys.lookup_key
    encrypt, lookup_hash = crypto.encrypt, crypto.lookup_hash
    return ChunkOutput(
        names=data.names,
        pinyin=[(name_pinyin(n), name_initials(n)) for n in data.names],
        ciphers=[encrypt(p, cipher=cipher, key=key) for p in data.encrypt],
        hashes=[lookup_hash(v, key=lookup_key) for v in data.hash],
    )


def _send(obj: Any, stream: IO[bytes]) -> None:
    pickle.dump(obj, stream, protocol=pickle.HIGHEST_PROTOCOL)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    # Only ever between this process and the child it started itself, over that child's pipes.
    return pickle.load(stream)  # noqa: S301


class Deriver:
    """``submit(data)`` returns a function that gives the ``ChunkOutput``; call those functions in
    the order of submission.  Inline (``parallel=False``) the work is done at once; otherwise by the
    worker process while the caller goes on.  Use as a context manager so the worker always stops."""

    def __init__(self, keys: Keys, *, parallel: bool) -> None:
        self.keys = keys
        self._proc: subprocess.Popen[bytes] | None = None
        self._results: queue.Queue[ChunkOutput | None] = queue.Queue()
        if parallel:
            root = str(Path(__file__).resolve().parents[2])
            path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
            # A fixed interpreter and module, no shell, no user input on the command line.
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "ablework.demo.derived"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": path},
            )
            assert self._proc.stdin is not None
            _send(keys, self._proc.stdin)
            # Results are drained as they come, so the worker never blocks on a full pipe while this
            # process blocks on sending it the next chunk.
            threading.Thread(target=self._read, name="seed-demo-derived", daemon=True).start()

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        try:
            while True:
                self._results.put(_receive(self._proc.stdout))
        except (EOFError, OSError, pickle.UnpicklingError):
            self._results.put(None)

    def _next(self) -> ChunkOutput:
        out = self._results.get()
        if out is None:
            raise RuntimeError("seed_demo 的派生进程意外退出（见上方错误输出）")
        return out

    def submit(self, data: ChunkInput) -> Callable[[], ChunkOutput]:
        if self._proc is None:
            out = derive(self.keys, data)
            return lambda: out
        assert self._proc.stdin is not None
        _send(data, self._proc.stdin)
        return self._next

    def __enter__(self) -> Deriver:
        return self

    def __exit__(self, *exc: object) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.close()  # end of input: the worker returns
            proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        proc.stdout.close()


def _worker() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    keys: Keys = _receive(stdin)
    derive(keys, ChunkInput(names=["王"]))  # load pypinyin's dictionaries before the first chunk arrives
    while True:
        try:
            data: ChunkInput = _receive(stdin)
        except EOFError:
            return
        _send(derive(keys, data), stdout)


if __name__ == "__main__":
    # Run the function of the importable module, not of ``__main__``: the results must unpickle in
    # the parent as ``ablework.demo.derived.ChunkOutput``.
    from ablework.demo.derived import _worker as worker

    worker()
