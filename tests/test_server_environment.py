"""The real server (gunicorn) started as an operator would, with the environment docs/deploy.md
describes: it writes nothing outside var/, and takes its settings as the table gives them."""

from tests import web


def test_gunicorn_opens_no_control_socket(app_env, servers, tmp_path):
    """gunicorn 25.1+ would open one in $XDG_RUNTIME_DIR (or ~/.gunicorn/): a way to stop the
    server or change its workers, outside var/, shared by every instance of one user."""
    runtime, home = tmp_path / "runtime", tmp_path / "home"
    runtime.mkdir()
    home.mkdir()
    server = servers(app_env(XDG_RUNTIME_DIR=str(runtime), HOME=str(home)))
    assert web.get(server.url + "/en/").status_code == 200
    assert list(runtime.iterdir()) == [] and list(home.iterdir()) == []


def test_log_levels_are_taken_in_either_case(app_env, servers):
    server = servers(app_env(ANONI_LOG_LEVEL="info", ANONI_GUNICORN_LOG_LEVEL="info"))
    assert web.get(server.url + "/en/").status_code == 200
