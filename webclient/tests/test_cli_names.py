"""Names between the vault, the disk and the terminal: `anoni get` writes a name as long as a
disk takes under that name, a failed write names the file asked for (not the hidden temporary
file), and a name's control characters reach the terminal escaped (`\\n`, `\\x1b`) while the
vault and the disk keep the name as it is, and one that begins or ends with white space is shown
quoted; and a name composed another way (Unicode NFC or NFD) names the same item."""

from webclient.tests.client_support import PASSWORD, cli, run, signup
from webclient.tests.test_cli_failures import check
from webclient.vault.client import Vault
from webclient.vault.local import BytesSource

# Valid names of 241-255 bytes, too long for `.<name>.XXXXXXXX.part`: 254 bytes, and 255 bytes
# where a cut at a byte count would split a two-byte "é".
LONG_NAMES = ["n" * 250 + ".bin", "a" + "é" * 127]

# A name that would colour the terminal, clear it (a C1 CSI), start a new line and turn the rest
# of the line around, and how the CLI shows it.
CONTROLLING_NAME = "evil\nname\x1b[31mRED\x9b2J\u202egpj.exe"
SHOWN = "evil\\nname\\x1b[31mRED\\x9b2J\\u202egpj.exe"
RAW_CONTROLS = ("\x1b", "\x9b", "\u202e")


def test_cli_gets_the_longest_names_a_disk_takes(server_url, tmp_path):
    vault = signup(server_url)
    for name in LONG_NAMES:
        run(vault.upload(BytesSource(name.encode()), name=name))
    run(vault.close())
    out = tmp_path / "out"
    out.mkdir()

    def anoni(*args, **kwargs):
        return cli(server_url, "--user", vault.username, *args, config_home=tmp_path / "config",
                   **kwargs)

    for name in LONG_NAMES:
        got = anoni("get", "/" + name, cwd=out)
        assert got.returncode == 0, got.stderr
    assert sorted(path.name for path in out.iterdir()) == sorted(LONG_NAMES)  # and no .part
    for name in LONG_NAMES:
        assert (out / name).read_bytes() == name.encode()

    target = tmp_path / "missing" / "dir" / "x.bin"
    missing = anoni("get", "/" + LONG_NAMES[0], "-o", str(target))
    check(missing, 4, f"no such file or directory: {target}")
    assert ".part" not in missing.stderr


def test_cli_get_r_cuts_names_longer_than_a_disk_takes(server_url, tmp_path):
    """A vault name may be 1024 characters; a disk takes 255 bytes. `get -r` stopped at such a
    name, leaving the rest of the folder; it now cuts it, keeping the extension, and numbers two
    that are cut alike."""
    vault = signup(server_url)
    folder = run(vault.create_folder("long"))
    long_names = ["é" * 300 + ".pdf", "é" * 300 + "x.pdf"]  # alike for the first 255 bytes
    for name in [*long_names, "short.txt"]:
        run(vault.upload(BytesSource(name.encode()), name=name, folder=folder.id))
    run(vault.close())
    got = cli(server_url, "--user", vault.username, "get", "-r", "/long",
              "-o", str(tmp_path / "out"), config_home=tmp_path / "config")
    assert got.returncode == 0, got.stderr
    files = {path.name: path.read_bytes() for path in (tmp_path / "out").iterdir()}
    assert sorted(files.values()) == sorted(name.encode() for name in [*long_names, "short.txt"])
    cut = sorted((name for name in files if name != "short.txt"), key=len)
    assert all(len(name.encode()) <= 255 and name.endswith(".pdf") and "…" in name for name in cut)
    assert cut[1] == cut[0].replace(".pdf", " (2).pdf")
    one = cli(server_url, "--user", vault.username, "get", "/long/" + long_names[0],
              config_home=tmp_path / "config", cwd=tmp_path)  # alone, likewise
    assert one.returncode == 0, one.stderr
    assert (tmp_path / cut[0]).read_bytes() == long_names[0].encode()


def test_cli_shows_control_characters_in_names_escaped(server_url, tmp_path):
    vault = signup(server_url)
    run(vault.upload(BytesSource(b"payload"), name="x.bin"))
    out = tmp_path / "out"
    out.mkdir()

    def anoni(*args, expect=0, **kwargs):
        result = cli(server_url, "--user", vault.username, *args, config_home=tmp_path / "config",
                     cwd=out, **kwargs)
        assert result.returncode == expect, result.stderr
        for raw in RAW_CONTROLS:
            assert raw not in result.stdout and raw not in result.stderr, result
        return result

    assert anoni("rename", "/x.bin", CONTROLLING_NAME).stdout == f"renamed to /{SHOWN}\n"
    [doc] = run(vault.list_documents())
    assert doc.name == CONTROLLING_NAME  # stored as it is
    listing = anoni("ls").stdout
    assert listing.endswith(f"  {SHOWN}\n") and listing.count("\n") == 1, listing
    found = anoni("find", "evil").stdout
    assert found.endswith(f"  /{SHOWN}\n") and found.count("\n") == 1, found

    got = anoni("--progress", "get", doc.id)
    assert got.stdout.startswith(f"downloaded {SHOWN} -> {SHOWN}  (")
    assert got.stdout.count("\n") == 1
    assert "100%" in got.stderr and "\\u202egpj.exe" in got.stderr  # the bar's label, escaped
    assert (out / CONTROLLING_NAME).read_bytes() == b"payload"  # written under its own name
    again = anoni("get", doc.id, expect=1)
    check(again, 1, f"{SHOWN} already exists (--force to replace it)")
    run(vault.close())


def test_cli_takes_a_name_composed_another_way_as_the_same_name(server_url, tmp_path):
    """A Mac's disk keeps "é" as "e" and a combining accent (NFD), what a person types is composed
    (NFC): `ls` of the typed name found nothing, and `put` stored a second, identical-looking
    document beside the first (from an audit of the CLI)."""
    decomposed, composed = "cafe\u0301.txt", "caf\u00e9.txt"
    vault = signup(server_url)
    run(vault.upload(BytesSource(b"from a Mac"), name=decomposed))
    run(vault.close())

    def anoni(*args, **kwargs):
        return cli(server_url, "--user", vault.username, *args, config_home=tmp_path / "config",
                   **kwargs)

    listed = anoni("ls", "/" + composed)
    assert listed.returncode == 0 and listed.stdout.rstrip().endswith(decomposed), listed.stderr
    (tmp_path / composed).write_text("typed here")
    check(anoni("put", str(tmp_path / composed)), 1, "already exists (--replace to replace it)")
    assert anoni("put", "--replace", str(tmp_path / composed)).returncode == 0
    again = run(Vault.login(server_url, vault.username, PASSWORD))
    assert [doc.name for doc in run(again.list_documents())] == [composed]
    run(again.close())


def test_cli_quotes_names_that_begin_or_end_with_white_space(server_url, tmp_path):
    """"report " printed bare is "report" on screen: such a name is shown in single quotes, as a
    shell takes it, wherever it is printed, and what is shown can be pasted back as an argument."""
    vault = signup(server_url)
    run(vault.upload(BytesSource(b"payload"), name="report "))
    out = tmp_path / "out"
    out.mkdir()

    def anoni(*args, expect=0):
        result = cli(server_url, "--user", vault.username, *args, config_home=tmp_path / "config", cwd=out)
        assert result.returncode == expect, result.stderr
        return result

    assert anoni("ls").stdout.endswith("  'report '\n")
    made = anoni("mkdir", "/\u00a0notes").stdout  # a no-break space: white space too
    assert made.startswith("created /'\u00a0notes'/  (")
    assert anoni("mv", "/report ", "/\u00a0notes/").stdout == "moved to /'\u00a0notes'/'report '\n"
    assert anoni("find", "report").stdout.endswith("  /'\u00a0notes'/'report '\n")
    got = anoni("get", "/\u00a0notes/report ").stdout
    assert got.startswith("downloaded 'report ' -> 'report '  (")
    assert (out / "report ").read_bytes() == b"payload"
    check(anoni("get", "/\u00a0notes/report ", expect=1), 1, "'report ' already exists (--force to replace it)")
    assert anoni("rename", "/\u00a0notes/report ", "report").stdout == "renamed to /'\u00a0notes'/report\n"
    run(vault.close())
