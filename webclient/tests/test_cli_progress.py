"""`anoni` shows progress on stderr (percentage, speed, ETA) when asked or on a terminal, and
keeps stdout for results."""

import io

from webclient.cli import ProgressBar
from webclient.tests.client_support import CHUNK, cli, signup


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_bar_line():
    clock, stream = Clock(), io.StringIO()
    bar = ProgressBar("photo.jpg", stream=stream, clock=clock, width=100)
    total = 100 * 1024 * 1024
    clock.now += 2
    bar(25 * 1024 * 1024, total)
    line = stream.getvalue()
    assert line.startswith("\rphoto.jpg")
    assert " 25% [#####               ] 25.0 MiB/100.0 MiB  12.5 MiB/s  ETA 0:06" in line
    clock.now += 0.01
    bar(26 * 1024 * 1024, total)  # too soon to redraw
    assert stream.getvalue() == line
    clock.now += 6
    bar(total, total)  # the end is always drawn
    assert "100% [####################] 100.0 MiB/100.0 MiB" in stream.getvalue()
    assert stream.getvalue().endswith("in 0:08")
    bar.finish()
    assert stream.getvalue().endswith("\n")


def test_cli_progress_on_request(server_url, tmp_path):
    vault = signup(server_url)
    source = tmp_path / "data.bin"
    source.write_bytes(b"x" * (3 * CHUNK))
    shown = cli(server_url, "--user", vault.username, "--progress", "put", str(source),
                config_home=tmp_path / "config")
    assert shown.returncode == 0, shown.stderr
    assert "data.bin" in shown.stderr and "100%" in shown.stderr and "MiB/s" in shown.stderr
    assert "%" not in shown.stdout and "uploaded" in shown.stdout
    quiet = cli(server_url, "--user", vault.username, "get", "/data.bin", "-o", str(tmp_path / "back.bin"),
                config_home=tmp_path / "config")
    assert quiet.returncode == 0 and quiet.stderr == ""  # stderr is not a terminal here
