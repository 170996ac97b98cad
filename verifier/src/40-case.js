// The case inside the bundle (data/case): a port of verify_case.py (FORMAT.md sections 4 to 9).
// Skipped here: --trusted-checkpoint.

const MAX_CHECKPOINT = 1 << 20, MAX_CASE_JSON = 1 << 20, MAX_IOC_COPY = 256 << 20, MAX_PROOF = 64 << 20;
const MAX_MEMBER_LINE = 1 << 20, MEMBER_FILE_PROBLEMS = 20;

class Report {
  constructor(part) { this.part = part; this.findings = []; this.errors = 0; this.warnings = 0; this.witnesses = []; this.timestamps = []; }
  error(where, code, message) { this.errors++; this.findings.push({ severity: "error", code, where, message, part: this.part }); }
  warning(where, code, message) { this.warnings++; this.findings.push({ severity: "warning", code, where, message, part: this.part }); }
}

function noteKeyId(name, pk) { return sha256(concat(utf8(name), Uint8Array.of(10, 1), pk)).subarray(0, 4); }
function cosigKeyId(name, pk) { return sha256(concat(utf8(name), Uint8Array.of(10, 4), pk)).subarray(0, 4); }

class Key {
  constructor(name, publicKey, role, enrolledAt, recordedId, fullName) {
    Object.assign(this, { name, publicKey, role: role === undefined ? null : role, enrolledAt, fullName });
    this.keyId = recordedId || keyIdOf(publicKey);
    this.noteKeyId = noteKeyId(name, publicKey);
    this.cosigKeyId = cosigKeyId(name, publicKey);
    this.endedAt = null; this.endedHow = null;
    this.fingerprint = sha256hex(publicKey);
  }
  get active() { return this.endedAt === null; }
  toString() { return `${this.name} (${this.keyId})`; }
}

class Exhibit {
  constructor(id, holder, sealNo, artifact, n, body, time) {
    Object.assign(this, { id, holder, state: SEALED, sealNo: sealNo === undefined ? null : sealNo });
    this.sha256 = artifact.hashes.sha256;
    this.kind = artifact.kind;
    this.memberPaths = new Set((get(artifact, "members", [])).map((m) => m.path));
    this.memberFile = get(artifact, "member_file", null);
    this.memberFileOk = true;
    this.release = null; this.receiver = null;
    this.sealEntry = n; this.body = body; this.timeline = [];
  }
}

class CaseState {
  constructor(bag, dir) {
    Object.assign(this, { bag, dir, case: null, origin: null, keys: new Map(), admin: null, exhibits: new Map(), sealCount: 0,
      iocFiles: new Map(), iocScans: [], iocFindings: new Map(), previousTime: null, tsas: new Map(), entries: [] });
  }
  describe(keyId) { const k = this.keys.get(keyId); return k ? String(k) : `${keyId} (not a key of the case)`; }
  enrol(record, n) {
    const key = new Key(record.name, b64decodeLoose(record.public_key), get(record, "role"), n, record.id, get(record, "full_name"));
    this.keys.set(key.keyId, key);
    return key;
  }
}

function describeCustody(state, ex) {
  if (ex.state === IN_TRANSIT) return `in transit to ${state.describe(ex.receiver)} under the release of entry ${ex.release}`;
  return `${ex.state}, held by ${state.describe(ex.holder)}`;
}

class KindRules {
  constructor(state, n, signer, time) { Object.assign(this, { state, n, signer, time, problems: [] }); }
  fail(m) { this.problems.push(m); }
  event(ex, what, detail) { return { seq: this.n, time: this.time, kind: what, signer: this.signer, detail }; }
  exhibit(id) { const ex = this.state.exhibits.get(id); if (!ex) this.fail(`${id} is not an exhibit of the case`); return ex; }
  heldBySigner(ex) {
    if (ex.holder !== this.signer) { this.fail(`${ex.id} is held by ${this.state.describe(ex.holder)}, not by the signer ${this.state.describe(this.signer)}`); return false; }
    return true;
  }
  inState(ex, ...states) {
    if (!states.includes(ex.state)) { this.fail(`${ex.id} is ${describeCustody(this.state, ex)}; it must be ${states.join(" or ")}`); return false; }
    return true;
  }
  signedByAdmin() {
    if (this.signer !== this.state.admin) {
      const admin = this.state.admin ? this.state.describe(this.state.admin) : "none";
      this.fail(`signed by ${this.state.describe(this.signer)}, not by the administrator ${admin}`);
    }
  }
  newKeyOk(record, what) {
    const computed = keyIdOf(b64decodeLoose(record.public_key));
    if (record.id !== computed) { this.fail(`${what}: id ${record.id} is not the key id ${computed} of its public_key`); return false; }
    if (this.state.keys.has(record.id)) { this.fail(`${what}: key ${this.state.describe(record.id)} is already enrolled (since entry ${this.state.keys.get(record.id).enrolledAt})`); return false; }
    return true;
  }
  recheckAgainstSeal(recheck, path) {
    const ex = this.state.exhibits.get(recheck.exhibit);
    if (ex && recheck.matches && recheck.sha256 !== ex.sha256) this.fail(`${path} says ${ex.id} matches its seal, but its sha256 ${recheck.sha256 || "(empty)"} is not the sealed ${ex.sha256}`);
  }
  seal(body) {
    const parent = get(get(body, "acquisition", Object.create(null)), "parent");
    if (parent !== undefined && !this.state.exhibits.has(parent)) this.fail(`body.acquisition.parent ${pyrepr(parent)} names no earlier exhibit`);
    const ex = new Exhibit(body.exhibit, this.signer, get(body, "seal_no"), body.artifact, this.n, body, this.time);
    return () => { ex.timeline.push(this.event(ex, "seal", { seal_no: get(body, "seal_no") })); this.state.exhibits.set(ex.id, ex); };
  }
  "key.enrol"(body) {
    this.signedByAdmin();
    const record = body.key;
    if (!this.newKeyOk(record, "body.key")) return null;
    const taken = [...this.state.keys.values()].filter((k) => k.name === record.name);
    if (taken.length) this.fail(`body.key.name ${pyrepr(record.name)} is already the name of ${taken.map(String).join(", ")}: enrolled names are unique`);
    return () => this.state.enrol(record, this.n);
  }
  "key.revoke"(body) {
    this.signedByAdmin();
    const target = this.state.keys.get(body.key);
    if (!target) { this.fail(`body.key ${body.key} is not a key of the case`); return null; }
    if (!target.active) { this.fail(`key ${target} is already ${target.endedHow}`); return null; }
    return () => { target.endedAt = this.n; target.endedHow = `revoked at entry ${this.n} (${body.reason})`; };
  }
  "key.rotate"(body) {
    const old = this.state.keys.get(body.old);
    if (body.old !== this.signer) { this.fail(`body.old ${this.state.describe(body.old)} is not the signer ${this.state.describe(this.signer)}: a key rotates only itself`); return null; }
    if (!old) return null;
    const record = body.new;
    if (!this.newKeyOk(record, "body.new")) return null;
    if (record.name !== old.name) this.fail(`body.new.name ${pyrepr(record.name)} is not the old key's name ${pyrepr(old.name)}`);
    if ((get(record, "role") === undefined ? null : record.role) !== old.role) this.fail(`body.new.role ${pyrepr(get(record, "role"))} is not the old key's role ${pyrepr(old.role)}`);
    return () => {
      const nw = this.state.enrol(record, this.n);
      old.endedAt = this.n; old.endedHow = `rotated out at entry ${this.n} (successor ${nw.keyId})`;
      if (this.state.admin === old.keyId) this.state.admin = nw.keyId;
      for (const ex of this.state.exhibits.values()) {
        if (ex.holder === old.keyId) ex.holder = nw.keyId;
        if (ex.state === IN_TRANSIT && ex.receiver === old.keyId) ex.receiver = nw.keyId;
      }
    };
  }
  release(body) {
    const exs = [];
    for (const id of body.exhibits) {
      const ex = this.exhibit(id);
      if (ex) { this.heldBySigner(ex); this.inState(ex, SEALED); exs.push(ex); }
    }
    const receiver = this.state.keys.get(body.to);
    if (!receiver) this.fail(`body.to ${body.to} is not an enrolled key`);
    else if (!receiver.active) this.fail(`body.to ${receiver} is ${receiver.endedHow}`);
    else if (receiver.keyId === this.signer) this.fail(`body.to ${receiver} is the signer: a release is to another key`);
    return () => { for (const ex of exs) { ex.state = IN_TRANSIT; ex.release = this.n; ex.receiver = body.to; ex.timeline.push(this.event(ex, "release", { to: body.to, purpose: body.purpose })); } };
  }
  accept(body) {
    const release = body.release;
    const exs = [], seen = new Set(), rechecks = new Map();
    body.received.forEach((recheck, i) => {
      if (seen.has(recheck.exhibit)) this.fail(`${recheck.exhibit} is listed twice`);
      seen.add(recheck.exhibit);
      const ex = this.exhibit(recheck.exhibit);
      if (!ex) return;
      exs.push(ex); rechecks.set(ex.id, recheck);
      if (ex.state !== IN_TRANSIT) this.fail(`${ex.id} is ${describeCustody(this.state, ex)}, not in transit under the release of entry ${release}`);
      else if (ex.release !== release) this.fail(`${ex.id} is in transit under the release of entry ${ex.release}, not of entry ${release}`);
      else if (ex.receiver !== this.signer) this.fail(`${ex.id} was released to ${this.state.describe(ex.receiver)}, not to the signer ${this.state.describe(this.signer)}`);
      this.recheckAgainstSeal(recheck, `body.received[${i}]`);
    });
    return () => { for (const ex of exs) { ex.holder = this.signer; ex.state = SEALED; ex.release = ex.receiver = null; ex.timeline.push(this.event(ex, "accept", { matches: rechecks.get(ex.id).matches })); } };
  }
  open(body) {
    const ex = this.exhibit(body.exhibit);
    if (!ex) return null;
    this.heldBySigner(ex);
    if (this.inState(ex, SEALED) && (get(body, "seal_no") === undefined ? null : body.seal_no) !== ex.sealNo) {
      this.fail(`body.seal_no ${pyrepr(get(body, "seal_no"))} is not ${ex.id}'s current seal number ${pyrepr(ex.sealNo)}`);
    }
    return () => { ex.state = OPENED; ex.timeline.push(this.event(ex, "open", { operations: body.operations })); };
  }
  reseal(body) {
    const ex = this.exhibit(body.exhibit);
    if (!ex) return null;
    this.heldBySigner(ex);
    this.inState(ex, OPENED);
    if (body.recheck.exhibit !== ex.id) this.fail(`body.recheck.exhibit ${pyrepr(body.recheck.exhibit)} is not body.exhibit ${pyrepr(ex.id)}`);
    this.recheckAgainstSeal(body.recheck, "body.recheck");
    return () => { ex.state = SEALED; ex.sealNo = body.new_seal_no; ex.timeline.push(this.event(ex, "reseal", { seal_no: body.new_seal_no, matches: body.recheck.matches })); };
  }
  note(body) {
    if (has(body, "exhibit")) {
      const ex = this.exhibit(body.exhibit);
      if (ex) return () => ex.timeline.push(this.event(ex, "note", { text: body.text }));
    }
    return null;
  }
  "tsa.add"(body) {
    this.signedByAdmin();
    if (this.state.tsas.has(body.name)) { this.fail(`a TSA named ${body.name} was already added at entry ${this.state.tsas.get(body.name)[0]}`); return null; }
    return () => this.state.tsas.set(body.name, [this.n, body]);
  }
  dispose(body) {
    const ex = this.exhibit(body.exhibit);
    if (!ex) return null;
    this.heldBySigner(ex);
    this.inState(ex, SEALED, OPENED);
    return () => { ex.state = DISPOSED; ex.timeline.push(this.event(ex, "dispose", { how: body.how })); };
  }
  report(body) {
    for (const id of body.exhibits) this.exhibit(id);
    if (body.ledger_size > this.n) this.fail(`a report at entry ${this.n} cannot reflect ${body.ledger_size} entries`);
    return null;
  }
  export(body) {
    for (const id of body.exhibits) this.exhibit(id);
    if (body.ledger_size > this.n) this.fail(`an export at entry ${this.n} cannot hold ${body.ledger_size} entries`);
    return null;
  }
  "ioc.scan"(body) {
    const exs = [];
    body.exhibits.forEach((record, i) => {
      const ex = this.exhibit(record.exhibit);
      if (!ex) return;
      exs.push([ex, record]);
      if (ex.state === DISPOSED) this.fail(`${ex.id} is disposed of: it cannot be scanned`);
      if (record.sha256 !== ex.sha256) this.fail(`body.exhibits[${i}].sha256 ${record.sha256} is not ${ex.id}'s sealed ${ex.sha256}`);
    });
    // A scan changes no custody; it is an event of each scanned exhibit's life (6.8).
    return () => { for (const [ex, record] of exs) ex.timeline.push(this.event(ex, "ioc.scan", { matches: record.matches })); };
  }
  "ioc.review"(body) {
    const findings = this.state.iocFindings.get(body.scan);
    if (!findings) { this.fail(`body.scan ${body.scan} is not an earlier ioc.scan entry without error`); return null; }
    if (body.finding >= findings.length) { this.fail(`body.finding ${body.finding}: scan ${body.scan} records ${findings.length} findings`); return null; }
    const f = findings[body.finding];
    const member = get(body, "member") === undefined ? null : body.member;
    if (body.indicator !== f[0] || body.exhibit !== f[1] || member !== f[2]) {
      this.fail(`finding ${body.scan}#${body.finding} is (${f.map(pyrepr).join(", ")}), not the indicator, exhibit and member the review repeats`);
    }
    const ex = this.state.exhibits.get(body.exhibit);
    if (ex) return () => ex.timeline.push(this.event(ex, "ioc.review", { decision: body.decision, scan: body.scan, finding: body.finding, reason: body.reason }));
    return null;
  }
}
const KIND_RULES = new Set(["seal", "key.enrol", "key.revoke", "key.rotate", "release", "accept", "open", "reseal", "note", "dispose", "report", "export", "ioc.scan", "tsa.add", "ioc.review"]);

function rechecksOf(kind, body) {
  if (kind === "accept") return body.received.map((r, i) => [`body.received[${i}]`, r]);
  if (kind === "reseal") return [["body.recheck", body.recheck]];
  return [];
}

// --- Member files (6.2), read as a stream from the bag -------------------------------------
class MemberFileReader {
  constructor(bag, path, spec, label) { Object.assign(this, { bag, path, spec, label, problems: [], lineProblems: [], more: 0, complete: false }); }
  lineFail(m) { this.complete = false; if (this.lineProblems.length < MEMBER_FILE_PROBLEMS) this.lineProblems.push(m); else this.more++; }
  allProblems() { const p = [...this.problems, ...this.lineProblems]; if (this.more) p.push(`${this.label}: ${this.more} more wrong lines not shown`); return p; }
  async *members() {
    const { bag, path, spec, label } = this;
    if (!bag.exists(path)) { this.problems.push(`${label}: missing (the member file of this seal)`); return; }
    if (!bag.isFile(path)) { this.problems.push(`${label}: not a regular file (a directory, a FIFO, a device...): not read`); return; }
    const size = bag.size(path);
    if (size !== spec.bytes) { this.problems.push(`${label}: ${size} bytes, but member_file.bytes is ${spec.bytes}: not read`); return; }
    const h = nobleSha256.create();
    let lines = 0;
    this.complete = true;
    for await (const chunk of bag.chunks(path)) h.update(chunk);
    for await (const { line, length, complete } of bag.lines(path, MAX_MEMBER_LINE)) {
      if (!complete) {
        if (line !== null) { this.lineFail(`${label}: ${length} bytes after the last newline (a member file ends with a newline)`); continue; }
        this.lineFail(`${label} line ${lines + 1}: ${length} or more bytes, longer than the ${MAX_MEMBER_LINE} bytes a line may have`);
        continue;
      }
      lines++;
      if (line === null) { this.lineFail(`${label} line ${lines}: ${length} bytes, longer than the ${MAX_MEMBER_LINE} bytes a line may have`); continue; }
      if (!line.length) { this.lineFail(`${label} line ${lines}: an empty line`); continue; }
      let member;
      try { member = parseCanonical(line); } catch (e) {
        if (!(e instanceof NotCanonical)) throw e;
        this.lineFail(`${label} line ${lines}: not a member's canonical JSON: ${e.message}`); continue;
      }
      if (this.complete) yield [lines - 1, member];
    }
    if (lines !== spec.count) this.problems.push(`${label}: ${lines} lines, but member_file.count is ${spec.count}`);
    const digest = hex(h.digest());
    if (digest !== spec.sha256) this.problems.push(`${label}: SHA-256 is ${digest}: not the file member_file.sha256 names (altered)`);
    if (this.problems.length) this.complete = false;
  }
}
function memberFileName(spec) { return `members/${spec.sha256}.jsonl`; }
async function checkMemberFile(state, artifact) {
  const label = memberFileName(artifact.member_file);
  const reader = new MemberFileReader(state.bag, `${state.dir}/${label}`, artifact.member_file, label);
  const rules = new MemberRules(artifact, label, true, MEMBER_FILE_PROBLEMS);
  for await (const [, m] of reader.members()) rules.add(m);
  return [...reader.allProblems(), ...rules.finish(reader.complete)];
}
async function memberPathsInFile(state, spec, wanted) {
  const found = new Set();
  const reader = new MemberFileReader(state.bag, `${state.dir}/${memberFileName(spec)}`, spec, memberFileName(spec));
  for await (const [, m] of reader.members()) if (isObj(m) && wanted.has(get(m, "path"))) found.add(m.path);
  return found;
}

// --- The ledger -----------------------------------------------------------------------------
async function readLedger(state, report) {
  const lines = [];
  for await (const { line, length, complete, offset } of state.bag.lines(`${state.dir}/ledger.jsonl`, MAX_LINE)) {
    if (line === null) report.error("ledger.jsonl", "line-too-long", `the ${complete ? "line" : "incomplete last line"} at byte ${offset} is ${length} bytes, more than the maximum line length ${MAX_LINE}: not read, not an entry`);
    else if (!complete) report.error("ledger.jsonl", "torn-tail", `${length} bytes after the last newline (an interrupted append); not treated as an entry`);
    else lines.push(line);
  }
  return lines;
}

function checkOrigin(c, where, report) {
  const origin = c.origin;
  const rest = origin.startsWith("scelle.case/") ? origin.slice("scelle.case/".length) : null;
  const k = (rest || "").lastIndexOf("/");
  const ident = k < 0 ? "" : rest.slice(0, k), nonce = k < 0 ? rest || "" : rest.slice(k + 1);
  if (rest === null || !ident || origin.includes("\n") || !isHex(nonce, 8)) {
    report.error(where, "body", `body.case.origin ${pyrepr(origin)} is not scelle.case/ID/ and 16 lower-case hex digits, on one line`);
  }
}
function defineCase(body, where, state, report) {
  const admin = get(body, "admin");
  if (!KEY_RECORD(admin, "admin").length) {
    const pk = b64decodeLoose(admin.public_key);
    if (admin.id !== keyIdOf(pk)) report.error(where, "custody", `admin id ${admin.id} is not the key id ${keyIdOf(pk)} of its public key`);
    state.enrol(admin, 0);
    state.admin = admin.id;
  }
  const c = get(body, "case");
  if (isObj(c)) {
    state.case = c;
    if (isStr(get(c, "origin"))) { state.origin = c.origin; if (isStr(get(c, "case_id"))) checkOrigin(c, where, report); }
  }
}

async function checkEntry(n, line, previous, state, report) {
  const where = `entry ${n}`;
  const errorsBefore = report.errors;
  let entry;
  try { entry = parseCanonical(line); } catch (e) {
    if (!(e instanceof NotCanonical)) throw e;
    report.error(where, "format", e.message);
    try { entry = parseJson(decodeLenient(line), false); } catch (e2) { return; }
  }
  if (!isObj(entry)) { report.error(where, "format", "an entry is a JSON object"); return; }
  if (get(entry, "kind") === "seal") state.sealCount++;
  const problems = ENVELOPE(entry, "entry");
  if (problems.length) { for (const p of problems) report.error(where, "format", p); return; }
  if (entry.format !== LEDGER_FORMAT) { report.error(where, "format", `unknown ledger format ${entry.format}`); return; }
  state.entries[n] = entry;
  if (entry.seq !== n) report.error(where, "sequence", `seq is ${entry.seq}, expected ${n}`);
  const expectedPrev = previous === null ? ZERO_HASH_HEX : sha256hex(previous);
  if (entry.prev !== expectedPrev) report.error(where, "chain", `prev is ${entry.prev}, but the previous line hashes to ${expectedPrev}`);
  if (state.previousTime !== null && entry.time < state.previousTime) report.warning(where, "time-order", `time ${entry.time} is before the previous entry's ${state.previousTime}`);
  state.previousTime = entry.time;

  const kind = entry.kind, body = entry.body;
  let bodyOk;
  if (!Object.prototype.hasOwnProperty.call(BODY_CHECKERS, kind)) { report.error(where, "body", `unknown entry kind ${pyrepr(kind)}`); bodyOk = false; }
  else { const ps = BODY_CHECKERS[kind](body); for (const p of ps) report.error(where, "body", p); bodyOk = !ps.length; }

  let memberFileErrors = 0;
  if (kind === "seal" && memberFileCheckable(body)) {
    for (const p of await checkMemberFile(state, body.artifact)) { report.error(where, "member-file", p); memberFileErrors++; }
  }
  let effect = null;
  if (n === 0 && kind !== "case.open") report.error(where, "custody", "entry 0 must be case.open");
  if (n !== 0 && kind === "case.open") report.error(where, "custody", "case.open is only entry 0");
  if (n === 0 && kind === "case.open") defineCase(body, where, state, report);
  if (kind === "seal") {
    const expected = `E-${String(state.sealCount).padStart(4, "0")}`;
    if (get(body, "exhibit") !== expected) report.error(where, "custody", `exhibit is ${pyrepr(get(body, "exhibit"))}, but this is seal line ${state.sealCount}: expected ${pyrepr(expected)}`);
  }
  const shapeOk = bodyOk || (kind === "ioc.scan" && !IOC_SCAN_SHAPE(body, "body").length);
  if (shapeOk && KIND_RULES.has(kind)) {
    const rules = new KindRules(state, n, entry.key, entry.time);
    effect = rules[kind](body);
    for (const p of rules.problems) report.error(where, "custody", `${kind}: ${p}`);
  }
  checkSigner(n, entry, state, report);
  if (bodyOk) {
    for (const [path, recheck] of rechecksOf(kind, body)) {
      if (!recheck.matches) report.warning(where, "discrepancy", `${path}: ${recheck.exhibit} re-hashed at ${pyrepr(recheck.path)} by ${state.describe(entry.key)} does not match its seal: ${recheck.discrepancies.join("; ")}`);
    }
  }
  if (bodyOk && kind === "seal") {
    for (const [name, source, sealed] of sourceHashMismatches(body)) report.warning(where, "source-hash", `${body.exhibit}: the acquisition tool's ${name} of the source is ${source}, the sealed copy's is ${sealed}`);
  }
  if (shapeOk && kind === "ioc.scan") {
    for (const record of body.ioc_files) if (isHex(record.sha256, 32) && !state.iocFiles.has(record.sha256)) state.iocFiles.set(record.sha256, [n, record.file]);
  }
  if (kind === "ioc.scan" && report.errors === errorsBefore) {
    state.iocScans.push([n, body]);
    state.iocFindings.set(n, body.matches.map((m) => [m.indicator, m.exhibit, get(m, "member") === undefined ? null : m.member]));
  }
  if (effect && report.errors - memberFileErrors === errorsBefore) {
    effect();
    if (memberFileErrors && kind === "seal") state.exhibits.get(body.exhibit).memberFileOk = false;
  }
}

function checkSigner(n, entry, state, report) {
  const where = `entry ${n}`;
  const key = state.keys.get(entry.key);
  if (!key) {
    if (n === 0 && state.admin !== null) report.error(where, "unknown-key", `key ${entry.key} is not the id ${state.admin} of the administrator's key record`);
    else report.error(where, "unknown-key", `key ${entry.key} is not enrolled in the case`);
    return;
  }
  if (key.endedAt !== null && key.endedAt < n) report.error(where, "revoked-key", `signed by ${key}, ${key.endedHow}`);
  let message;
  try { message = signedMessage(entry); } catch (e) { report.error(where, "signature", `no canonical message to verify: ${e.message}`); return; }
  const reason = ed25519Verify(key.publicKey, message, b64decodeLoose(entry.sig));
  if (reason !== null) report.error(where, "signature", `${reason} (key ${key})`);
}

// --- Merkle tree (8.1) and proofs (8.4) ------------------------------------------------------
function leafHash(line) { return sha256(concat(Uint8Array.of(0), line)); }
function nodeHash(l, r) { return sha256(concat(Uint8Array.of(1), l, r)); }
function merkleRoots(lines, sizes) {
  const wanted = new Set(sizes), roots = new Map(), stack = [];
  if (wanted.has(0)) roots.set(0, sha256(new Uint8Array(0)));
  lines.forEach((line, k) => {
    const count = k + 1;
    let height = 0, cur = leafHash(line);
    while (stack.length && stack[stack.length - 1][0] === height) { cur = nodeHash(stack.pop()[1], cur); height++; }
    stack.push([height, cur]);
    if (wanted.has(count)) {
      let root = stack[stack.length - 1][1];
      for (let j = stack.length - 2; j >= 0; j--) root = nodeHash(stack[j][1], root);
      roots.set(count, root);
    }
  });
  return roots;
}
function verifyInclusion(leafIndex, treeSize, leaf, path, root) {
  if (leafIndex >= treeSize) return false;
  let fn = BigInt(leafIndex), sn = BigInt(treeSize - 1), r = leaf;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) || fn === sn) {
      r = nodeHash(p, r);
      if (!(fn & 1n)) while (!(fn & 1n) && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
    } else r = nodeHash(r, p);
    fn >>= 1n; sn >>= 1n;
  }
  return sn === 0n && bytesEqual(r, root);
}

// --- Checkpoints (8.2, 8.3) -------------------------------------------------------------------
function parseCheckpoint(data) {
  const note = decodeUtf8(data);
  if (note === null) throw new Error("not valid UTF-8");
  if (!note.endsWith("\n")) throw new Error("does not end with a newline");
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new Error("no blank line before the signatures");
  const text = note.slice(0, split + 1), block = note.slice(split + 2);
  const lines = text.split("\n").slice(0, -1);
  if (lines.length !== 3) throw new Error(`the text has ${lines.length} lines, a format-1 checkpoint has 3 (origin, size, root)`);
  const [origin, sizeText, rootText] = lines;
  if (!origin) throw new Error("empty origin");
  if (!DECIMAL_RE.test(sizeText) || BigInt(sizeText) > (1n << 64n) - 1n) throw new Error(`size ${pyrepr(sizeText)} is not a decimal number without leading zeros`);
  const root = b64decodeCanonical(rootText);
  if (root === null || root.length !== 32) throw new Error("the root is not canonical base64 of 32 bytes");
  const signatures = [];
  for (const line of block.split("\n").slice(0, -1)) {
    const fields = line.split(" ");
    const name = fields.length === 3 ? fields[1] : "";
    if (fields.length !== 3 || fields[0] !== EM_DASH || !name || name.includes("+") || [...name].some((c) => WHITE_SPACE.has(c))) throw new Error(`bad signature line ${pyrepr(line)}`);
    const blob = b64decodeCanonical(fields[2]);
    if (blob === null || blob.length < 5) throw new Error(`bad signature in line ${pyrepr(line)}`);
    signatures.push([name, blob]);
  }
  if (!signatures.length) throw new Error("no signature line");
  const size = Number(sizeText); // sizes beyond 2^53 exceed any ledger: compared as such
  return { text, origin, size, root, signatures };
}
function cosignedMessage(ts, text) { return concat(COSIGNATURE_HEADER, utf8(`time ${ts}\n`), text); }

function checkSignatureLine(note, name, blob, candidates) {
  const text = utf8(note.text);
  const reasons = [];
  const head = blob.subarray(0, 4);
  for (const key of candidates) {
    if (bytesEqual(head, key.noteKeyId)) {
      if (blob.length !== 68) reasons.push(`a note signature (alg 0x01) by ${key} is 4 + 64 bytes, not ${blob.length}`);
      else { const r = ed25519Verify(key.publicKey, text, blob.subarray(4)); if (r === null) return [1, null, null, key]; reasons.push(`note signature by ${key}: ${r}`); }
    }
    if (bytesEqual(head, key.cosigKeyId)) {
      if (blob.length !== 76) reasons.push(`a cosignature (alg 0x04) by ${key} is 4 + 8 + 64 bytes, not ${blob.length}`);
      else {
        let ts = 0n; for (const b of blob.subarray(4, 12)) ts = (ts << 8n) | BigInt(b);
        const r = ed25519Verify(key.publicKey, cosignedMessage(ts.toString(), text), blob.subarray(12));
        if (r === null) return [4, ts, null, key];
        reasons.push(`cosignature by ${key}: ${r}`);
      }
    }
  }
  if (!reasons.length) reasons.push(`key id ${hex(head)} is none of ${name}'s keys: ${candidates.map((k) => `${hex(k.noteKeyId)} (0x01) / ${hex(k.cosigKeyId)} (0x04)`).join(", ")}`);
  return [null, null, reasons.join("; "), null];
}
function maySignCheckpoint(key, size, allKeys) {
  if (key.enrolledAt === null || key.enrolledAt === undefined) return null;
  if (size === 0) return `${key} cannot sign a checkpoint of size 0`;
  const last = size - 1;
  if (key.enrolledAt > last) return `${key} was enrolled at entry ${key.enrolledAt}, after the ${size} entries this checkpoint covers`;
  if (key.endedAt !== null) {
    if (key.endedAt < last) return `${key} was ${key.endedHow}, before entry ${last} that this checkpoint ends with`;
    const rotated = allKeys.some((k) => k !== key && k.enrolledAt === key.endedAt);
    if (key.endedAt === last && !rotated) return `${key} was ${key.endedHow}, the last entry this checkpoint covers`;
  }
  return null;
}
function describeSigner(key) { return key.role !== null && key.role !== undefined ? `${key.name} (key ${key.keyId}, role ${key.role})` : `${key.name} (key ${key.keyId})`; }

function checkNoteSignatures(note, where, allKeys, report, now, witnesses = true) {
  const byName = new Map();
  for (const k of allKeys) { if (!byName.has(k.name)) byName.set(k.name, []); byName.get(k.name).push(k); }
  const signers = [], seen = new Set();
  for (const [name, blob] of note.signatures) {
    const id = name + "\u0000" + hex(blob.subarray(0, 4));
    if (seen.has(id)) { report.warning(where, "checkpoint-duplicate", `a second signature line by ${pyrepr(name)} with key id ${hex(blob.subarray(0, 4))}: a key counts once per checkpoint; not counted again`); continue; }
    seen.add(id);
    const candidates = byName.get(name);
    if (!candidates) { report.warning(where, "checkpoint-unknown-signer", `signature by ${pyrepr(name)}, not a key name of this case (not checked)`); continue; }
    const [alg, ts, reason, key] = checkSignatureLine(note, name, blob, candidates);
    if (reason !== null) { report.error(where, "checkpoint-signature", `signature line of ${pyrepr(name)}: ${reason}`); continue; }
    const whyNot = maySignCheckpoint(key, note.size, allKeys);
    if (whyNot !== null) report.error(where, "checkpoint-key", `the ${alg === 1 ? "" : "co"}signature verifies but does not count: ${whyNot}`);
    else if (alg === 1) signers.push(describeSigner(key));
    else if (ts > BigInt(now + COSIGNATURE_SKEW_SECONDS)) report.error(where, "checkpoint-future", `cosignature by ${describeSigner(key)} dated ${formatTimestamp(ts)} (time ${ts}), more than ${COSIGNATURE_SKEW_SECONDS} s after now (${now}): not counted`);
    else if (witnesses) report.witnesses.push({ where, name, size: note.size, time: Number(ts) });
  }
  if (!signers.length) report.error(where, "checkpoint-unsigned", `no valid note signature (alg 0x01) by a key of the case that may sign a checkpoint of size ${note.size}: its size and root say nothing and are not compared with the ledger`);
  return signers;
}

function checkOneCheckpoint(note, where, lines, roots, state, report, now) {
  if (note.size === 0) { report.error(where, "checkpoint-size", "a checkpoint of size 0 commits to no entry and no key may sign it"); return false; }
  let valid = true;
  if (state.origin === null || note.origin !== state.origin) { valid = false; report.error(where, "checkpoint-origin", `origin ${pyrepr(note.origin)} is not the case's ${pyrepr(state.origin)}`); }
  const signers = checkNoteSignatures(note, where, [...state.keys.values()], report, now);
  if (!signers.length) return false;
  const by = "signed by " + signers.join(" and ");
  if (note.size > lines.length) {
    report.error(where, "truncated", `checkpoint ${by} is for ${note.size} entries, but the ledger has only ${lines.length}: entries from ${lines.length} on were removed, or the signer signed a tree head this ledger never had`);
    return false;
  }
  if (!bytesEqual(roots.get(note.size), note.root)) {
    report.error(where, "checkpoint-root", `checkpoint ${by} has root ${b64encode(note.root)} for the first ${note.size} entries, the ledger ${b64encode(roots.get(note.size))}: the ledger was rewritten after it was issued, or the signer signed a tree head this ledger never had`);
    return false;
  }
  return valid;
}

async function checkCheckpoints(state, lines, report, now, counting) {
  const dir = `${state.dir}/checkpoints`;
  const names = state.bag.isDir(dir) ? state.bag.list(dir) : [];
  const notes = [];
  let files = 0;
  for (const fileName of names) {
    const where = `checkpoints/${fileName}`, path = `${dir}/${fileName}`;
    const match = CHECKPOINT_FILE_RE.exec(fileName);
    if (!match && TIMESTAMP_FILE_RE.test(fileName) && state.bag.isFile(path)) continue;
    let stray = !match, data = null;
    if (!stray) {
      if (!state.bag.isFile(path)) stray = true;
      else {
        try { data = await state.bag.readBytes(path, MAX_CHECKPOINT); } catch (e) {
          if (!e.tooLarge) throw e;
          files++;
          report.error(where, "checkpoint-format", `larger than the limit of ${MAX_CHECKPOINT} bytes for a checkpoint file (section 8.2): not read`);
          continue;
        }
      }
    }
    if (stray) { report.warning(where, "checkpoint-stray", "not a checkpoint file (checkpoints/ holds only regular files named NNNNNNNNNNNN.txt, and timestamps NNNNNNNNNNNN.NAME.tsq/.tsr): not read"); continue; }
    files++;
    let note;
    try { note = parseCheckpoint(data); } catch (e) { report.error(where, "checkpoint-format", e.message); continue; }
    notes.push([where, Number(match[1]), note]);
  }
  const roots = merkleRoots(lines, notes.map(([, , n]) => n.size).filter((s) => s <= lines.length));
  let largest = 0;
  for (const [where, fileSize, note] of notes) {
    const valid = fileSize === note.size;
    if (!valid) report.error(where, "checkpoint-size", `the file name says size ${fileSize}, the note ${note.size}`);
    if (checkOneCheckpoint(note, where, lines, roots, state, report, now) && valid) { largest = Math.max(largest, note.size); counting.set(note.size, [where, note]); }
  }
  if (lines.length && !files) report.warning("checkpoints/", "no-checkpoint", "the case has no checkpoint");
  else if (largest < lines.length) report.warning("checkpoints/", "uncheckpointed", `entries ${largest} to ${lines.length - 1} are in no valid checkpoint`);
  return [files, largest];
}

// Section 8.6: every NNNNNNNNNNNN.NAME.tsr of a checkpoint that counts (`counting`), as
// verify (src/case/verify.rs check_timestamps) and verify_case.py check it: a TSA no tsa.add
// names is a warning; the token verified (38-rfc3161.js) against the checkpoint's text, the
// .tsq's nonce (a warning without a .tsq) and the TSA's `ca`; then no entry it covers dated
// later than its genTime + 300 s (`backdated`).
async function checkTimestamps(state, counting, lines, report) {
  const dir = `${state.dir}/checkpoints`;
  const names = state.bag.isDir(dir) ? state.bag.list(dir) : [];
  for (const fileName of names) {
    const m = TIMESTAMP_FILE_RE.exec(fileName);
    if (!m || m[3] !== "tsr" || !counting.has(Number(m[1])) || !state.bag.isFile(`${dir}/${fileName}`)) continue;
    const where = `checkpoints/${fileName}`, size = Number(m[1]), tsaName = m[2];
    if (!state.tsas.has(tsaName)) { report.warning(where, "timestamp-unknown-tsa", `no tsa.add entry names a TSA ${tsaName}: not checked`); continue; }
    let tsr, tsq = null;
    try { tsr = await state.bag.readBytes(`${dir}/${fileName}`, MAX_TIMESTAMP_FILE); } catch (e) {
      if (!e.tooLarge) throw e;
      report.error(where, "timestamp-format", `larger than the limit of ${MAX_TIMESTAMP_FILE} bytes: not read`);
      continue;
    }
    const qPath = `${dir}/${m[1]}.${tsaName}.tsq`;
    if (state.bag.isFile(qPath)) {
      try { tsq = await state.bag.readBytes(qPath, MAX_TIMESTAMP_FILE); } catch (e) {
        if (!e.tooLarge) throw e;
        report.error(where, "timestamp-format", `its request cannot be read (larger than ${MAX_TIMESTAMP_FILE} bytes)`);
        continue;
      }
    }
    const tsa = state.tsas.get(tsaName)[1];
    const anchors = tsa.ca.map(b64decodeCanonical).filter((d) => d !== null);
    const note = counting.get(size)[1];
    let info = null, failure = null;
    try {
      // A request without a nonce (scelle always sends one) has none to compare.
      const nonce = tsq === null ? null : parseRequest(tsq).nonce;
      info = await verifyToken(tsr, utf8(note.text), anchors, nonce);
    } catch (e) {
      if (!(e instanceof TokenError)) throw e;
      failure = e;
    }
    if (tsq === null && !(failure && (failure.code === "timestamp-format" || failure.code === "timestamp-imprint"))) {
      report.warning(where, "timestamp-nonce", "no request (.tsq) beside the token: its nonce is not checked");
    }
    if (failure) { report.error(where, failure.code, `token by TSA ${tsaName}: ${failure.message}`); continue; }
    report.timestamps.push({ size, tsa: tsaName, genTime: info.genTime, genTimeUnix: info.genTimeUnix, serial: info.serial, policy: info.policy, signer: info.signer, where });
    const limit = info.genTimeUnix + BACKDATING_SKEW_SECONDS;
    for (let n = 0; n < Math.min(size, lines.length); n++) {
      const entry = parseLoose(lines[n]);
      const time = isObj(entry) ? get(entry, "time") : undefined;
      if (!isStr(time) || !isUtcTime(time)) continue; // an unreadable entry is reported by the ledger checks
      if (utcSeconds(time) > limit) {
        report.error(where, "backdated", `entry ${n} is dated ${time}, later than TSA ${tsaName}'s time ${info.genTime} for checkpoint ${size}, which covers it (+${BACKDATING_SKEW_SECONDS} s): it was written after that time, or dated falsely`);
      }
    }
  }
}

async function checkCaseFile(state, report) {
  const path = `${state.dir}/case.json`;
  if (state.case === null) return;
  if (!state.bag.exists(path)) { report.warning("case.json", "case-file", "is missing; it is an informative copy of entry 0, which is authoritative"); return; }
  if (!state.bag.isFile(path)) { report.warning("case.json", "case-file", "not a regular file (a FIFO, a device...): not read"); return; }
  let copy;
  try { copy = parseLoose(await state.bag.readBytes(path, MAX_CASE_JSON)); } catch (e) {
    if (e.tooLarge) { report.warning("case.json", "case-file", `larger than the limit of ${MAX_CASE_JSON} bytes (section 1): not read`); return; }
    throw e;
  }
  if (copy === null) { report.warning("case.json", "case-file", "unreadable: not JSON"); return; }
  if (!deepEqual(copy, state.case)) report.warning("case.json", "case-file", "differs from entry 0's case");
}

async function checkIocCopies(state, report) {
  for (const digest of [...state.iocFiles.keys()].sort()) {
    const [n, name] = state.iocFiles.get(digest);
    const where = `ioc/${digest}.stix2`, path = `${state.dir}/ioc/${digest}.stix2`;
    if (!state.bag.exists(path)) { report.warning(where, "ioc-file-missing", `no copy of the IOC file ${pyrepr(name)} used by entry ${n}`); continue; }
    if (!state.bag.isFile(path)) { report.error(where, "ioc-file", `the copy of ${pyrepr(name)} is not a regular file (a FIFO, a device...): not read`); continue; }
    const size = state.bag.size(path);
    if (size > MAX_IOC_COPY) { report.error(where, "ioc-file", `the copy of ${pyrepr(name)} is ${size} bytes, more than the limit of ${MAX_IOC_COPY}: not read`); continue; }
    const h = nobleSha256.create();
    for await (const c of state.bag.chunks(path)) h.update(c);
    const actual = hex(h.digest());
    if (actual !== digest) report.error(where, "ioc-file", `the copy of the IOC file ${pyrepr(name)} (entry ${n}) has SHA-256 ${actual}, not ${digest}`);
  }
}

async function readPinnedIoc(state, digest) {
  if (!isHex(digest, 32)) return null;
  const path = `${state.dir}/ioc/${digest}.stix2`;
  if (!state.bag.isFile(path) || state.bag.size(path) > MAX_IOC_COPY) return null;
  const data = await state.bag.readBytes(path, MAX_IOC_COPY);
  if (sha256hex(data) !== digest) return null;
  const bad = (problem) => [data.length, "", 0, new Set(), problem];
  const root = parseLoose(data);
  if (root === null) return bad("not JSON");
  if (!isObj(root) || get(root, "type") !== "bundle") return bad("not an object of type bundle");
  const bundleId = get(root, "id", "");
  if (has(root, "id") && !(isStr(bundleId) && bundleId.startsWith("bundle--"))) return bad("the bundle id is not bundle--...");
  const objects = get(root, "objects");
  if (!Array.isArray(objects)) return bad("no objects array");
  let count = 0;
  const patterns = new Set();
  for (let i = 0; i < objects.length; i++) {
    const o = objects[i];
    if (!isObj(o)) return bad(`object ${i} is not a JSON object`);
    const kind = get(o, "type"), id = get(o, "id");
    if (!isStr(kind) || !isStr(id)) return bad(`object ${i} has no string type and id`);
    if (!id.startsWith(`${kind}--`)) return bad(`object ${i}: id does not start with its type`);
    if (kind === "relationship" && !(isStr(get(o, "source_ref")) && isStr(get(o, "target_ref")))) return bad(`object ${i}: a relationship needs source_ref and target_ref`);
    if (kind === "indicator") {
      if (!isStr(get(o, "pattern"))) return bad(`object ${i}: an indicator needs a string pattern`);
      count++;
      patterns.add(JSON.stringify([id, o.pattern]));
    }
  }
  return [data.length, bundleId, count, patterns, null];
}

async function checkIocMatches(state, report) {
  const copies = new Map(), wanted = new Map();
  for (const [, body] of state.iocScans) {
    for (const m of [...body.matches, ...get(body, "mentions", [])]) {
      const ex = state.exhibits.get(m.exhibit);
      if (ex && ex.memberFile !== null && get(m, "member") !== undefined) {
        if (!wanted.has(ex.id)) wanted.set(ex.id, new Set());
        wanted.get(ex.id).add(m.member);
      }
    }
  }
  const inFiles = new Map();
  for (const [id, names] of wanted) {
    const ex = state.exhibits.get(id);
    if (ex.memberFileOk) inFiles.set(id, await memberPathsInFile(state, ex.memberFile, names));
  }
  for (const [n, body] of state.iocScans) {
    const where = `entry ${n}`;
    const records = [...body.matches.map((m, i) => [`match ${i}`, m]), ...get(body, "mentions", []).map((m, i) => [`mention ${i}`, m])];
    for (const [label, match] of records) {
      const ex = state.exhibits.get(match.exhibit);
      if (!ex) continue;
      const member = get(match, "member");
      let paths;
      if (ex.memberFile !== null && !inFiles.has(ex.id)) paths = null;
      else if (ex.memberFile !== null) paths = inFiles.get(ex.id);
      else paths = ex.memberPaths;
      if (ex.kind === "file" && member !== undefined) report.error(where, "ioc-match", `${label} names a member, but ${ex.id} is a file with no members`);
      else if (ex.kind !== "file" && ex.kind !== "ewf" && member === undefined) report.error(where, "ioc-match", `${label} names no member, but ${ex.id} is a ${ex.kind}`);
      else if (member !== undefined && paths !== null && !paths.has(member)) report.error(where, "ioc-match", `${label}: member ${pyrepr(member)} is not a member of ${ex.id} as sealed`);
    }
    for (const record of body.ioc_files) {
      const digest = record.sha256;
      if (!copies.has(digest)) copies.set(digest, await readPinnedIoc(state, digest));
      const pinned = copies.get(digest);
      if (pinned === null) continue;
      const [size, bundleId, indicatorObjects, patterns, problem] = pinned;
      if (problem !== null) { report.error(where, "ioc-match", `the pinned IOC file ${pyrepr(record.file)} (${digest}) is not a STIX bundle: ${problem}`); continue; }
      if (record.size !== size) report.error(where, "ioc-match", `IOC file ${pyrepr(record.file)}: size ${record.size} recorded, the pinned file has ${size} bytes`);
      if (record.indicator_objects !== indicatorObjects) report.error(where, "ioc-match", `IOC file ${pyrepr(record.file)}: indicator_objects ${record.indicator_objects} recorded, the pinned file has ${indicatorObjects}`);
      if (get(record, "bundle", "") !== bundleId) report.error(where, "ioc-match", `IOC file ${pyrepr(record.file)}: bundle ${pyrepr(get(record, "bundle", ""))} recorded, the pinned file's id is ${pyrepr(bundleId)}`);
      for (const [label, match] of records) {
        if (match.ioc_file === digest && !patterns.has(JSON.stringify([match.indicator, match.pattern]))) {
          report.error(where, "ioc-match", `${label}: indicator ${pyrepr(match.indicator)} with pattern ${pyrepr(match.pattern)} is not an indicator of the pinned IOC file ${pyrepr(record.file)}`);
        }
      }
    }
  }
}

const PROOF = t_object({ leaf_index: t_uint, tree_size: t_uint, line: t_str, leaf_hash: t_hex(32), path: t_array(t_hex(32)), root: t_str, checkpoint_file: t_str, checkpoint: t_str }, { exhibit: t_str });

async function checkProof(bag, fileName, state, lines, report, now) {
  const where = `proof ${fileName}`;
  let proof;
  try { proof = parseLoose(await bag.readBytes(fileName, MAX_PROOF)); } catch (e) { if (!e.tooLarge) throw e; report.error(where, "proof", `unreadable: ${e.message}`); return; }
  if (proof === null) { report.error(where, "proof", "unreadable: not JSON"); return; }
  const problems = PROOF(proof, "proof");
  for (const p of problems) report.error(where, "proof", p);
  if (problems.length) return;
  let line;
  try { line = utf8(proof.line); if (/[\ud800-\udfff]/.test(proof.line)) canonicalString(proof.line); } catch (e) { report.error(where, "proof", "unreadable: line is not valid Unicode"); return; }
  if (hex(leafHash(line)) !== proof.leaf_hash) report.error(where, "proof", "leaf_hash is not SHA-256(0x00 || line)");
  const root = b64decodeCanonical(proof.root);
  const path = proof.path.map(fromHex);
  if (root === null || root.length !== 32) report.error(where, "proof", "root is not canonical base64 of 32 bytes");
  else if (!verifyInclusion(proof.leaf_index, proof.tree_size, leafHash(line), path, root)) report.error(where, "proof", "the inclusion proof does not lead to the root (RFC 9162 2.1.3.2)");
  let note = null;
  try { note = parseCheckpoint(utf8(proof.checkpoint)); } catch (e) { report.error(where, "checkpoint-format", e.message); }
  if (note) {
    if (note.size !== proof.tree_size || !bytesEqual(note.root, root)) report.error(where, "proof", "the checkpoint's size or root is not the proof's");
    if (state.origin !== null && note.origin !== state.origin) report.error(where, "checkpoint-origin", `origin ${pyrepr(note.origin)} is not the case's ${pyrepr(state.origin)}`);
    checkNoteSignatures(note, where, [...state.keys.values()], report, now, true);
  }
  let entry;
  try { entry = parseCanonical(line); } catch (e) { if (!(e instanceof NotCanonical)) throw e; report.error(where, "format", `line: ${e.message}`); return; }
  if (!isObj(entry) || ENVELOPE(entry, "entry").length) { report.error(where, "format", "line is not a well-formed entry"); return; }
  if (entry.seq !== proof.leaf_index) report.error(where, "sequence", "the entry's seq is not leaf_index");
  if (has(proof, "exhibit") && (entry.kind !== "seal" || get(entry.body, "exhibit") !== proof.exhibit)) report.error(where, "proof", `the entry is not the seal of exhibit ${proof.exhibit}`);
  if (proof.leaf_index >= lines.length || !bytesEqual(lines[proof.leaf_index], line)) report.error(where, "proof", "line is not the ledger's line at leaf_index");
  const signer = [...state.keys.values()].find((k) => k.keyId === entry.key);
  if (!signer) { report.error(where, "unknown-key", `the entry's key ${entry.key} is not known`); return; }
  const reason = ed25519Verify(signer.publicKey, signedMessage(entry), b64decodeLoose(entry.sig));
  if (reason !== null) report.error(where, "signature", `the entry's signature: ${reason}`);
}

// verify_case.py's verify() for the case at `dir` of the bag, with the proofs given.
async function verifyCase(bag, dir, proofs, progress) {
  const report = new Report("case");
  const state = new CaseState(bag, dir);
  progress("ledger");
  const lines = await readLedger(state, report);
  if (!lines.length) report.warning("ledger.jsonl", "no-entry", "the ledger is empty");
  let previous = null;
  for (let n = 0; n < lines.length; n++) {
    await checkEntry(n, lines[n], previous, state, report);
    previous = lines[n];
    if (n % 200 === 199) { progress("ledger", n + 1, lines.length); await new Promise((r) => setTimeout(r, 0)); }
  }
  await checkCaseFile(state, report);
  await checkIocCopies(state, report);
  await checkIocMatches(state, report);
  const now = Math.floor(Date.now() / 1000);
  const counting = new Map();
  progress("checkpoints");
  const [checkpoints, largest] = await checkCheckpoints(state, lines, report, now, counting);
  progress("timestamps");
  await checkTimestamps(state, counting, lines, report);
  const root = merkleRoots(lines, [lines.length]).get(lines.length);
  for (const p of proofs) await checkProof(bag, p, state, lines, report, now);
  return { report, state, lines, checkpoints, largest, root: b64encode(root) };
}
