// The bag (FORMAT.md section 14): a port of verify_bundle.py's checks 1 to 9, then the case.
// Not checked here (warning only in the python verifier and scelle): `bundle-kit`, the
// comparison of the carried kit with the verifier's own.

const BAGIT_TXT = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n";
const TAGMANIFEST = "tagmanifest-sha256.txt", MANIFEST = "manifest-sha256.txt";
const SIGNATURE = "tagmanifest-sha256.txt.sig", SIGNER = "bag-signer.pub";
const REQUIRED_TAGS = ["bagit.txt", "bag-info.txt", MANIFEST, "VERIFY.md", SIGNER];
const MAX_MANIFEST = 64 << 20, MAX_TAG = 1 << 20;
const MANIFEST_LINE_RE = /^([0-9a-fA-F]{64}) {2}([^\n]+)$/;

async function readText(bag, name, report) {
  if (!bag.exists(name)) { report.error(name, "bag-missing", "missing: this is not a complete BagIt bag"); return null; }
  if (!bag.isFile(name)) { report.error(name, "bag-format", `${name}: not a regular file: not read`); return null; }
  let data;
  try { data = await bag.readBytes(name, name === MANIFEST || name === TAGMANIFEST ? MAX_MANIFEST : MAX_TAG); } catch (e) {
    if (!e.tooLarge) throw e;
    report.error(name, "bag-format", e.message); return null;
  }
  const text = decodeUtf8(data);
  if (text === null) { report.error(name, "bag-format", "not UTF-8 text"); return null; }
  return text;
}

function parseManifest(text, fileName, report, underData) {
  const entries = new Map();
  const lines = text.endsWith("\n") ? text.split("\n").slice(0, -1) : text.split("\n");
  lines.forEach((line, k) => {
    const where = `${fileName} line ${k + 1}`;
    const m = MANIFEST_LINE_RE.exec(line);
    if (!m) { report.error(where, "bag-format", 'not "SHA256  PATH"'); return; }
    const digest = m[1].toLowerCase();
    let path = m[2];
    if (path.includes("%") || path.includes("\r")) { report.error(where, "bag-format", `${pyrepr(path)}: a \`%\` or CR in a path (FORMAT.md 14)`); return; }
    let parts;
    try { parts = safeParts(path); } catch (e) { if (!(e instanceof Unsafe)) throw e; report.error(where, "bag-format", `a path outside the bag: ${e.message}`); return; }
    path = parts.join("/");
    if (underData !== (parts[0] === "data") || (underData && parts.length < 2)) {
      report.error(where, "bag-format", `${pyrepr(path)}: ` + (underData ? "a manifest lists payload files, under data/" : "a tag manifest lists tag files, outside data/"));
      return;
    }
    if (entries.has(path)) { report.error(where, "bag-format", `${pyrepr(path)} is listed twice`); return; }
    entries.set(path, digest);
  });
  return entries;
}

async function hashFile(bag, path, progress) {
  const h = nobleSha256.create();
  let size = 0;
  for await (const chunk of bag.chunks(path)) { h.update(chunk); size += chunk.length; progress.add(chunk.length); await progress.tick(); }
  return [hex(h.digest()), size];
}

async function checkBag(bag, report, progress) {
  let text = await readText(bag, "bagit.txt", report);
  if (text !== null && text.replace(/\r\n/g, "\n") !== BAGIT_TXT) report.error("bagit.txt", "bag-format", "is not `BagIt-Version: 1.0` and `Tag-File-Character-Encoding: UTF-8`");
  let manifest = new Map();
  text = await readText(bag, MANIFEST, report);
  if (text !== null) manifest = parseManifest(text, MANIFEST, report, true);
  let tags = new Map();
  text = await readText(bag, TAGMANIFEST, report);
  if (text !== null) {
    tags = parseManifest(text, TAGMANIFEST, report, false);
    for (const r of REQUIRED_TAGS) if (!tags.has(r)) report.error(TAGMANIFEST, "bag-tagmanifest", `does not list ${r}`);
  }
  for (const name of [...tags.keys()].sort(codePointCompare)) {
    const want = tags.get(name);
    if (!bag.isFile(name)) { report.error(name, "bag-missing", `listed in ${TAGMANIFEST} but absent`); continue; }
    const limit = name === MANIFEST ? MAX_MANIFEST : MAX_TAG;
    if (bag.size(name) > limit) { report.error(name, "bag-format", `larger than the limit of ${limit} bytes for a tag file: not read`); continue; }
    const [got] = await hashFile(bag, name, progress);
    if (got !== want) report.error(name, "bag-tagmanifest", `SHA-256 is ${got}, ${TAGMANIFEST} says ${want}: the tag file was altered`);
  }
  for (const entry of bag.list("")) {
    if (entry === "data" && bag.isDir(entry)) continue;
    if (entry === TAGMANIFEST || entry === SIGNATURE) continue;
    if (bag.isDir(entry)) {
      for (const f of bag.walk(entry)) if (!tags.has(f)) report.error(f, "bag-extra", `a tag file that ${TAGMANIFEST} does not list`);
    } else if (!tags.has(entry)) report.error(entry, "bag-extra", `a tag file that ${TAGMANIFEST} does not list`);
  }
  const present = bag.isDir("data") ? bag.walk("data") : [];
  const actual = new Map();
  let total = 0;
  for (const name of present) {
    if (name.endsWith("/")) { report.error(name, "bag-extra", "an empty directory (a directory member) that no manifest lists"); continue; }
    const [got, size] = await hashFile(bag, name, progress);
    actual.set(name, got);
    total += size;
    const want = manifest.get(name);
    if (want === undefined) report.error(name, "bag-extra", `a payload file that ${MANIFEST} does not list`);
    else if (want !== got) report.error(name, "bag-manifest", `SHA-256 is ${got}, the manifest says ${want}: the file was altered`);
  }
  for (const name of [...manifest.keys()].filter((n) => !actual.has(n)).sort(codePointCompare)) report.error(name, "bag-missing", `listed in ${MANIFEST} but absent from the bag`);
  const info = await readText(bag, "bag-info.txt", report);
  if (info !== null) {
    const line = info.replace(/\r\n/g, "\n").split("\n").find((l) => l.startsWith("Payload-Oxum:"));
    const oxum = line === undefined ? null : line.slice("Payload-Oxum:".length).trim();
    const want = `${total}.${present.length}`;
    if (oxum !== want) report.error("bag-info.txt", "bag-oxum", `Payload-Oxum is ${oxum || "missing"}, the payload is ${want} (bytes.files)`);
  }
  return [manifest, actual, info];
}

async function readEntries(bag) {
  const entries = [];
  for await (const { line, complete } of bag.lines("data/case/ledger.jsonl", MAX_LINE)) {
    if (line === null) { entries.push(null); continue; }
    if (!line.length) continue;
    void complete;
    entries.push(parseLoose(line));
  }
  return entries;
}
async function readLines(bag) {
  const lines = [];
  for await (const { line, complete } of bag.lines("data/case/ledger.jsonl", MAX_LINE)) if (complete) lines.push(line === null ? new Uint8Array(0) : line);
  return lines;
}

function sealEntries(entries) {
  const seals = new Map();
  entries.forEach((e, seq) => {
    if (isObj(e) && get(e, "kind") === "seal" && isObj(get(e, "body"))) {
      const ex = get(e.body, "exhibit");
      if (isStr(ex) && !seals.has(ex)) seals.set(ex, [seq, e.body]);
    }
  });
  return seals;
}
function pyStr(v) { return v === undefined || v === null ? "None" : isStr(v) ? v : pyrepr(v); }
function artifactBase(exhibit, artifact) {
  const resolved = pyStr(get(artifact, "path_resolved", "")).replace(/\/+$/, "");
  const name = resolved.slice(resolved.lastIndexOf("/") + 1) || "artifact";
  return `data/artifacts/${exhibit}/${name}`;
}
function expectedArtifactFiles(exhibit, body) {
  const artifact = isObj(get(body, "artifact")) ? body.artifact : Object.create(null);
  const base = artifactBase(exhibit, artifact);
  const files = new Map();
  const kind = get(artifact, "kind");
  if (kind === "directory" || kind === "ewf") {
    const members = get(artifact, "members");
    for (const m of Array.isArray(members) ? members : []) {
      if (isObj(m) && isObj(get(m, "hashes"))) files.set(kind === "directory" ? `${base}/${pyStr(get(m, "path"))}` : `data/artifacts/${exhibit}/${pyStr(get(m, "path"))}`, pyStr(get(m.hashes, "sha256")));
    }
    return files;
  }
  files.set(base, pyStr(get(isObj(get(artifact, "hashes")) ? artifact.hashes : Object.create(null), "sha256")));
  return files;
}

class MemberFileError extends Error {}
async function* memberFileMembers(bag, spec) {
  spec = isObj(spec) ? spec : Object.create(null);
  const digest = get(spec, "sha256"), size = get(spec, "bytes"), count = get(spec, "count");
  if (!(isStr(digest) && /^[0-9a-f]{64}$/.test(digest) && isInt(size) && isInt(count))) throw new MemberFileError("the seal's member_file is not {bytes, count, sha256}");
  const name = `data/case/members/${digest}.jsonl`;
  if (!bag.exists(name)) throw new MemberFileError(`${name} is missing`);
  if (!bag.isFile(name)) throw new MemberFileError(`${name} cannot be read: not a regular file`);
  if (bag.size(name) !== size) throw new MemberFileError(`${name} is ${bag.size(name)} bytes, member_file.bytes is ${size}`);
  const h = nobleSha256.create();
  for await (const c of bag.chunks(name)) h.update(c);
  let lines = 0;
  for await (const { line, complete } of bag.lines(name, MAX_MEMBER_LINE)) {
    if (!complete || line === null) throw new MemberFileError(`${name}: line ${lines + 1} is too long or not ended by a newline`);
    lines++;
    const value = parseLoose(line);
    if (value === null) throw new MemberFileError(`${name}: line ${lines} is not JSON`);
    yield value;
  }
  if (lines !== count || hex(h.digest()) !== digest) throw new MemberFileError(`${name} is not the member file its seal names (length, number of lines or SHA-256)`);
}

async function checkArtifacts(bag, actual, seals, report) {
  const carried = new Map();
  for (const name of actual.keys()) {
    const parts = name.split("/");
    if (parts[0] === "data" && parts[1] === "artifacts") {
      const ex = parts.length > 3 ? parts[2] : "";
      if (!carried.has(ex)) carried.set(ex, []);
      carried.get(ex).push(name);
    }
  }
  for (const exhibit of [...carried.keys()].sort(codePointCompare)) {
    const names = carried.get(exhibit);
    if (!seals.has(exhibit)) { for (const n of names) report.error(n, "bundle-artifact", "not under a sealed exhibit's directory"); continue; }
    const artifact = get(seals.get(exhibit)[1], "artifact");
    if (isObj(artifact) && has(artifact, "member_file")) { await checkMemberFileArtifacts(bag, actual, exhibit, artifact, names, report); continue; }
    const expected = expectedArtifactFiles(exhibit, seals.get(exhibit)[1]);
    for (const name of [...new Set([...expected.keys(), ...names])].sort(codePointCompare)) {
      if (!actual.has(name)) report.error(name, "bundle-artifact", `${exhibit}: a sealed file that the bundle does not carry`);
      else if (!expected.has(name)) report.error(name, "bundle-artifact", `${exhibit}: a file that is not part of the seal`);
      else if (actual.get(name) !== expected.get(name).toLowerCase()) report.error(name, "bundle-artifact", `${exhibit}: SHA-256 ${actual.get(name)} is not the sealed ${expected.get(name)}`);
    }
  }
  return [...carried.keys()].sort(codePointCompare);
}

async function checkMemberFileArtifacts(bag, actual, exhibit, artifact, names, report) {
  const base = artifactBase(exhibit, artifact);
  const problems = [], matched = new Set();
  let more = 0;
  const compare = (name, want) => {
    let problem = null;
    if (!actual.has(name)) problem = `${exhibit}: a sealed file that the bundle does not carry`;
    else if (actual.get(name) !== want.toLowerCase()) problem = `${exhibit}: SHA-256 ${actual.get(name)} is not the sealed ${want}`;
    matched.add(name);
    if (problem === null) return;
    if (problems.length < MEMBER_FILE_PROBLEMS) problems.push([name, problem]); else more++;
  };
  if (get(artifact, "kind") === "directory") {
    try {
      for await (const m of memberFileMembers(bag, get(artifact, "member_file"))) {
        if (isObj(m) && isObj(get(m, "hashes"))) compare(`${base}/${pyStr(get(m, "path"))}`, pyStr(get(m.hashes, "sha256")));
      }
    } catch (e) {
      if (!(e instanceof MemberFileError)) throw e;
      report.error(`data/artifacts/${exhibit}`, "bundle-artifact", `${exhibit}: the carried files cannot be checked against the seal: ${e.message} (the case verifier reports it as member-file)`);
      return;
    }
  } else compare(base, pyStr(get(isObj(get(artifact, "hashes")) ? artifact.hashes : Object.create(null), "sha256")));
  for (const name of names.filter((n) => !matched.has(n)).sort(codePointCompare)) {
    if (problems.length < MEMBER_FILE_PROBLEMS) problems.push([name, `${exhibit}: a file that is not part of the seal`]); else more++;
  }
  problems.sort((a, b) => codePointCompare(a[0], b[0]) || codePointCompare(a[1], b[1]));
  for (const [name, message] of problems) report.error(name, "bundle-artifact", message);
  if (more) report.error(`data/artifacts/${exhibit}`, "bundle-artifact", `${exhibit}: ${more} more problems with the carried files not shown`);
}

async function checkProofs(bag, actual, seals, report) {
  const proofs = [...actual.keys()].filter((n) => n.startsWith("data/proofs/")).sort(codePointCompare);
  for (const name of proofs) {
    const stem = name.slice("data/proofs/".length);
    const exhibit = stem.endsWith(".json") ? stem.slice(0, -5) : null;
    if (exhibit === null || !EXHIBIT_RE.test(exhibit)) { report.error(name, "bundle-proof", "not data/proofs/EXHIBIT.json"); continue; }
    let proof;
    try { proof = parseLoose(await bag.readBytes(name, MAX_PROOF)); } catch (e) {
      if (!e.tooLarge) throw e;
      report.error(name, "bundle-proof", `larger than the limit of ${MAX_PROOF} bytes for a proof: not read`); continue;
    }
    if (proof === null) { report.error(name, "bundle-proof", "not JSON"); continue; }
    if (!seals.has(exhibit)) report.error(name, "bundle-proof", `${exhibit} has no seal entry in the ledger`);
    else if (!isObj(proof) || get(proof, "exhibit") !== exhibit || get(proof, "leaf_index") !== seals.get(exhibit)[0]) {
      report.error(name, "bundle-proof", `is not the proof of ${exhibit}'s seal (entry ${seals.get(exhibit)[0]})`);
    }
  }
  return proofs;
}

function parseSpkiPem(data) {
  const text = decodeUtf8(data);
  if (text === null) return null;
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith("-----BEGIN PUBLIC KEY-----"));
  if (start < 0) return null;
  const rest = lines.slice(start).join("\n").slice("-----BEGIN PUBLIC KEY-----".length);
  const end = rest.indexOf("-----END PUBLIC KEY-----");
  if (end < 0) return null;
  const text64 = rest.slice(0, end).split(/[\s\x1c-\x1f\x85]+/).join("");
  const der = b64decodeCanonical(text64);
  if (der === null || der.length !== 44 || !bytesEqual(der.subarray(0, 12), SPKI_ED25519_PREFIX)) return null;
  return der.slice(12);
}
function b64Key(value) { const raw = isStr(value) ? b64decodeLoose(value) : null; return raw !== null && raw.length === 32 ? raw : null; }

function ledgerKeys(entries) {
  const ks = [];
  entries.forEach((e, seq) => {
    if (!isObj(e) || !isObj(get(e, "body"))) return;
    const kind = get(e, "kind"), body = e.body;
    let nw = null;
    if (kind === "case.open" && seq === 0) nw = get(body, "admin");
    else if (kind === "key.enrol") nw = get(body, "key");
    else if (kind === "key.rotate") nw = get(body, "new");
    if (kind === "key.revoke" || kind === "key.rotate") {
      const gone = kind === "key.revoke" ? get(body, "key") : get(body, "old");
      for (const k of ks) if (k.pk !== null && sha256hex(k.pk).slice(0, 16) === gone && k.ended === null) k.ended = seq;
    }
    if (isObj(nw)) ks.push({ name: get(nw, "name"), pk: b64Key(get(nw, "public_key")), ended: null, enrolled: seq, role: get(nw, "role"), fullName: get(nw, "full_name") });
  });
  return ks;
}
function oneLine(v) { return pyStr(v).replace(/[\n\r]/g, " "); }

async function checkSignature(bag, entries, report) {
  const read = async (name) => {
    if (!bag.exists(name)) return null;
    if (!bag.isFile(name)) { report.error(name, "bag-signature", `${name}: not a regular file: not read`); return new Uint8Array(0); }
    try { return await bag.readBytes(name, MAX_TAG); } catch (e) { if (!e.tooLarge) throw e; report.error(name, "bag-signature", e.message); return new Uint8Array(0); }
  };
  const pem = await read(SIGNER);
  if (pem === null) { report.error(SIGNER, "bag-signature", "missing: the bag is not signed, so nothing it carries is authenticated"); return null; }
  const publicKey = parseSpkiPem(pem);
  if (publicKey === null) { report.error(SIGNER, "bag-signature", "not an Ed25519 public key (SPKI PEM)"); return null; }
  const fingerprint = sha256hex(publicKey);
  const signature = await read(SIGNATURE), message = await read(TAGMANIFEST);
  if (signature === null) report.error(SIGNATURE, "bag-signature", "missing: the bag is not signed, so nothing it carries is authenticated");
  else if (message === null) report.error(SIGNATURE, "bag-signature", `${TAGMANIFEST} is missing`);
  else {
    const why = ed25519Verify(publicKey, message, signature);
    if (why !== null) report.error(SIGNATURE, "bag-signature", `not a valid signature of ${TAGMANIFEST} by the key in ${SIGNER} (fingerprint ${fingerprint}): ${why}; the bag was altered after it was signed`);
  }
  const records = ledgerKeys(entries).filter((k) => k.pk !== null && bytesEqual(k.pk, publicKey));
  if (!records.length) report.error(SIGNER, "bag-signature", `the bag is signed by key ${fingerprint}, which the bundled ledger does not enrol`);
  else if (records.every((k) => k.ended !== null)) report.error(SIGNER, "bag-signature", `the bag is signed by key ${fingerprint}, revoked or rotated out at entry ${records[0].ended} of the bundled ledger`);
  return { name: records.length ? records[0].name : null, record: records[0] || null, publicKey, fingerprint };
}

function checkBagInfo(info, entries, lines, signer, report) {
  const first = entries.length && isObj(entries[0]) ? entries[0] : Object.create(null);
  const body = isObj(get(first, "body")) ? first.body : Object.create(null);
  const c = isObj(get(body, "case")) ? body.case : Object.create(null);
  const admin = isObj(get(body, "admin")) ? body.admin : Object.create(null);
  const adminKey = b64Key(get(admin, "public_key"));
  const expected = [
    ["External-Identifier", oneLine(get(c, "case_id", ""))],
    ["External-Description", oneLine(get(c, "title", ""))],
    ["Scelle-Origin", oneLine(get(c, "origin", ""))],
    ["Scelle-Ledger-Size", String(lines.length)],
    ["Scelle-Ledger-Root", b64encode(merkleRoots(lines, [lines.length]).get(lines.length))],
    ["Scelle-Admin-Fingerprint", adminKey ? sha256hex(adminKey) : ""],
    ["Scelle-Signer", signer && signer.name !== null && signer.name !== undefined ? oneLine(signer.name) : null],
    ["Scelle-Signer-Fingerprint", signer ? signer.fingerprint : null],
  ];
  const infoLines = info.split("\n");
  for (const [label, want] of expected) {
    const said = infoLines.filter((l) => l.startsWith(label + ": ")).map((l) => l.slice(label.length + 2));
    if (!said.length) report.error("bag-info.txt", "bag-info", `${label} is missing`);
    else if (said.length > 1) report.error("bag-info.txt", "bag-info", `${label} is given ${said.length} times`);
    else if (want !== null && said[0] !== want) report.error("bag-info.txt", "bag-info", `${label} is ${pyrepr(said[0])}, the bundled ledger says ${pyrepr(want)}`);
  }
}

function checkReports(actual, entries, report) {
  const recorded = new Set();
  for (const e of entries) {
    if (isObj(e) && get(e, "kind") === "report" && isObj(get(e, "body"))) {
      recorded.add(JSON.stringify([pyStr(get(e.body, "file")), pyStr(get(e.body, "sha256"))]));
      const filing = get(e.body, "filing");
      if (isObj(filing)) recorded.add(JSON.stringify([pyStr(get(filing, "file")), pyStr(get(filing, "sha256"))]));
    }
  }
  for (const name of [...actual.keys()].sort(codePointCompare)) {
    if (name.startsWith("data/reports/") && !recorded.has(JSON.stringify([name.slice("data/reports/".length), actual.get(name)]))) {
      report.error(name, "bundle-report", `no \`report\` entry of the bundled ledger records this document (file name and SHA-256 ${actual.get(name)})`);
    }
  }
}

// A progress meter over the bytes hashed; tick() yields to the page now and then.
class Progress {
  constructor(total, onUpdate) { this.total = total; this.done = 0; this.onUpdate = onUpdate; this.last = 0; }
  add(n) { this.done += n; }
  async tick() {
    const now = performance.now();
    if (now - this.last > 100) { this.last = now; this.onUpdate(this.done, this.total); await new Promise((r) => setTimeout(r, 0)); }
  }
}

// The whole verification of a bundle File: {refused, findings, identity, exhibits, ...}.
async function verifyBundle(file, onProgress) {
  const t0 = performance.now();
  const bag = new TarBag(file);
  const result = { file: file.name, size: file.size, refused: null, findings: [], skipped: ["kit", "trusted"] };
  try { await bag.open(); } catch (e) {
    if (!(e instanceof Unsafe)) throw e;
    result.refused = e.message;
    result.findings.push({ severity: "error", code: "bundle-unsafe", where: file.name, message: `${e.message}; nothing was checked`, part: "bag" });
    result.ok = false;
    return result;
  }
  let payload = 0;
  for (const [p, f] of bag.files) if (p.startsWith("data/") || [MANIFEST, "bagit.txt", "bag-info.txt", "VERIFY.md", SIGNER].includes(p)) payload += f.size;
  const progress = new Progress(payload, (done, total) => onProgress({ phase: "hash", done, total }));
  const report = new Report("bag");
  const [, actual, info] = await checkBag(bag, report, progress);
  onProgress({ phase: "hash", done: payload, total: payload });
  result.payloadFiles = actual.size;
  if (!bag.isFile("data/case/ledger.jsonl")) {
    report.error("data/case", "bag-missing", "the bundle holds no case (data/case/ledger.jsonl)");
    result.findings = report.findings; result.ok = false; return result;
  }
  onProgress({ phase: "ledger" });
  const entries = await readEntries(bag);
  const lines = await readLines(bag);
  const signer = await checkSignature(bag, entries, report);
  if (info !== null) checkBagInfo(info, entries, lines, signer, report);
  checkReports(actual, entries, report);
  if (actual.has("data/case/ledger.index")) report.error("data/case/ledger.index", "bundle-index", "a ledger index is a writer's cache, never trusted nor carried (FORMAT.md 10); a bundle that carries one is refused");
  const seals = sealEntries(entries);
  const carried = await checkArtifacts(bag, actual, seals, report);
  const proofs = await checkProofs(bag, actual, seals, report);
  const caseResult = await verifyCase(bag, "data/case", proofs, (phase, done, total) => onProgress({ phase, done, total }));
  const first = entries.length && isObj(entries[0]) ? entries[0] : Object.create(null);
  const body = isObj(get(first, "body")) ? first.body : Object.create(null);
  const c = isObj(get(body, "case")) ? body.case : Object.create(null);
  const admin = isObj(get(body, "admin")) ? body.admin : Object.create(null);
  const adminKey = b64Key(get(admin, "public_key"));
  result.identity = {
    caseId: get(c, "case_id"), title: get(c, "title"), court: get(c, "court"), jurisdiction: get(c, "jurisdiction"), origin: get(c, "origin"), created: get(c, "created"),
    admin: get(admin, "name"), adminFullName: get(admin, "full_name"), adminRole: get(admin, "role"), adminFingerprint: adminKey ? sha256hex(adminKey) : null,
    signer: signer ? signer.name : null, signerFullName: signer && signer.record ? signer.record.fullName : null, signerFingerprint: signer ? signer.fingerprint : null,
    ledgerSize: lines.length, root: caseResult.root,
  };
  result.findings = [...report.findings, ...caseResult.report.findings];
  result.witnesses = caseResult.report.witnesses;
  result.timestamps = caseResult.report.timestamps;
  result.carried = carried;
  result.proofs = proofs.length;
  result.checkpoints = caseResult.checkpoints;
  result.largest = caseResult.largest;
  result.keys = [...caseResult.state.keys.values()];
  result.exhibits = [...caseResult.state.exhibits.values()];
  result.exhibitCount = caseResult.state.sealCount;
  result.ok = !result.findings.some((f) => f.severity === "error");
  result.elapsedMs = Math.round(performance.now() - t0);
  return result;
}
