from tests.sources.conftest import data_dir  # noqa: F401
