"""Frameworks (the NHS People Promise by default, or a trust's own) and how ideas and themes map onto them.

- catalogue: the built-in People Promise (created on first use), a trust's frameworks and elements, a conversation's framework.
- upload: a framework from a CSV file, all or nothing.
- mapping: the theme run's mapping step (background only) and lead corrections applied on top.
- corrections: leads add or remove an element for a theme or an idea; later runs keep it and learn from it.
- view: each element with its themes, idea counts, k-suppressed supporters and outcomes.
- board: one theme's elements and its ideas' elements for the lead's corrections page; a conversation's mappings (API).
- columns: the "Framework elements" column of the CSV/XLSX exports.
"""
