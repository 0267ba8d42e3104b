"""Writes tiny CIFAR-10/100 python-layout batches, pickled the way the official files are.

Run with Debian's python (numpy installed):  /usr/bin/python3 make_cifar_pickles.py
The official files are protocol-2 pickles of dicts whose 'data' is a numpy uint8 array (N, 3072)
(channel planes R, G, B, each 32x32 row-major) and whose labels are python lists. We write the
same structure as Python 2 wrote it (BINSTRING keys and data), in protocol 2 (str keys, as `pickle.load(f, encoding='latin1')` sees the official
files) and protocol 4 (bytes keys, as `encoding='bytes'` sees them), so the reader is checked on
both the numpy `_reconstruct`/`__setstate__` path and the BINBYTES path.

Pixel of image g (global index over the split, train batches first), channel c, row y, column x:
    (g * 37 + c * 101 + y * 7 + x * 3) % 256
The C# tests compute the same formula.
"""
import io
import os
import pickle
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cifar")


def images(first, count):
    g = np.arange(first, first + count).reshape(-1, 1, 1, 1)
    c = np.arange(3).reshape(1, 3, 1, 1)
    y = np.arange(32).reshape(1, 1, 32, 1)
    x = np.arange(32).reshape(1, 1, 1, 32)
    return ((g * 37 + c * 101 + y * 7 + x * 3) % 256).astype(np.uint8).reshape(count, 3072)


class Py2Str(bytes):
    """A Python 2 `str`: pickled as BINSTRING, as Python 2 wrote the official files' keys, names and raw array data."""


class Py2Pickler(pickle._Pickler):
    dispatch = dict(pickle._Pickler.dispatch)

    def save_py2str(self, obj):
        self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + bytes(obj))
        self.memoize(obj)

    dispatch[Py2Str] = save_py2str

    def save_reduce(self, func, args, state=None, *rest, **kw):
        # numpy's ndarray state ends with the raw data as bytes; Python 2 had it as a str.
        if isinstance(state, tuple) and len(state) == 5 and isinstance(state[4], bytes):
            state = state[:4] + (Py2Str(state[4]),)
        if func is np.dtype or getattr(func, "__name__", "") == "_reconstruct":
            args = tuple(Py2Str(a) if isinstance(a, bytes) else Py2Str(a.encode()) if isinstance(a, str) else a for a in args)
        super().save_reduce(func, args, state, *rest, **kw)


def py2(value):
    if isinstance(value, str):
        return Py2Str(value.encode("latin1"))
    if isinstance(value, list):
        return [py2(v) for v in value]
    return value


def key(k, as_bytes):
    return k.encode("latin1") if as_bytes else k


def dump(path, obj, protocol, as_bytes):
    if protocol == "py2":
        buffer = io.BytesIO()
        Py2Pickler(buffer, protocol=2).dump({py2(k): py2(v) for k, v in obj.items()})
        # What torchvision does with the official files must work on ours.
        loaded = pickle.loads(buffer.getvalue(), encoding="latin1")
        assert all(isinstance(k, str) for k in loaded)
        with open(path, "wb") as f:
            f.write(buffer.getvalue())
        return
    obj = {key(k, as_bytes): v for k, v in obj.items()}
    with open(path, "wb") as f:
        pickle.dump(obj, f, protocol=protocol)


CIFAR10_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
# CIFAR-10: five train batches of one image each (labels (3g+1)%10), a test batch of two (7, 2).
CIFAR10_TRAIN_LABELS = [1, 4, 7, 0, 3]
CIFAR10_TEST_LABELS = [7, 2]
# CIFAR-100: three train images, two test images; (fine, coarse) pairs.
CIFAR100_TRAIN = [(99, 13), (0, 4), (42, 8)]
CIFAR100_TEST = [(55, 0), (1, 1)]


def cifar10(folder, protocol, as_bytes):
    os.makedirs(folder, exist_ok=True)
    for b in range(5):
        dump(os.path.join(folder, f"data_batch_{b + 1}"), {
            "batch_label": f"training batch {b + 1} of 5",
            "labels": [CIFAR10_TRAIN_LABELS[b]],
            "data": images(b, 1),
            "filenames": [f"img_{b}.png"],
        }, protocol, as_bytes)
    dump(os.path.join(folder, "test_batch"), {
        "batch_label": "testing batch 1 of 1",
        "labels": CIFAR10_TEST_LABELS,
        "data": images(5, 2),
        "filenames": ["t0.png", "t1.png"],
    }, protocol, as_bytes)
    dump(os.path.join(folder, "batches.meta"), {
        "num_cases_per_batch": 1, "label_names": CIFAR10_NAMES, "num_vis": 3072,
    }, protocol, as_bytes)


def cifar100(folder, protocol, as_bytes):
    os.makedirs(folder, exist_ok=True)
    for name, first, rows in (("train", 0, CIFAR100_TRAIN), ("test", 3, CIFAR100_TEST)):
        dump(os.path.join(folder, name), {
            "filenames": [f"{name}{i}.png" for i in range(len(rows))],
            "batch_label": f"{name}ing batch 1 of 1",
            "fine_labels": [f for f, _ in rows],
            "coarse_labels": [c for _, c in rows],
            "data": images(first, len(rows)),
        }, protocol, as_bytes)
    dump(os.path.join(folder, "meta"), {
        "fine_label_names": [f"fine{i:02d}" for i in range(100)],
        "coarse_label_names": [f"coarse{i:02d}" for i in range(20)],
    }, protocol, as_bytes)


if __name__ == "__main__":
    cifar10(os.path.join(OUT, "p2", "cifar-10-batches-py"), 2, False)
    cifar100(os.path.join(OUT, "p2", "cifar-100-python"), 2, False)
    cifar10(os.path.join(OUT, "p4", "cifar-10-batches-py"), 4, True)
    # As Python 2 wrote the official files: str (BINSTRING) keys, names and array data.
    cifar10(os.path.join(OUT, "py2", "cifar-10-batches-py"), "py2", False)
    cifar100(os.path.join(OUT, "p4", "cifar-100-python"), 4, True)
