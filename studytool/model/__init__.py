"""The rule model of AWS networking: pure Python, no UI or database imports.

- :mod:`~studytool.model.topology`: the components (:class:`Network` and what it holds);
- :mod:`~studytool.model.failures`: AZ outages, tunnels down, stopped instances;
- :mod:`~studytool.model.rulebook`: one small registered function per rule;
- :mod:`~studytool.model.rules`: the rule registry and the note statement each rule tests;
- :mod:`~studytool.model.paths`: traffic followed hop by hop (every blocker collected);
- :mod:`~studytool.model.queries`: the public questions, each returning an :class:`Answer`.

Nothing is imported here, so that importing one module stays cheap.
"""
