"""The locking half of every capacity rule (seminar seats, summit tracks, site-visit courses).

Each app keeps its own rule in its services.py; this module holds what they share, so the
lock is taken the same way everywhere:

    with transaction.atomic(durable=True):
        seminar = lock_for_capacity(Seminar, pk=seminar_id)   # 1. lock the owner row
        taken = ...count confirmed registrations...           # 2. count under the lock
        if not has_room(capacity=seminar.venue_capacity, taken=taken): ...  # 3. decide
        Registration.objects.create(...)                       # 4. write

On PostgreSQL ``select_for_update`` makes concurrent registrations for the same owner
queue on its row. On SQLite the connection opens transactions with BEGIN IMMEDIATE
(settings), which serialises writers for the whole database; ``select_for_update`` is a
no-op there, and not needed.
"""

from typing import TypeVar

from django.db import connection, models

ModelT = TypeVar("ModelT", bound=models.Model)


class LockOutsideTransactionError(RuntimeError):
    """A bug in the caller, not a refused request, so not a portal.errors.DomainError: views turn
    those into messages, and this must fail loudly instead."""


def lock_for_capacity(model: type[ModelT], *, pk: object) -> ModelT:
    """Lock and return the row that owns a capacity. Must run inside transaction.atomic()."""
    if not connection.in_atomic_block:
        raise LockOutsideTransactionError("lock_for_capacity() needs an open transaction")
    return model.objects.select_for_update().get(pk=pk)


def seats_left(*, capacity: int | None, taken: int) -> int | None:
    """Seats still free; None means unlimited."""
    if capacity is None:
        return None
    return max(capacity - taken, 0)


def has_room(*, capacity: int | None, taken: int, wanted: int = 1) -> bool:
    return capacity is None or taken + wanted <= capacity
