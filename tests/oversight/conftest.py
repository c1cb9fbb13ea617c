# The history pages' case (history_case.py), as fixtures of the tests here.
from tests.oversight.history_case import case, people  # noqa: F401 - the fixtures
