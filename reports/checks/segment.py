"""Chinese word segmentation (jieba), initialized once per process.

jieba builds its prefix dictionary on first use (~1 s) and caches it in a file: the cache goes to a
directory of our own under the system's temporary directory, never beside the code or in the
working directory, and jieba's progress messages stay out of the logs."""

import logging
import os
import tempfile
import threading

import jieba

_lock = threading.Lock()
_tokenizer = None


def cache_dir():
    return os.path.join(tempfile.gettempdir(), f"shuping-jieba-{os.getuid()}")


def tokenizer():
    """The process's one initialized jieba tokenizer."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                os.makedirs(cache_dir(), mode=0o700, exist_ok=True)
                instance = jieba.Tokenizer()
                instance.tmp_dir = cache_dir()
                instance.initialize()
                _tokenizer = instance
    return _tokenizer


def words(text):
    return tokenizer().lcut(text, HMM=False)
