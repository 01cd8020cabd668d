"""Files and directories go through `anoni put` and come back through `anoni get` byte for byte,
with folders, renames, moves, removal, and paths resolved from the decrypted names."""

import os
from pathlib import Path

from webclient.tests.client_support import CHUNK, cli, run, signup
from webclient.vault.local import BytesSource

SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 13 * 1024 * 1024]


def test_cli_round_trip(server_url, tmp_path):
    vault = signup(server_url)  # the CLI logs in to this account
    home = tmp_path / "config"

    def anoni(*args, expect=0, **kwargs):
        result = cli(server_url, "--user", vault.username, *args, config_home=home, **kwargs)
        assert result.returncode == expect, result.stderr
        assert "Traceback" not in result.stderr
        return result

    source = tmp_path / "photos"
    (source / "2024").mkdir(parents=True)
    files = {}
    for number, size in enumerate(SIZES):
        path = source / ("2024" if number % 2 else "") / f"file-{size}.bin"
        path.write_bytes(os.urandom(size))
        files[path] = size
    single = tmp_path / "notes.txt"
    single.write_text("a few words\n")

    put = anoni("put", str(source), str(single), "--to", "/backup/new")
    assert "uploaded" in put.stdout
    listing = anoni("ls", "/backup/new").stdout
    assert "photos/" in listing and "notes.txt" in listing
    assert "file-1.bin" in anoni("ls", "/backup/new/photos/2024").stdout

    # find: names anywhere below a folder, case and accents aside, with their paths.
    found = anoni("find", "FILE-4194304").stdout.splitlines()
    assert len(found) == 1 and found[0].endswith("  /backup/new/photos/2024/file-4194304.bin")
    found = anoni("find", "phötos").stdout.splitlines()
    assert len(found) == 1 and "folder" in found[0] and found[0].endswith("  /backup/new/photos/")
    assert len(anoni("find", "file-", "/backup/new/photos/2024").stdout.splitlines()) == len(SIZES) // 2
    nothing = anoni("find", "nowhere")
    assert nothing.stdout == "" and "no name below / contains 'nowhere'" in nothing.stderr
    assert anoni("find", "  ", expect=2).stdout == ""

    out = tmp_path / "out"
    out.mkdir()
    for path in files:
        vault_path = "/backup/new/photos/" + str(path.relative_to(source))
        anoni("get", vault_path, "-o", str(out))
        fetched = out / path.name
        assert fetched.read_bytes() == path.read_bytes()
        assert fetched.stat().st_mtime_ns // 1_000_000 == path.stat().st_mtime_ns // 1_000_000
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in files)

    # Running the same put again skips what is already there; a changed file needs --replace.
    again = anoni("put", str(source), "--to", "/backup/new")
    assert again.stdout.count("unchanged, skipped") == len(files)
    single.write_text("different words now\n")
    refused = anoni("put", str(single), "--to", "/backup/new", expect=1)
    assert "already exists" in refused.stderr
    anoni("put", str(single), "--to", "/backup/new", "--replace")
    anoni("get", "/backup/new/notes.txt", "-o", str(out / "notes.txt"))
    assert (out / "notes.txt").read_text() == "different words now\n"
    refused = anoni("get", "/backup/new/notes.txt", "-o", str(out / "notes.txt"), expect=1)
    assert "--force" in refused.stderr
    anoni("get", "/backup/new/notes.txt", "-o", str(out / "notes.txt"), "--force")
    # As in a shell, a path that ends in "/" names a folder only.
    refused = anoni("get", "/backup/new/notes.txt/", "-o", str(out / "slash.txt"), expect=4)
    assert "not a folder: /backup/new/notes.txt/" in refused.stderr and not (out / "slash.txt").exists()

    # A folder comes back as a directory with -r (as cp -r: into OUT/<name> when OUT exists).
    refused = anoni("get", "/backup/new/photos", "-o", str(tmp_path / "copy"), expect=1)
    assert "-r" in refused.stderr and not (tmp_path / "copy").exists()
    got = anoni("get", "-r", "/backup/new/photos", "-o", str(tmp_path / "copy"))
    assert f"({len(files)} documents, all verified)" in got.stdout
    copied = {path.relative_to(tmp_path / "copy"): path for path in (tmp_path / "copy").rglob("*")}
    assert set(copied) == {path.relative_to(source) for path in files} | {Path("2024")}
    for path in files:
        fetched = copied[path.relative_to(source)]
        assert fetched.read_bytes() == path.read_bytes()
        assert fetched.stat().st_mtime_ns // 1_000_000 == path.stat().st_mtime_ns // 1_000_000
    anoni("get", "-r", "/backup/new/photos", "-o", str(tmp_path / "copy" / "2024"))
    assert (tmp_path / "copy" / "2024" / "photos" / "2024" / "file-1.bin").exists()
    # Without -o, into ./<name>: a second time, the files as `get` left them are skipped, and one
    # changed since is not replaced unless -f.
    (tmp_path / "here").mkdir()
    anoni("get", "-r", "/backup/new/photos", cwd=tmp_path / "here")
    (tmp_path / "here" / "photos" / "file-0.bin").write_bytes(b"changed here")
    refused = anoni("get", "-r", "/backup/new/photos", cwd=tmp_path / "here", expect=1)
    assert "photos/file-0.bin already exists" in refused.stderr
    assert "unchanged, skipped: photos/2024/file-1.bin" in refused.stdout
    anoni("get", "-r", "/backup/new/photos", "-f", cwd=tmp_path / "here")
    assert (tmp_path / "here" / "photos" / "2024" / "file-1.bin").read_bytes() == \
        (source / "2024" / "file-1.bin").read_bytes()
    assert "-o DIR" in anoni("get", "-r", "/", expect=2).stderr

    # Folders, renames and moves.
    anoni("mkdir", "/archive/2023")
    assert "already exists" in anoni("mkdir", "/archive/2023", expect=1).stderr
    anoni("rename", "/backup/new/photos/2024/file-1.bin", "one byte.bin")
    anoni("mv", "/backup/new/photos/2024/one byte.bin", "/archive/2023")
    anoni("mv", "/backup/new/photos", "/archive")
    anoni("rename", "/archive/photos", "pictures")
    anoni("get", "/archive/2023/one byte.bin", "-o", str(tmp_path / "one.bin"))
    assert (tmp_path / "one.bin").read_bytes() == (source / "2024" / "file-1.bin").read_bytes()
    moved = anoni("ls", "/archive/pictures/2024").stdout
    assert "file-4194304.bin" in moved and "one byte.bin" not in moved
    # A name stays unique within its folder: no rename or move onto a name in use.
    anoni("mkdir", "/archive/pictures/2023")
    taken = anoni("mv", "/archive/2023", "/archive/pictures", expect=1).stderr
    assert "already exists: /archive/pictures/2023" in taken
    big = f"file-{SIZES[-1]}.bin"
    taken = anoni("rename", "/archive/pictures/2024/file-4194304.bin", big, expect=1).stderr
    assert f"already exists: /archive/pictures/2024/{big}" in taken
    anoni("rename", "/archive/pictures/2023", "2023")  # its own name is not taken
    # Nor is its own place, where it is said to be already (it was said to be "moved to" it).
    assert anoni("mv", "/archive/pictures/2023", "/archive/pictures").stdout == "already there: /archive/pictures/2023/\n"
    assert anoni("rm", "-r", "/archive/pictures/2023").stdout == "removed /archive/pictures/2023/\n"
    # Nor does a file take a folder's name, or a directory a document's, whatever --replace says.
    (tmp_path / "lone").mkdir()
    (tmp_path / "lone" / "2024").write_text("a file named like a folder\n")
    taken = anoni("put", str(tmp_path / "lone" / "2024"), "--to", "/archive/pictures", "--replace", expect=1)
    assert "/archive/pictures/2024 is a folder" in taken.stderr
    (tmp_path / "tree" / "notes.txt").mkdir(parents=True)
    (tmp_path / "tree" / "notes.txt" / "inside.txt").write_text("a directory named like a document\n")
    taken = anoni("put", str(tmp_path / "tree" / "notes.txt"), "--to", "/backup/new", expect=1)
    assert "/backup/new/notes.txt is a document, not a folder" in taken.stderr

    # Ids work wherever paths do, and are the way to tell same-named documents apart.
    twins = [run(vault.upload(BytesSource(content), name="twin.bin")) for content in (b"1", b"22")]
    ambiguous = anoni("get", "/twin.bin", "-o", str(tmp_path), expect=1)
    assert "ambiguous" in ambiguous.stderr and all(t.id in ambiguous.stderr for t in twins)
    anoni("get", twins[1].id, "-o", str(tmp_path / "twin.bin"))
    assert (tmp_path / "twin.bin").read_bytes() == b"22"

    assert "ok" in anoni("verify", "/archive").stdout
    assert "is a folder" in anoni("rm", "/archive", expect=1).stderr
    # Each item once, and nothing inside a folder removed with it: they failed the command
    # after it had done what was asked ("not found on the server").
    removed = anoni("rm", "-r", "/archive", twins[0].id, "/archive/pictures", "/archive").stdout
    assert removed.splitlines() == ["removed /archive/ and what it held: 3 folders, 6 documents (unfinished uploads included)",
                                    "removed /twin.bin"]
    assert anoni("rm", twins[1].id, "/twin.bin").stdout == "removed /twin.bin\n"  # one item, twice named
    remaining = {doc.name for doc in run(vault.list_documents())}
    assert remaining == {"notes.txt"}
    assert {folder.name for folder in run(vault.list_folders())} == {"backup", "new"}
    run(vault.close())
