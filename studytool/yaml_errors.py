"""What reading a user's YAML can raise besides a syntax error, in one place.

PyYAML builds the value of an explicitly tagged scalar with plain Python conversions, which
raise their own exceptions when the text does not fit the tag: ``!!int abc`` and
``!!timestamp 2001-13-45`` raise ValueError, ``!!bool maybe`` a KeyError, ``!!binary`` with bad
padding and an unknown tag such as ``!foo`` a ConstructorError (a YAMLError). Note front matter,
the titles of scenario blocks and scenario files are read by catching all of these, so a bad
value becomes a ``file:line`` message and the rest of the input is still read.
"""

from __future__ import annotations

import yaml

YAML_READ_ERRORS: tuple[type[Exception], ...] = (
    yaml.YAMLError, ValueError, KeyError, TypeError, OverflowError, RecursionError,
)  # fmt: skip
