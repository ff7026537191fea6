"""Run a reading iterator in a helper thread, a bounded queue ahead of its consumer.

An import spends its time in two places: parsing the sheet (Python) and writing rows (SQLite and
psycopg release the GIL while the database works). Reading ahead lets the two overlap. The queue
is bounded, so memory stays flat however long the file."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

from django.utils import translation

T = TypeVar("T")
_DONE = object()


def read_ahead(source: Iterator[T], *, chunk: int = 500, depth: int = 8) -> Iterator[T]:
    """Yield what ``source`` yields, produced in another thread; its exceptions re-raise here."""
    channel: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    language = translation.get_language()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                channel.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        with translation.override(language):
            try:
                batch: list[T] = []
                for item in source:
                    batch.append(item)
                    if len(batch) >= chunk:
                        if not put(batch):
                            return
                        batch = []
                if batch and not put(batch):
                    return
                put(_DONE)
            except BaseException as exc:  # handed to the consumer, which re-raises it
                put(exc)

    thread = threading.Thread(target=produce, name="xinqu-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = channel.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield from item  # type: ignore[misc]
    finally:
        stop.set()
        thread.join(timeout=5)
