"""Shared test configuration.

Server fixtures live in their own plugin modules so that each one starts a
real server on 127.0.0.1 and stops it when the test (or the session) ends,
also when the test fails.
"""

pytest_plugins = [
    "tests.support.seaweed",
    "tests.support.stores",
    "tests.support.wiresite",
]
