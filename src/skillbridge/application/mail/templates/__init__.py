"""Mail templates: ``<name>.<language>.txt`` (a ``Subject:`` line, a blank line, the text body) and
``<name>.<language>.html`` (the HTML body's content), with ``${placeholders}``."""
