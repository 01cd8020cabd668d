"""`anoni` waiting at a prompt (a username, a password) stops at once on Ctrl-C, SIGTERM or SIGHUP,
as it does anywhere else: the prompt blocked the event loop, whose own handlers of these signals
acted only once Enter was pressed; and a new password too short is refused before it is asked for
a second time (from an audit of the CLI)."""

import fcntl
import os
import pty
import select
import signal
import subprocess
import termios
import time

import pytest

from webclient.tests.client_support import cli_command


def _controlling_terminal(terminal_fd):
    """For the child: a session of its own with the pty as its terminal, as getpass needs."""
    def become():
        os.setsid()
        fcntl.ioctl(terminal_fd, termios.TIOCSCTTY, 0)
    return become


def waiting_at(server_url, tmp_path, prompt: str, *args):
    """`anoni args...` started on a terminal and left waiting at `prompt`, which it writes to the
    terminal (getpass) or to stderr: (process, pty fd, what stderr said so far)."""
    main_fd, terminal_fd = pty.openpty()
    command = cli_command(server_url, *args, config_home=tmp_path / "config", password=None)
    command["text"] = False
    process = subprocess.Popen(**command, stdin=terminal_fd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, preexec_fn=_controlling_terminal(terminal_fd))
    os.close(terminal_fd)
    said, deadline = {main_fd: b"", process.stderr.fileno(): b""}, time.monotonic() + 60
    while not any(prompt.encode() in text for text in said.values()):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"no {prompt!r} prompt"
        for fd in select.select(list(said), [], [], 0.1)[0]:
            said[fd] += os.read(fd, 1024)
    time.sleep(0.2)  # into the read itself
    return process, main_fd, said[process.stderr.fileno()]


@pytest.mark.parametrize("signum, code, said", [
    (signal.SIGINT, 130, "anoni: interrupted"),
    (signal.SIGTERM, 143, "anoni: stopped (SIGTERM)"),
    (signal.SIGHUP, 129, "anoni: stopped (SIGHUP)"),
])
@pytest.mark.parametrize("prompt, args", [
    ("Password: ", ("--user", "somebody", "ls")),
    ("Username: ", ("ls",)),
])
def test_a_signal_stops_a_prompt_at_once(server_url, tmp_path, prompt, args, signum, code, said):
    process, main_fd, asked = waiting_at(server_url, tmp_path, prompt, *args)
    try:
        process.send_signal(signum)
        _, rest = process.communicate(timeout=10)  # not left waiting for Enter
    finally:
        os.close(main_fd)
    stderr = (asked + rest).decode()
    assert process.returncode == code, stderr
    assert stderr.rstrip().endswith(said)
    assert "Traceback" not in stderr


def test_a_new_password_too_short_is_refused_before_it_is_asked_again(server_url, tmp_path):
    process, main_fd, _ = waiting_at(server_url, tmp_path, "Choose a password: ", "--user", "newcomer",
                                     "signup")
    try:
        os.write(main_fd, b"short\n")
        _, stderr = process.communicate(timeout=30)
        shown = b""
        while select.select([main_fd], [], [], 0.1)[0]:
            try:
                shown += os.read(main_fd, 1024)
            except OSError:  # the terminal's other end closed with the process
                break
    finally:
        os.close(main_fd)
    assert process.returncode == 2
    assert b"Repeat it" not in shown
    assert "a new password needs at least 8 characters" in stderr.decode()
