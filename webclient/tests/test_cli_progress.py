"""`anoni` shows progress on stderr (percentage, speed, ETA) when asked or on a terminal, says
there why a transfer waits, and keeps stdout for results."""

import io
import os
import subprocess
import time

from webclient.cli import ProgressBar
from webclient.tests.client_support import (CHUNK, break_chunk_storage, cli, cli_command, signup,
                                            use_file_chunk_storage)


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


def test_progress_bar_fits_a_narrow_terminal():
    """A line wider than the terminal wraps, and every redraw left the wrapped part behind: the
    bar, then the speed, then the name give way, and the percentage stays."""
    for width in (120, 80, 60, 50, 40, 30, 20, 8):
        bar = ProgressBar("a-rather-long-file-name-2024.tar.gz", stream=io.StringIO(), width=width)
        line = bar.line(25 * 1024 * 1024, 100 * 1024 * 1024, 2.0)
        assert len(line) <= width - 1, (width, line)
        assert "25%" in line or width < 10, (width, line)
    mib = 1024 * 1024
    assert "[" in ProgressBar("x.iso", stream=io.StringIO(), width=80).line(mib, 2 * mib, 1.0)
    assert "[" not in ProgressBar("x.iso", stream=io.StringIO(), width=40).line(mib, 2 * mib, 1.0)


def test_progress_bar_leaves_what_was_resumed_out_of_the_speed():
    """A resumed upload's chunks stored before are only hashed again: counted in the speed, they
    showed one many times the line's, and an ETA as much too short."""
    clock, stream = Clock(), io.StringIO()
    bar = ProgressBar("big.iso", stream=stream, clock=clock, width=100)
    total = 100 * 1024 * 1024
    clock.now += 2
    bar(60 * 1024 * 1024, total, 50 * 1024 * 1024)  # 50 found stored, 10 sent in 2 seconds
    assert " 60% [############        ] 60.0 MiB/100.0 MiB  5.0 MiB/s  ETA 0:08" in stream.getvalue()


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


def test_cli_says_why_a_transfer_waits(server_url, settings, tmp_path):
    use_file_chunk_storage(settings, tmp_path / "chunks")
    vault = signup(server_url)
    source = tmp_path / "patient.bin"
    source.write_bytes(os.urandom(CHUNK + 5))
    restore = break_chunk_storage()
    put = subprocess.Popen(**cli_command(server_url, "--user", vault.username, "--progress", "put",
                                         str(source), config_home=tmp_path / "config"),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        said = ""
        while "trying again" not in said:
            assert time.monotonic() < deadline and put.poll() is None, said
            said += put.stderr.readline()
    finally:
        put.kill()  # the rest (the retry, the upload completing) is test_client_retry.py's
        put.communicate()
        restore()
    # On its own line, after the bar; the server's Retry-After (30 s) capped at the longest wait.
    assert said.endswith("\nanoni: the server answered 503 storage_unavailable; trying again in 15 s\n"), said
