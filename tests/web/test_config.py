import os
import stat

import pytest

from config import ConfigError, load_config, normalise_database_url
from library import create_app


@pytest.fixture(autouse=True)
def _default_search_backend(monkeypatch):
    """These apps use SQLite: the environment's search backend (PostgreSQL in CI) is not theirs."""
    monkeypatch.delenv("SEARCH_BACKEND", raising=False)


def test_search_backend_is_checked(tmp_path, monkeypatch):
    with pytest.raises(ConfigError, match="SEARCH_BACKEND must be one of tantivy, whoosh, postgres"):
        load_config("test", {"DATA_DIR": str(tmp_path), "SEARCH_BACKEND": "elastic"})
    assert load_config("test", {"DATA_DIR": str(tmp_path)})["SEARCH_BACKEND"] == "tantivy"
    monkeypatch.setenv("SEARCH_BACKEND", "postgres")
    with pytest.raises(ConfigError, match="needs a PostgreSQL DATABASE_URL"):
        load_config("test", {"DATA_DIR": str(tmp_path)})
    settings = load_config(
        "test", {"DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://u@db.example/lib"}
    )
    assert settings["SEARCH_BACKEND"] == "postgres"


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"ENV_NAME": "production", "DATA_DIR": str(tmp_path)})


def test_development_makes_a_secret_once_and_keeps_it(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config("development", {"DATA_DIR": str(tmp_path)})["SECRET_KEY"]
    second = load_config("development", {"DATA_DIR": str(tmp_path)})["SECRET_KEY"]
    assert first == second and len(first) >= 32
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_settings_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LIBRARY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIBRARY_UPLOAD_MAX_MB", "5")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = load_config("test")
    assert settings["DATA_DIR"] == str(tmp_path)
    assert settings["UPLOAD_MAX_BYTES"] == 5 * 1024 * 1024
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path}/library.db"


def test_bad_settings_are_reported(monkeypatch):
    monkeypatch.setenv("LIBRARY_UPLOAD_MAX_MB", "lots")
    with pytest.raises(ConfigError, match="LIBRARY_UPLOAD_MAX_MB"):
        load_config("test")
    with pytest.raises(ConfigError, match="LIBRARY_ENV"):
        load_config("staging")


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_refuses_to_start_without_library_env(monkeypatch):
    monkeypatch.delenv("LIBRARY_ENV", raising=False)
    with pytest.raises(ConfigError, match="Set LIBRARY_ENV"):
        load_config()
    with pytest.raises(ConfigError, match="Set LIBRARY_ENV"):
        create_app()


def test_seed_demo_is_refused_in_production(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-for-this-test")
    app = create_app(
        {"ENV_NAME": "production", "DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/l.db"}
    )
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "refused in production" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_database_errors_never_carry_the_values(app, db, people):
    from sqlalchemy.exc import IntegrityError

    from library.core.models import User

    db.add(User(email=people.kgm_reader.email, name="Secret Name Okafor", role="reader"))
    with pytest.raises(IntegrityError) as caught:
        db.commit()
    db.rollback()
    assert "Secret Name Okafor" not in str(caught.value)
    assert "hide_parameters" in str(caught.value)
