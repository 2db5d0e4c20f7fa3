from tests.voting.conftest import both_env, env  # noqa: F401  (the college's database)
