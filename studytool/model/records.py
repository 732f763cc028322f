"""A light base for the model's mutable components: ``__slots__`` classes with a readable
``repr`` and field-wise equality.

Why not ``@dataclass``: a dataclass compiles its generated methods with ``exec`` when the
module is imported, and the model has many classes; ``studytool check`` must start within
1.5x of ``studytool --help``, and the dataclass decorators alone cost more than that margin.
Subclasses list their fields in ``__slots__`` (in constructor order) and write ``__init__``.
"""

from __future__ import annotations


class Record:
    """Field-wise ``==`` and a ``repr`` that shows every field; fields are the ``__slots__``."""

    __slots__ = ()

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        names: list[str] = []
        for klass in reversed(cls.__mro__):
            names.extend(
                name for name in klass.__dict__.get("__slots__", ()) if not name.startswith("_")
            )
        return tuple(names)

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.field_names())
        return f"{type(self).__name__}({fields})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in self.field_names())

    __hash__ = None  # type: ignore[assignment]  (mutable: not hashable)
