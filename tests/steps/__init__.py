"""Step checks: one file per topic (``test_<topic>.py``), sharing the tests in ``suite.py``."""
