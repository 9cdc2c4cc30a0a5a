"""Chinese word segmentation (jieba), initialized once per process.

jieba builds its prefix dictionary on first use (~1 s) and caches it in a file: the cache goes to a
directory of our own under the system's temporary directory, never beside the code or in the
working directory, and jieba's progress messages stay out of the logs."""

import logging
import os
import stat
import tempfile
import threading

import jieba

_lock = threading.Lock()
_tokenizer = None


def cache_dir():
    return os.path.join(tempfile.gettempdir(), f"shuping-jieba-{os.getuid()}")


def private_cache_dir():
    """cache_dir(), created if need be, when it is a real directory of ours; else (another user made
    it, or a link) a fresh private one: jieba loads whatever cache file it finds there."""
    path = cache_dir()
    os.makedirs(path, mode=0o700, exist_ok=True)
    info = os.lstat(path)
    if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022:
        return path
    return tempfile.mkdtemp(prefix="shuping-jieba-")


def tokenizer():
    """The process's one initialized jieba tokenizer."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                instance = jieba.Tokenizer()
                instance.tmp_dir = private_cache_dir()
                instance.initialize()
                _tokenizer = instance
    return _tokenizer


def words(text):
    return tokenizer().lcut(text, HMM=False)
