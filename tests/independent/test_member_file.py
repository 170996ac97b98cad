#!/usr/bin/env python3
"""Unit tests of verify_case.py's member files (docs/FORMAT.md 6.2, "Member files"; 6.4; 7
rule 5, `member-file`): the stream reader, the one-pass member rules, and a whole case with
a signed seal whose members are in a member file (the seal signed here with openssl).

Run: python3 tests/independent/test_member_file.py   (python3's standard library only; the
case tests need the `openssl` command, and are skipped without it)
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tracemalloc
import unittest

sys.dont_write_bytecode = True  # no __pycache__ left in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import verify_case as vc  # noqa: E402


def sha(data):
    return hashlib.sha256(data).hexdigest()


def file_member(path, content=b"x", **extra):
    m = {"path": path, "type": "file", "size": len(content), "hashes": {"sha256": sha(content)}}
    m.update(extra)
    return m


def member_bytes(members):
    """The member file of `members` (6.2): each member's canonical JSON and a newline."""
    return b"".join(vc.canonical_bytes(m) + b"\n" for m in members)


def artifact_of(kind, members, *, inline=False, data=None):
    """A seal artifact of `members`, right in every value (6.4); with a member file whose
    bytes are `data` (default: as written by member_bytes) unless `inline`."""
    files = [m for m in members if m["type"] == "file" and "size" in m]
    manifest = sha(vc.manifest_text([m for m in members if "hashes" in m]).encode("utf-8"))
    artifact = {
        "kind": kind,
        "path_given": "evidence",
        "path_resolved": "/cases/evidence",
        "size": sum(m["size"] for m in files) if kind == "directory" else 4096,
        "hashes": {"sha256": manifest if kind == "directory" else "ab" * 32},
        "manifest_sha256": manifest,
        "file_count": len(files),
    }
    if inline:
        artifact["members"] = members
    else:
        data = member_bytes(members) if data is None else data
        artifact["member_file"] = {"bytes": len(data), "count": data.count(b"\n"),
                                   "sha256": sha(data)}
    return artifact


DIRECTORY_MEMBERS = [
    file_member("a.txt", b"alpha"),
    {"path": "b", "type": "dir"},
    file_member("b/c.txt", b"gamma"),
    {"path": "b/link", "type": "symlink", "link": "../a.txt"},
    file_member("b/z\\weird\nname", b"zeta"),
]
ZIP_MEMBERS = [
    {"path": "dir/", "type": "dir", "mtime": 1700000000},
    file_member("dir/one.txt", b"one", mtime=1700000000),
    file_member("two.txt", b"two", mtime=1700000001),
]
TAR_MEMBERS = [
    {"path": "./etc", "type": "dir", "mtime": 1},
    file_member("./etc/passwd", b"root:x:0:0", mtime=2),
    {"path": "./etc/hard", "type": "hardlink", "link": "./etc/passwd", "mtime": 3},
    {"path": "./dev/null", "type": "other", "mtime": 4},
]


class CaseDirTest(unittest.TestCase):
    def setUp(self):
        self.case = tempfile.mkdtemp(prefix="test_member_file.")
        os.mkdir(os.path.join(self.case, "members"))

    def tearDown(self):
        shutil.rmtree(self.case)

    def path_of(self, artifact):
        return os.path.join(self.case, "members", f"{artifact['member_file']['sha256']}.jsonl")

    def write(self, artifact, data):
        with open(self.path_of(artifact), "wb") as f:
            f.write(data)

    def case_with(self, kind, members, data=None):
        """An artifact naming a member file, and that file written in the case."""
        data = member_bytes(members) if data is None else data
        artifact = artifact_of(kind, members, data=data)
        self.write(artifact, data)
        return artifact

    def problems(self, artifact):
        # The artifact itself is right: only the file can be wrong.
        self.assertEqual(vc.ARTIFACT(artifact, "body.artifact"), [])
        self.assertEqual(vc.check_artifact(artifact), [])
        self.assertTrue(vc.member_file_checkable({"artifact": artifact}))
        return vc.check_member_file(self.case, artifact)

    def assertProblem(self, problems, *fragments):
        self.assertTrue(problems, "expected a problem, found none")
        text = "\n".join(problems)
        for fragment in fragments:
            self.assertIn(fragment, text)


class GoodFiles(CaseDirTest):
    def test_directory_tar_zip(self):
        for kind, members in (("directory", DIRECTORY_MEMBERS), ("tar", TAR_MEMBERS),
                              ("zip", ZIP_MEMBERS)):
            with self.subTest(kind=kind):
                artifact = self.case_with(kind, members)
                self.assertEqual(self.problems(artifact), [])
                # The same members in-line pass the same rules (`body`), as before.
                self.assertEqual(vc.check_artifact(artifact_of(kind, members, inline=True)), [])

    def test_one_member(self):
        artifact = self.case_with("tar", [file_member("only")])
        self.assertEqual(self.problems(artifact), [])

    def test_line_of_exactly_the_limit(self):
        member = file_member("p")
        pad = vc.MAX_MEMBER_LINE - len(vc.canonical_bytes(member))
        member = file_member("p" * (pad + 1))
        self.assertEqual(len(vc.canonical_bytes(member)), vc.MAX_MEMBER_LINE)
        artifact = self.case_with("tar", [member])
        self.assertEqual(self.problems(artifact), [])

    def test_member_paths_in_file(self):
        artifact = self.case_with("directory", DIRECTORY_MEMBERS)
        found = vc.member_paths_in_file(self.case, artifact["member_file"],
                                        {"a.txt", "b/c.txt", "nope"})
        self.assertEqual(found, {"a.txt", "b/c.txt"})

    def test_streamed_not_held(self):
        """50,000 members (about 6 MB): the reader and the rules hold one line at a time."""
        members = [file_member(f"d{i // 1000:04d}/f{i % 1000:04d}.bin", str(i).encode())
                   for i in range(50_000)]
        data = member_bytes(members)
        artifact = self.case_with("directory", members, data=data)
        del members
        tracemalloc.start()
        try:
            problems = vc.check_member_file(self.case, artifact)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertEqual(problems, [])
        self.assertLess(peak, 1 << 20, f"peak {peak} bytes while reading {len(data)} bytes")


class FileProblems(CaseDirTest):
    def test_missing(self):
        artifact = artifact_of("directory", DIRECTORY_MEMBERS)
        self.assertProblem(self.problems(artifact), "missing")

    def test_symlink(self):
        artifact = artifact_of("directory", DIRECTORY_MEMBERS)
        target = os.path.join(self.case, "elsewhere.jsonl")
        with open(target, "wb") as f:
            f.write(member_bytes(DIRECTORY_MEMBERS))
        os.symlink(target, self.path_of(artifact))
        self.assertProblem(self.problems(artifact), "symbolic link")

    def test_directory(self):
        artifact = artifact_of("directory", DIRECTORY_MEMBERS)
        os.mkdir(self.path_of(artifact))
        self.assertProblem(self.problems(artifact), "not a regular file")

    def test_fifo(self):
        artifact = artifact_of("directory", DIRECTORY_MEMBERS)
        os.mkfifo(self.path_of(artifact))
        self.assertProblem(self.problems(artifact), "not a regular file")

    def test_other_length(self):
        data = member_bytes(DIRECTORY_MEMBERS)
        artifact = artifact_of("directory", DIRECTORY_MEMBERS)
        self.write(artifact, data + b"\n")
        self.assertProblem(self.problems(artifact), f"{len(data) + 1} bytes",
                           f"member_file.bytes is {len(data)}", "not read")

    def test_other_count(self):
        artifact = self.case_with("directory", DIRECTORY_MEMBERS)
        artifact["member_file"]["count"] += 1
        problems = self.problems(artifact)
        self.assertEqual(problems, [f"{vc.member_file_name(artifact['member_file'])}: 5 lines, "
                                    "but member_file.count is 6"])

    def test_other_sha256(self):
        data = member_bytes(DIRECTORY_MEMBERS)
        artifact = artifact_of("directory", DIRECTORY_MEMBERS)
        # Same length, another content: a digest changed in place.
        digest = DIRECTORY_MEMBERS[0]["hashes"]["sha256"].encode()
        altered = data.replace(digest, digest[:-1] + (b"0" if digest[-1:] != b"0" else b"1"))
        self.assertEqual(len(altered), len(data))
        self.write(artifact, altered)
        problems = self.problems(artifact)
        self.assertProblem(problems, "SHA-256 is", "not the file member_file.sha256 names")

    def test_line_too_long(self):
        member = file_member("p" * (vc.MAX_MEMBER_LINE + 10))
        members = [file_member("a"), member, file_member("z")]
        artifact = self.case_with("tar", members)
        problems = self.problems(artifact)
        self.assertProblem(problems, "line 2:", f"longer than the {vc.MAX_MEMBER_LINE} bytes")
        # Nothing else: the file is the one named, and the lines after it are counted.
        self.assertEqual(len(problems), 1, problems)

    def test_not_canonical(self):
        members = list(TAR_MEMBERS)
        data = member_bytes(members)
        lines = data.split(b"\n")
        lines[1] = json.dumps(members[1]).encode()  # spaces after ':' and ','
        data = b"\n".join(lines)
        artifact = self.case_with("tar", members, data=data)
        self.assertProblem(self.problems(artifact), "line 2: not a member's canonical JSON",
                           "not in canonical form")

    def test_not_json(self):
        data = member_bytes(TAR_MEMBERS) + b"{not json\n"
        artifact = self.case_with("tar", TAR_MEMBERS, data=data)
        self.assertProblem(self.problems(artifact), "line 5: not a member's canonical JSON")

    def test_not_utf8(self):
        data = member_bytes(TAR_MEMBERS) + b'{"path":"\xff","type":"dir"}\n'
        artifact = self.case_with("tar", TAR_MEMBERS, data=data)
        self.assertProblem(self.problems(artifact), "line 5:", "not valid UTF-8")

    def test_not_a_member(self):
        for bad, what in (([1, 2], "expected an object"),
                          ({"path": "x"}, "missing member 'type'"),
                          ({"path": "x", "type": "dir", "colour": "red"},
                           "unknown member 'colour'"),
                          ({"path": "x", "type": "file", "size": 1,
                            "hashes": {"sha256": "AB" * 32}}, "lower-case hex")):
            with self.subTest(bad=bad):
                data = member_bytes(TAR_MEMBERS) + vc.canonical_bytes(bad) + b"\n"
                artifact = self.case_with("tar", TAR_MEMBERS, data=data)
                self.assertProblem(self.problems(artifact), "line 5: not a member", what)

    def test_trailing_partial_line(self):
        data = member_bytes(TAR_MEMBERS)[:-1]  # no newline after the last member
        artifact = self.case_with("tar", TAR_MEMBERS, data=data)
        artifact["member_file"]["count"] = 4
        self.assertProblem(self.problems(artifact), "bytes after the last newline")

    def test_empty_line(self):
        for data in (b"\n" + member_bytes(TAR_MEMBERS), member_bytes(TAR_MEMBERS) + b"\n"):
            with self.subTest(data=data[:10]):
                artifact = self.case_with("tar", TAR_MEMBERS, data=data)
                self.assertProblem(self.problems(artifact), "an empty line")

    def test_only_a_newline(self):
        artifact = self.case_with("tar", TAR_MEMBERS, data=b"\n")
        self.assertProblem(self.problems(artifact), "line 1: an empty line")


class MemberRuleProblems(CaseDirTest):
    """A file that is the one named, whose members break a rule of 6.4 (`member-file`)."""

    def check(self, kind, members, *fragments, artifact_changes=None, inline_too=True):
        artifact = artifact_of(kind, members)
        artifact.update(artifact_changes or {})
        self.write(artifact, member_bytes(members))
        self.assertProblem(self.problems(artifact), *fragments)
        if inline_too:  # the same members in-line: `body`, as before
            inline = artifact_of(kind, members, inline=True)
            inline.update(artifact_changes or {})
            self.assertTrue(vc.check_artifact(inline))

    def test_directory_not_sorted(self):
        members = [DIRECTORY_MEMBERS[2], DIRECTORY_MEMBERS[0]]
        self.check("directory", members, "not sorted by the bytes of path (from line 2)")

    def test_directory_repeated_path(self):
        members = [DIRECTORY_MEMBERS[0], DIRECTORY_MEMBERS[0]]
        self.check("directory", members, "not sorted by the bytes of path")

    def test_directory_mtime(self):
        members = [file_member("a", mtime=5)]
        self.check("directory", members, "line 1: directory members carry no 'mtime'")

    def test_directory_unclean_path(self):
        self.check("directory", [file_member("../x")], "line 1: path '../x' is not a clean")

    def test_file_without_hashes(self):
        member = {"path": "a", "type": "file", "size": 3}
        self.check("tar", [member], "line 1: a file member needs 'hashes'")

    def test_dir_with_size(self):
        self.check("tar", [{"path": "d", "type": "dir", "size": 0}],
                   "line 1: a dir member has no 'size'")

    def test_symlink_without_link(self):
        self.check("tar", [{"path": "l", "type": "symlink"}],
                   "line 1: a symlink member needs 'link'")

    def test_file_count(self):
        self.check("tar", TAR_MEMBERS, "file_count is 7", "holds 1 file members",
                   artifact_changes={"file_count": 7})

    def test_directory_size(self):
        self.check("directory", DIRECTORY_MEMBERS, "body.artifact.size is 1,",
                   "sum to 14", artifact_changes={"size": 1})

    def test_manifest(self):
        self.check("tar", TAR_MEMBERS, "manifest_sha256 is not SHA-256 of the manifest",
                   artifact_changes={"manifest_sha256": "00" * 32})

    def test_manifest_order(self):
        """The manifest follows the file's order: two files swapped change it."""
        members = [file_member("b", b"1"), file_member("a", b"2")]
        artifact = artifact_of("tar", members)
        swapped = [members[1], members[0]]
        self.write(artifact, member_bytes(members))
        self.assertEqual(self.problems(artifact), [])
        artifact2 = artifact_of("tar", swapped)
        artifact2["manifest_sha256"] = artifact["manifest_sha256"]
        self.write(artifact2, member_bytes(swapped))
        self.assertProblem(self.problems(artifact2), "manifest_sha256 is not")

    def test_zip_duplicate(self):
        members = [{"path": "d/", "type": "dir"}, file_member("d", b"")]
        self.check("zip", members, "two zip members of one path ('d')")

    def test_zip_paths(self):
        self.check("zip", [file_member("a/../b")], "line 1: zip member path", "not a clean")
        self.check("zip", [{"path": "d", "type": "dir"}], "ends with '/' exactly when")
        self.check("zip", [{"path": "h", "type": "hardlink", "link": "x"}],
                   "a zip member is a file, dir or symlink")

    def test_many_problems_capped(self):
        members = [file_member(f"f{i:05d}", mtime=1) for i in range(500)]
        artifact = artifact_of("directory", members)
        self.write(artifact, member_bytes(members))
        problems = self.problems(artifact)
        self.assertEqual(len(problems), vc.MEMBER_FILE_PROBLEMS + 1)
        self.assertIn("480 more problems not shown", problems[-1])


class ArtifactForms(unittest.TestCase):
    """6.4: which artifacts may have `member_file` (`body`, not `member-file`)."""

    SPEC = {"bytes": 10, "count": 1, "sha256": "ab" * 32}

    def test_schema(self):
        for spec, what in (({"bytes": 0, "count": 1, "sha256": "ab" * 32}, "member_file.bytes"),
                           ({"bytes": 1, "count": 0, "sha256": "ab" * 32}, "member_file.count"),
                           ({"bytes": 1, "count": True, "sha256": "ab" * 32},
                            "member_file.count"),
                           ({"bytes": 1, "count": 1, "sha256": "AB" * 32}, "member_file.sha256"),
                           ({"bytes": 1, "count": 1, "sha256": "../../x"}, "member_file.sha256"),
                           ({"bytes": 1, "count": 1}, "missing member 'sha256'"),
                           (dict(self.SPEC, extra=1), "unknown member 'extra'"),
                           ([], "expected an object")):
            with self.subTest(spec=spec):
                artifact = artifact_of("tar", TAR_MEMBERS)
                artifact["member_file"] = spec
                problems = vc.ARTIFACT(artifact, "body.artifact")
                self.assertTrue(any(what in p for p in problems), problems)
                self.assertFalse(vc.member_file_checkable({"artifact": artifact}))

    def test_both(self):
        artifact = artifact_of("tar", TAR_MEMBERS, inline=True)
        artifact["member_file"] = self.SPEC
        self.assertEqual(vc.check_artifact(artifact),
                         ["body.artifact: a tar has 'members' or 'member_file', not both"])

    def test_neither(self):
        artifact = artifact_of("zip", ZIP_MEMBERS, inline=True)
        del artifact["members"]
        self.assertEqual(vc.check_artifact(artifact),
                         ["body.artifact: a zip needs 'members' or 'member_file'"])

    def test_file_has_none(self):
        artifact = {"kind": "file", "path_given": "f", "path_resolved": "/f", "size": 1,
                    "hashes": {"sha256": "ab" * 32}, "member_file": self.SPEC}
        self.assertEqual(vc.check_artifact(artifact),
                         ["body.artifact: a file has no 'member_file'"])

    def test_ewf_never(self):
        artifact = artifact_of("tar", [file_member("image.E01")])
        artifact["kind"] = "ewf"
        artifact["ewf"] = {}
        self.assertEqual(vc.check_artifact(artifact),
                         ["body.artifact: an ewf has 'members', never 'member_file'"])


class IocMatches(CaseDirTest):
    """Section 6.8: a scan's match names a member of its exhibit as sealed; with a member file,
    the file is read (as a stream) for the names the scans give."""

    def run_matches(self, members_named, ok=True):
        artifact = self.case_with("directory", DIRECTORY_MEMBERS)
        state = vc.CaseState()
        exhibit = vc.Exhibit("E-0001", "00" * 8, None, artifact)
        exhibit.member_file_ok = ok
        self.assertEqual(exhibit.member_paths, set())
        state.exhibits["E-0001"] = exhibit
        body = {"matches": [{"exhibit": "E-0001", "member": m} for m in members_named],
                "ioc_files": []}
        state.ioc_scans.append((2, body))
        errors = Errors()
        vc.check_ioc_matches(self.case, state, errors)
        return errors.errors

    def test_members_found(self):
        self.assertEqual(self.run_matches(["a.txt", "b/c.txt", "a.txt"]), [])

    def test_member_not_sealed(self):
        errors = self.run_matches(["a.txt", "b/nope.txt"])
        self.assertEqual(len(errors), 1, errors)
        self.assertEqual(errors[0][:2], ("entry 2", "ioc-match"))
        self.assertIn("match 1: member 'b/nope.txt' is not a member of E-0001", errors[0][2])

    def test_member_file_in_error_not_looked_into(self):
        self.assertEqual(self.run_matches(["b/nope.txt"], ok=False), [])


# ---------------------------------------------------------------------------------------------
# A whole case: entry 0 and a seal with a member file, signed with openssl
# ---------------------------------------------------------------------------------------------


@unittest.skipIf(shutil.which("openssl") is None, "needs openssl")
class WholeCase(CaseDirTest):
    def setUp(self):
        super().setUp()
        self.work = tempfile.mkdtemp(prefix="test_member_file.keys.")
        self.key = os.path.join(self.work, "admin.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", self.key],
                       check=True, capture_output=True)
        der = subprocess.run(["openssl", "pkey", "-in", self.key, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True).stdout
        self.public = der[-32:]
        self.key_id = sha(self.public)[:16]
        self.lines = []

    def tearDown(self):
        shutil.rmtree(self.work)
        super().tearDown()

    def sign(self, message):
        path = os.path.join(self.work, "msg")
        with open(path, "wb") as f:
            f.write(message)
        return subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", self.key, "-rawin",
                               "-in", path], check=True, capture_output=True).stdout

    def append(self, kind, body):
        entry = {"body": body, "format": 1, "key": self.key_id, "kind": kind,
                 "prev": sha(self.lines[-1]) if self.lines else "0" * 64,
                 "seq": len(self.lines), "time": "2025-01-01T00:00:00Z"}
        entry["sig"] = base64.b64encode(self.sign(vc.signed_message(entry))).decode()
        self.lines.append(vc.canonical_bytes(entry))

    def open_case(self):
        self.append("case.open", {
            "admin": {"id": self.key_id, "name": "admin",
                      "public_key": base64.b64encode(self.public).decode()},
            "case": {"case_id": "T-1", "created": "2025-01-01T00:00:00Z",
                     "origin": "scelle.case/T-1/0123456789abcdef", "title": "test"}})

    def seal(self, artifact, exhibit="E-0001"):
        self.append("seal", {"artifact": artifact, "exhibit": exhibit,
                             "hashed_by": {"name": "test", "version": "0"}})

    def verify(self):
        with open(os.path.join(self.case, "ledger.jsonl"), "wb") as f:
            f.write(b"".join(line + b"\n" for line in self.lines))
        done = subprocess.run([sys.executable, vc.__file__, self.case], capture_output=True)
        return done.returncode, done.stdout.decode()

    def test_good(self):
        self.open_case()
        self.seal(self.case_with("directory", DIRECTORY_MEMBERS))
        status, output = self.verify()
        self.assertEqual(status, 0, output)
        self.assertIn("2 entries, 1 exhibits", output)

    def test_bad_file_keeps_the_exhibit(self):
        self.open_case()
        artifact = artifact_of("directory", DIRECTORY_MEMBERS)
        self.write(artifact, member_bytes(DIRECTORY_MEMBERS)[:-1] + b" ")  # altered
        self.seal(artifact)
        # A later entry about E-0001 is still right: the exhibit exists (6.2).
        self.append("note", {"exhibit": "E-0001", "text": "seen"})
        self.append("open", {"exhibit": "E-0001", "operations": "imaged"})
        status, output = self.verify()
        self.assertEqual(status, 1, output)
        self.assertIn("ERROR [member-file] entry 1:", output)
        self.assertIn("SHA-256 is", output)
        self.assertEqual(output.count("ERROR ["), output.count("ERROR [member-file] entry 1:"),
                         output)
        self.assertIn("1 exhibits", output)

    def test_members_symlink_refused(self):
        self.open_case()
        self.seal(self.case_with("tar", TAR_MEMBERS))
        os.rename(os.path.join(self.case, "members"), os.path.join(self.case, "real"))
        os.symlink("real", os.path.join(self.case, "members"))
        status, output = self.verify()
        self.assertEqual(status, 1, output)
        self.assertIn("cannot-verify", output)

    def test_inline_rule_is_body(self):
        self.open_case()
        artifact = artifact_of("tar", TAR_MEMBERS, inline=True)
        artifact["file_count"] = 9
        self.seal(artifact)
        status, output = self.verify()
        self.assertEqual(status, 1, output)
        self.assertIn("ERROR [body] entry 1: body.artifact.file_count is 9", output)
        self.assertNotIn("member-file", output)


# ---------------------------------------------------------------------------------------------
# verify_bundle.py: the carried files of a directory sealed with a member file (step 4)
# ---------------------------------------------------------------------------------------------


class Errors:
    def __init__(self):
        self.errors = []

    def error(self, where, code, message):
        self.errors.append((where, code, message))

    def warning(self, where, code, message):
        pass


class BundleArtifacts(unittest.TestCase):
    def setUp(self):
        import verify_bundle
        self.vb = verify_bundle
        self.bag = tempfile.mkdtemp(prefix="test_member_file.bag.")
        os.makedirs(os.path.join(self.bag, "data", "case", "members"))
        self.members = [file_member("a.txt", b"alpha"), {"path": "b", "type": "dir"},
                        file_member("b/c.txt", b"gamma")]
        self.data = member_bytes(self.members)
        self.artifact = artifact_of("directory", self.members, data=self.data)
        self.write_member_file(self.data)
        self.seals = {"E-0001": (1, {"exhibit": "E-0001", "artifact": self.artifact})}
        base = "data/artifacts/E-0001/evidence"
        self.actual = {f"{base}/a.txt": sha(b"alpha"), f"{base}/b/c.txt": sha(b"gamma")}

    def tearDown(self):
        shutil.rmtree(self.bag)

    def write_member_file(self, data):
        name = os.path.join(self.bag, "data", "case", "members",
                            f"{self.artifact['member_file']['sha256']}.jsonl")
        with open(name, "wb") as f:
            f.write(data)

    def check(self):
        report = Errors()
        carried = self.vb.check_artifacts(self.actual, self.seals, report, self.bag)
        self.assertEqual(carried, ["E-0001"])
        return report.errors

    def test_good(self):
        self.assertEqual(self.check(), [])

    def test_altered_missing_extra(self):
        base = "data/artifacts/E-0001/evidence"
        self.actual[f"{base}/a.txt"] = sha(b"ALPHA")
        del self.actual[f"{base}/b/c.txt"]
        self.actual[f"{base}/planted"] = sha(b"x")
        errors = self.check()
        self.assertEqual([(w, c) for w, c, _ in errors],
                         [(f"{base}/a.txt", "bundle-artifact"),
                          (f"{base}/b/c.txt", "bundle-artifact"),
                          (f"{base}/planted", "bundle-artifact")])
        self.assertIn("is not the sealed", errors[0][2])
        self.assertIn("does not carry", errors[1][2])
        self.assertIn("not part of the seal", errors[2][2])

    def test_member_file_wrong(self):
        for data in (None, self.data[:-1] + b" ", self.data + b"x", b"x" * len(self.data),
                     b"{\n" + self.data[2:]):
            with self.subTest(data=data and data[:8]):
                name = os.path.join(self.bag, "data", "case", "members",
                                    f"{self.artifact['member_file']['sha256']}.jsonl")
                if data is None:
                    os.unlink(name)
                else:
                    self.write_member_file(data)
                errors = self.check()
                self.assertEqual(len(errors), 1, errors)
                self.assertEqual(errors[0][:2], ("data/artifacts/E-0001", "bundle-artifact"))
                self.assertIn("cannot be checked against the seal", errors[0][2])

    def test_member_file_link(self):
        name = os.path.join(self.bag, "data", "case", "members",
                            f"{self.artifact['member_file']['sha256']}.jsonl")
        os.rename(name, name + ".real")
        os.symlink(name + ".real", name)
        errors = self.check()
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("cannot be read", errors[0][2])

    def test_member_file_spec_malformed(self):
        self.artifact["member_file"] = {"sha256": "../../../etc/passwd", "bytes": 1, "count": 1}
        errors = self.check()
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("not {bytes, count, sha256}", errors[0][2])

    def test_tar_with_member_file(self):
        artifact = artifact_of("tar", TAR_MEMBERS)  # no member file needed: NAME is carried
        self.seals = {"E-0001": (1, {"exhibit": "E-0001", "artifact": artifact})}
        self.actual = {"data/artifacts/E-0001/evidence": "ab" * 32}
        self.assertEqual(self.check(), [])
        self.actual = {"data/artifacts/E-0001/evidence": "cd" * 32}
        self.assertEqual(len(self.check()), 1)


if __name__ == "__main__":
    unittest.main()
