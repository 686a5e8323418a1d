"""One module per registered topic, each with ``check(page)``; none imports a topic module."""
