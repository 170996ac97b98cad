// The body schemas of every entry kind (FORMAT.md 5 and 6): a port of verify_case.py's small
// schema language. A checker is (value, path) -> list of problem strings.

const LEDGER_FORMAT = 1;
const ZERO_HASH_HEX = "0".repeat(64);
const SPKI_ED25519_PREFIX = fromHex("302a300506032b6570032100");
const EM_DASH = "\u2014";
const MAX_LINE = 64 * 1024 * 1024;
const KEY_NAME_RE = /^[A-Za-z0-9_@-][A-Za-z0-9._@-]{0,63}$/;
const EXHIBIT_RE = /^E-[0-9]{4,}$/;
const CHECKPOINT_FILE_RE = /^([0-9]{12})\.txt$/;
const TSA_NAME_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;
const TIMESTAMP_FILE_RE = /^([0-9]{12})\.([a-z0-9][a-z0-9-]{0,31})\.(tsq|tsr)$/;
const DECIMAL_RE = /^(0|[1-9][0-9]*)$/;
const WHITE_SPACE = new Set(["\t", "\n", "\v", "\f", "\r", " ", "\x85", "\xa0", "\u1680", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]);
for (let c = 0x2000; c <= 0x200a; c++) WHITE_SPACE.add(String.fromCharCode(c));
const HASH_LENGTHS = { sha256: 32, sha512: 64, legacy_md5: 16, legacy_sha1: 20 };
const ROLES = ["expert", "counsel", "examiner", "court", "witness"];
const SEALED = "sealed", IN_TRANSIT = "in-transit", OPENED = "opened", DISPOSED = "disposed";
const COSIGNATURE_HEADER = utf8("cosignature/v1\n");
const COSIGNATURE_SKEW_SECONDS = 300;

const t_str = (v, p) => isStr(v) ? [] : [`${p}: expected a string`];
const t_bool = (v, p) => typeof v === "boolean" ? [] : [`${p}: expected true or false`];
const t_uint = (v, p) => isInt(v) && v >= 0 ? [] : [`${p}: expected a non-negative integer`];
const t_positive = (v, p) => isInt(v) && v >= 1 ? [] : [`${p}: expected an integer >= 1`];
const t_int = (v, p) => isInt(v) ? [] : [`${p}: expected an integer`];
const t_hex = (n) => (v, p) => isHex(v, n) ? [] : [`${p}: expected ${2 * n} lower-case hex digits`];
const t_one_of = (...choices) => (v, p) => choices.includes(v) ? [] : [`${p}: expected one of ${choices.join(", ")}`];
const t_utc_time = (v, p) => isUtcTime(v) ? [] : [`${p}: expected YYYY-MM-DDTHH:MM:SSZ`];
const RFC3339_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt ]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?([Zz]|[+-]([0-9]{2}):([0-9]{2}))$/;
function isRfc3339(v) {
  const m = isStr(v) ? RFC3339_RE.exec(v) : null;
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  if (!validDate(y, mo, d)) return false;
  return h < 24 && mi < 60 && s <= 60 && (m[9] === undefined || (Number(m[9]) < 24 && Number(m[10]) < 60));
}
const t_rfc3339 = (v, p) => isRfc3339(v) ? [] : [`${p}: expected an RFC 3339 time with offset`];
const t_key_name = (v, p) => isStr(v) && KEY_NAME_RE.test(v) ? [] : [`${p}: not a valid key name (1-64 of A-Z a-z 0-9 . _ - @, not starting with .)`];
const t_base64 = (n) => (v, p) => { const raw = b64decodeCanonical(v); return raw !== null && raw.length === n ? [] : [`${p}: expected canonical base64 of ${n} bytes`]; };
const t_array = (item, nonEmpty) => (v, p) => {
  if (!Array.isArray(v)) return [`${p}: expected an array`];
  if (nonEmpty && !v.length) return [`${p}: must be omitted rather than empty`];
  const out = [];
  v.forEach((x, i) => out.push(...item(x, `${p}[${i}]`)));
  return out;
};
const t_object = (required, optional = {}) => (v, p) => {
  if (!isObj(v)) return [`${p}: expected an object`];
  const out = [];
  for (const name of keys(v).sort(codePointCompare)) {
    if (!(name in required) && !(name in optional)) out.push(`${p}: unknown member ${pyrepr(name)}`);
  }
  for (const [name, check] of Object.entries(required)) {
    if (!has(v, name)) out.push(`${p}: missing member ${pyrepr(name)}`);
    else out.push(...check(v[name], `${p}.${name}`));
  }
  for (const [name, check] of Object.entries(optional)) if (has(v, name)) out.push(...check(v[name], `${p}.${name}`));
  return out;
};
const t_object_any = (v, p) => isObj(v) ? [] : [`${p}: expected an object`];
const t_non_empty_str = (v, p) => isStr(v) && v ? [] : [`${p}: expected a non-empty string`];
const t_exhibit_id = (v, p) => isStr(v) && EXHIBIT_RE.test(v) ? [] : [`${p}: expected an exhibit id (E- and four or more digits)`];
const t_hex_or_empty = (n) => (v, p) => v === "" || isHex(v, n) ? [] : [`${p}: expected ${2 * n} lower-case hex digits, or empty`];
function pyKey(v) { return canonicalText(v); }
const t_no_repeats = (item) => { const arr = t_array(item); return (v, p) => {
  const out = arr(v, p);
  if (out.length) return out;
  if (!v.length) return [`${p}: must not be empty`];
  const counts = new Map();
  for (const x of v) counts.set(pyKey(x), (counts.get(pyKey(x)) || 0) + 1);
  const repeated = v.filter((x, i) => counts.get(pyKey(x)) > 1 && v.findIndex((y) => pyKey(y) === pyKey(x)) === i);
  return repeated.map((x) => String(x)).sort().map((x) => `${p}: ${x} is listed more than once`);
}; };
const t_non_empty_array = (item) => { const arr = t_array(item); return (v, p) => {
  const out = arr(v, p);
  if (!out.length && !v.length) out.push(`${p}: must not be empty`);
  return out;
}; };

const ENVELOPE = t_object({ body: t_object_any, format: t_int, key: t_hex(8), kind: t_str, prev: t_hex(32), seq: t_uint, sig: t_base64(64), time: t_utc_time });
const KEY_RECORD = t_object({ id: t_hex(8), name: t_key_name, public_key: t_base64(32) }, { role: t_str, full_name: t_str });
const CASE_OPEN_BODY = t_object({
  case: t_object({ case_id: t_str, title: t_str, origin: t_str, created: t_utc_time },
    { court: t_str, jurisdiction: t_one_of("us", "fr", "es"), lang: t_one_of("en", "fr", "es"), timezone: t_str }),
  admin: KEY_RECORD,
});
const HASHES = t_object({ sha256: t_hex(32) }, { sha512: t_hex(64), legacy_md5: t_hex(16), legacy_sha1: t_hex(20) });
const MEMBER = t_object({ path: t_str, type: t_one_of("file", "dir", "symlink", "hardlink", "other") }, { size: t_uint, hashes: HASHES, link: t_str, mtime: t_int });
const EWF_DIGEST = (n) => t_object({ computed: t_hex(n) }, { stored: t_hex(n), matches: t_bool });
const strMap = (names) => Object.fromEntries(names.map((n) => [n, t_str]));
const EWF_HEADER = t_object({}, strMap(["case_number", "evidence_number", "description", "examiner", "notes", "acquisition_date", "system_date", "software_version", "os", "model", "serial"]));
const EWF_BAD_CHUNK = t_object({ chunk: t_uint, sector: t_uint, sectors: t_uint, segment: t_uint, problem: t_one_of("checksum", "zlib", "size") });
const EWF = t_object({
  format: t_one_of("ewf1"), segments: t_uint, media_size: t_uint, bytes_per_sector: t_uint, sector_count: t_uint,
  chunk_size: t_uint, chunk_count: t_uint, compressed_chunks: t_uint, compression: t_non_empty_str,
  media_type: t_non_empty_str, physical: t_bool, header_source: t_one_of("header2", "header", "none"), header: EWF_HEADER,
  md5: EWF_DIGEST(16), sha1: EWF_DIGEST(20), bad_chunk_count: t_uint,
}, { bad_chunks: t_array(EWF_BAD_CHUNK, true), sha256: EWF_DIGEST(32) });
const MEMBER_FILE = t_object({ bytes: t_positive, count: t_positive, sha256: t_hex(32) });
const ARTIFACT = t_object(
  { kind: t_one_of("file", "directory", "tar", "zip", "ewf"), path_given: t_str, path_resolved: t_str, size: t_uint, hashes: HASHES },
  { compression: t_one_of("gzip"), manifest_sha256: t_hex(32), file_count: t_uint, members: t_array(MEMBER), member_file: MEMBER_FILE, ewf: EWF });
const ITEM = t_object({}, Object.assign(
  strMap(["item_type", "make", "model", "serial", "capacity", "condition", "os_version", "seized_seal_no"]),
  { imei: t_array(t_str, true), iccid: t_array(t_str, true), imsi: t_array(t_str, true), phone_number: t_array(t_str, true) }));
const ACQUISITION = t_object({}, Object.assign(strMap(["method", "tool", "tool_version", "write_blocker", "parameters", "errors", "changes",
  "operator", "operator_role", "organisation", "clock", "location", "authority", "reason", "parent"]), {
  present: t_array(t_str, true), acquired_at: t_rfc3339, source_sha256: t_hex(32), source_hash_matches: t_bool,
  source_sha1: t_hex(20), source_sha1_matches: t_bool, source_md5: t_hex(16), source_md5_matches: t_bool,
}));
const SEAL_BODY = t_object({ exhibit: t_exhibit_id, artifact: ARTIFACT, hashed_by: t_object({ name: t_str, version: t_str }) },
  { seal_no: t_str, description: t_str, item: ITEM, acquisition: ACQUISITION });
const KEY_ENROL_BODY = t_object({ key: t_object({ id: t_hex(8), name: t_key_name, public_key: t_base64(32), role: t_one_of(...ROLES) }, { full_name: t_str }) });
const KEY_REVOKE_BODY = t_object({ key: t_hex(8), reason: t_str });
const KEY_ROTATE_BODY = t_object({ old: t_hex(8), new: KEY_RECORD });
const RECHECK = t_object({ exhibit: t_exhibit_id, path: t_str, sha256: t_hex_or_empty(32), matches: t_bool }, { discrepancies: t_array(t_str, true) });
const RELEASE_BODY = t_object({ exhibits: t_no_repeats(t_exhibit_id), to: t_hex(8), purpose: t_str }, strMap(["packaging", "seal_condition", "location", "authority"]));
const ACCEPT_BODY = t_object({ release: t_uint, received: t_non_empty_array(RECHECK) }, strMap(["seal_condition", "location"]));
const OPEN_BODY = t_object({ exhibit: t_exhibit_id, operations: t_str }, { seal_no: t_str, seal_condition: t_str, present: t_array(t_str, true), location: t_str });
const RESEAL_BODY = t_object({ exhibit: t_exhibit_id, new_seal_no: t_non_empty_str, recheck: RECHECK }, { present: t_array(t_str, true), location: t_str, seal_condition: t_str });
const NOTE_BODY = t_object({ text: t_str }, { exhibit: t_exhibit_id });
const DISPOSE_BODY = t_object({ exhibit: t_exhibit_id, how: t_str, authority: t_str });
const t_tsa_name = (v, p) => isStr(v) && TSA_NAME_RE.test(v) ? [] : [`${p}: expected a TSA name (1-32 of a-z, 0-9 and '-', not starting with '-')`];
const t_tsa_url = (v, p) => (isStr(v) && v.length <= 2048 && [...v].every((c) => c.charCodeAt(0) >= 0x21 && c.charCodeAt(0) <= 0x7e) && /^https?:\/\/[^/]/.test(v))
  ? [] : [`${p}: expected an http:// or https:// URL of at most 2048 printable ASCII bytes`];
function isDerSequence(der) {
  if (der.length < 2 || der[0] !== 0x30) return false;
  const first = der[1];
  if (first < 0x80) return der.length - 2 === first;
  const k = first & 0x7f;
  if (k < 1 || k > 4 || der.length < 2 + k || der[2] === 0) return false;
  let length = 0;
  for (let i = 0; i < k; i++) length = length * 256 + der[2 + i];
  return length >= 0x80 && der.length - 2 - k === length;
}
const t_tsa_ca = (v, p) => {
  if (!Array.isArray(v) || v.length < 1 || v.length > 16) return [`${p}: expected an array of 1 to 16 certificates`];
  const out = [];
  v.forEach((item, i) => {
    const der = b64decodeCanonical(item);
    if (der === null || der.length > 65536 || !isDerSequence(der)) out.push(`${p}[${i}]: expected canonical base64 of one DER certificate of at most 65536 bytes`);
  });
  return out;
};
const TSA_ADD_BODY = t_object({ name: t_tsa_name, url: t_tsa_url, ca: t_tsa_ca });
const t_bare_file_name = (v, p) => isStr(v) && v && !v.includes("/") && !v.includes("\\") ? [] : [`${p}: expected a file name without directory`];
const REPORT_BODY = t_object({
  document: t_one_of("expert-report", "certificate", "seals", "custody"), lang: t_one_of("en", "fr", "es"),
  jurisdiction: t_one_of("us", "fr", "es"), file: t_bare_file_name, sha256: t_hex(32), size: t_uint, pages: t_uint,
  pdfa: t_one_of("1b", "2b", "3b"), exhibits: t_array(t_exhibit_id), ledger_size: t_uint,
}, { bates_first: t_str, bates_last: t_str,
  filing: t_object({ file: t_bare_file_name, sha256: t_hex(32), size: t_uint, pages: t_uint, pdfa: t_one_of("2b") }, {}) });
const EXPORT_BODY = t_object({
  file: t_bare_file_name, sha256: t_hex(32), size: t_uint, format: t_one_of("bagit-tar"),
  exhibits: t_no_repeats(t_exhibit_id), artifacts: t_bool, ledger_size: t_uint,
}, { to: t_non_empty_str, purpose: t_non_empty_str });

const IOC_ON = ["content", "path", "name", "hash", "sqlite", "plist", "json", "log"];
const IOC_LOCATION = { sqlite: [["table", "column"], ["rowid", "key"]], plist: [["key"], []], json: [["key"], ["line"]], log: [["line"], []] };
const IOC_CONTENT_ONLY = ["offset", "excerpt_start", "excerpt"];
const IOC_LOWER_CASE_TYPES = ["domain-name:value", "ipv4-addr:value", "url:value", "email-addr:value", "configuration-profile:id"];
const IOC_DIGEST_TYPE_RE = /^(file:hashes|app:cert)\.[^\n]+$/;
const IOC_EXCERPT_RE = /^[\x20-\x7e]*$/;
const IOC_EXCERPT_SIDE = 32, IOC_MAX_OFFSETS = 16, IOC_MAX_EXAMPLES = 5, MAX_MATCHES_PER_INDICATOR = 100;
const t_ioc_examples = (v, p) => {
  const out = t_array(t_str)(v, p);
  if (!out.length && !(v.length >= 1 && v.length <= IOC_MAX_EXAMPLES)) out.push(`${p}: expected 1 to ${IOC_MAX_EXAMPLES} example indicator ids, not ${v.length}`);
  return out;
};
const IOC_SKIPPED = t_object({ reason: t_str, count: t_positive, examples: t_ioc_examples });
const IOC_FILE = t_object({ file: t_bare_file_name, sha256: t_hex(32), size: t_uint, indicator_objects: t_uint, used: t_uint },
  { bundle: t_str, names_only: t_positive, skipped: t_array(IOC_SKIPPED, true), names: t_array(t_str, true) });
const IOC_OMITTED = t_object({ ioc_file: t_hex(32), indicator: t_str, matches: t_positive });
const IOC_EXHIBIT = t_object({ exhibit: t_exhibit_id, path: t_str, sha256: t_hex(32), files: t_uint, bytes: t_uint, matches: t_uint },
  { omitted: t_array(IOC_OMITTED, true), mentions: t_positive, omitted_mentions: t_array(IOC_OMITTED, true) });
const IOC_LOCATION_SCHEMA = t_object({}, { table: t_str, column: t_str, rowid: t_int, key: t_str, line: t_positive });
const IOC_MATCH = t_object({ ioc_file: t_hex(32), indicator: t_str, pattern: t_str, type: t_str, value: t_str, exhibit: t_exhibit_id,
  on: t_one_of(...IOC_ON), matched: t_str, occurrences: t_positive },
{ indicates: t_array(t_str, true), member: t_str, offset: t_uint, excerpt_start: t_uint, excerpt: t_str, offsets: t_array(t_uint), location: IOC_LOCATION_SCHEMA });
const IOC_SCAN_BODY = t_object({ ioc_files: t_non_empty_array(IOC_FILE), exhibits: t_non_empty_array(IOC_EXHIBIT), matches: t_array(IOC_MATCH),
  scanned_by: t_object({ name: t_str, version: t_str }) }, { mentions: t_array(IOC_MATCH, true) });
const IOC_MATCH_SHAPE = t_object({ ioc_file: t_str, indicator: t_str, pattern: t_str, type: t_str, value: t_str, exhibit: t_str, on: t_str, matched: t_str, occurrences: t_uint },
  { indicates: t_array(t_str), member: t_str, offset: t_uint, excerpt_start: t_uint, excerpt: t_str, offsets: t_array(t_uint), location: t_object_any });
const IOC_SCAN_SHAPE = t_object({
  ioc_files: t_array(t_object({ file: t_str, sha256: t_str, size: t_uint, indicator_objects: t_uint, used: t_uint },
    { bundle: t_str, names_only: t_uint, names: t_array(t_str), skipped: t_array(t_object({ reason: t_str, count: t_uint, examples: t_array(t_str) })) })),
  exhibits: t_array(t_object({ exhibit: t_str, path: t_str, sha256: t_str, files: t_uint, bytes: t_uint, matches: t_uint },
    { omitted: t_array(t_object_any), mentions: t_uint, omitted_mentions: t_array(t_object_any) })),
  matches: t_array(IOC_MATCH_SHAPE), scanned_by: t_object({ name: t_str, version: t_str }),
}, { mentions: t_array(IOC_MATCH_SHAPE) });
const t_reason = (v, p) => isStr(v) && v.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, "") ? [] : [`${p}: expected a reason (not empty, not only spaces, tabs and line breaks)`];
const IOC_REVIEW_BODY = t_object({ scan: t_uint, finding: t_uint, indicator: t_non_empty_str, exhibit: t_str, decision: t_one_of("confirmed", "dismissed"), reason: t_reason },
  { member: t_non_empty_str });

function countBy(list) { const m = new Map(); for (const x of list) m.set(x, (m.get(x) || 0) + 1); return m; }
function repeatedSorted(list) { const c = countBy(list); return [...c.keys()].filter((k) => c.get(k) > 1).sort(); }

function checkIocFile(record, path) {
  const out = [];
  const skipped = get(record, "skipped", []);
  for (const reason of repeatedSorted(skipped.map((s) => s.reason))) out.push(`${path}.skipped: reason ${pyrepr(reason)} is listed more than once (one record per reason)`);
  skipped.forEach((s, i) => { if (s.examples.length > s.count) out.push(`${path}.skipped[${i}]: ${s.examples.length} examples of ${s.count} skipped indicators`); });
  const total = record.used + skipped.reduce((a, s) => a + s.count, 0);
  if (total !== record.indicator_objects) out.push(`${path}: used ${record.used} + skipped ${total - record.used} = ${total}, not indicator_objects ${record.indicator_objects}`);
  if (get(record, "names_only", 0) > record.used) out.push(`${path}: names_only ${record.names_only} is more than used ${record.used}`);
  return out;
}

function checkIocMatch(match, path) {
  const out = [];
  const content = match.on === "content";
  const structured = has(IOC_LOCATION, match.on) && Object.prototype.hasOwnProperty.call(IOC_LOCATION, match.on);
  for (const name of IOC_CONTENT_ONLY) {
    const needed = content || (structured && name === "excerpt");
    if (needed && !has(match, name)) out.push(`${path}: a ${match.on} match needs ${pyrepr(name)}`);
    if (!needed && has(match, name)) out.push(`${path}: a ${match.on} match has no ${pyrepr(name)}`);
  }
  const location = get(match, "location", undefined);
  if (structured !== (location !== undefined)) {
    out.push(`${path}: 'location' is present exactly for sqlite, plist, json and log matches, not on ${pyrepr(match.on)}`);
  } else if (structured) {
    const [required, optional] = IOC_LOCATION[match.on];
    const present = keys(location);
    if (!required.every((r) => present.includes(r)) || present.some((k) => !required.includes(k) && !optional.includes(k))) {
      out.push(`${path}.location: a ${match.on} location has [${required.join(", ")}] (and optionally [${optional.join(", ")}]), not [${present.sort().join(", ")}]`);
    }
    const key = get(location, "key", undefined);
    if (key !== undefined && key !== "" && !key.startsWith("/")) out.push(`${path}.location.key: not a JSON Pointer`);
    if (get(location, "table") === "" || get(location, "column") === "") out.push(`${path}.location: an empty table or column name`);
    const excerpt = get(match, "excerpt", "");
    if (!IOC_EXCERPT_RE.test(match.matched) || !IOC_EXCERPT_RE.test(excerpt) || excerpt.length > match.matched.length + 2 * IOC_EXCERPT_SIDE) {
      out.push(`${path}: a structured match's text and excerpt are printable ASCII, the excerpt at most 32 bytes each side of the text`);
    }
  }
  if (!content && match.occurrences !== 1) out.push(`${path}: a ${match.on} match has occurrences 1, not ${match.occurrences}`);
  if (has(match, "offsets")) {
    const offsets = match.offsets;
    if (!content) out.push(`${path}: a ${match.on} match has no 'offsets' (content only)`);
    else if (match.occurrences < 2) out.push(`${path}: 'offsets' with a single occurrence`);
    else if (offsets.length !== Math.min(match.occurrences, IOC_MAX_OFFSETS)) out.push(`${path}.offsets: ${offsets.length} offsets for ${match.occurrences} occurrences (the first ${IOC_MAX_OFFSETS} are listed)`);
    else if (offsets[0] !== get(match, "offset") || offsets.some((a, i) => i + 1 < offsets.length && a >= offsets[i + 1])) out.push(`${path}.offsets: not the increasing offsets of the occurrences, starting at 'offset'`);
  }
  if (content && !out.length) {
    if (match.excerpt_start > match.offset || match.offset - match.excerpt_start > IOC_EXCERPT_SIDE) out.push(`${path}: excerpt_start ${match.excerpt_start} is not within ${IOC_EXCERPT_SIDE} bytes before offset ${match.offset}`);
    if (!IOC_EXCERPT_RE.test(match.excerpt)) out.push(`${path}.excerpt: a byte outside 0x20-0x7E is not shown as '.'`);
  }
  const kind = match.type;
  if ((IOC_LOWER_CASE_TYPES.includes(kind) || IOC_DIGEST_TYPE_RE.test(kind)) && /[A-Z]/.test(match.value)) out.push(`${path}.value: a ${kind} value is compared in lower case`);
  return out;
}

function checkMatchCaps(body, digests, records, omittedMember, what) {
  const out = [];
  const per = new Map();
  const key3 = (e, f, i) => JSON.stringify([e, f, i]);
  for (const m of records) { const k = key3(m.exhibit, m.ioc_file, m.indicator); per.set(k, (per.get(k) || 0) + 1); }
  for (const k of [...per.keys()].sort()) {
    const [exhibit, , indicator] = JSON.parse(k);
    if (per.get(k) > MAX_MATCHES_PER_INDICATOR) out.push(`indicator ${pyrepr(indicator)} has ${per.get(k)} ${what} records in exhibit ${exhibit}, more than ${MAX_MATCHES_PER_INDICATOR}`);
  }
  body.exhibits.forEach((record, i) => {
    const omitted = get(record, omittedMember, []);
    const where = `body.exhibits[${i}].${omittedMember}`;
    const ks = omitted.map((o) => [o.ioc_file, o.indicator]);
    const cmp = (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
    if (ks.some((a, j) => j + 1 < ks.length && cmp(a, ks[j + 1]) >= 0)) out.push(`${where} is not sorted by IOC file and indicator without repeats`);
    for (const o of omitted) {
      if (!digests.includes(o.ioc_file)) out.push(`${where}: IOC file ${o.ioc_file} is none of ioc_files`);
      const kept = per.get(key3(record.exhibit, o.ioc_file, o.indicator)) || 0;
      if (kept !== MAX_MATCHES_PER_INDICATOR) out.push(`${where}: ${what} records of ${pyrepr(o.indicator)} were omitted, but ${kept} are recorded, not ${MAX_MATCHES_PER_INDICATOR}`);
    }
  });
  return out;
}

function checkIocScanBody(body) {
  let out = IOC_SCAN_BODY(body, "body");
  if (out.length) return out;
  const digests = body.ioc_files.map((f) => f.sha256);
  for (const d of repeatedSorted(digests)) out.push(`body.ioc_files: sha256 ${d} is listed more than once`);
  body.ioc_files.forEach((r, i) => out.push(...checkIocFile(r, `body.ioc_files[${i}]`)));
  const scanned = body.exhibits.map((e) => e.exhibit);
  for (const e of repeatedSorted(scanned)) out.push(`body.exhibits: ${e} is scanned more than once`);
  const mentions = get(body, "mentions", []);
  for (const [what, records] of [["matches", body.matches], ["mentions", mentions]]) {
    records.forEach((match, i) => {
      const path = `body.${what}[${i}]`;
      if (!digests.includes(match.ioc_file)) out.push(`${path}.ioc_file ${match.ioc_file} is the sha256 of none of ioc_files`);
      if (!scanned.includes(match.exhibit)) out.push(`${path}.exhibit ${match.exhibit} is none of the exhibits scanned`);
      if (what === "mentions" && match.on !== "content") out.push(`${path}.on: a mention is a content hit, not ${pyrepr(match.on)}`);
      out.push(...checkIocMatch(match, path));
    });
  }
  body.exhibits.forEach((record, i) => {
    let count = body.matches.filter((m) => m.exhibit === record.exhibit).length;
    if (record.matches !== count) out.push(`body.exhibits[${i}].matches is ${record.matches}, but ${count} match records name ${record.exhibit}`);
    count = mentions.filter((m) => m.exhibit === record.exhibit).length;
    if (get(record, "mentions", 0) !== count) out.push(`body.exhibits[${i}].mentions is ${get(record, "mentions", 0)}, but ${count} mention records name ${record.exhibit}`);
  });
  out.push(...checkMatchCaps(body, digests, body.matches, "omitted", "match"));
  out.push(...checkMatchCaps(body, digests, mentions, "omitted_mentions", "mention"));
  return out;
}

function checkRecheck(recheck, path) {
  if (recheck.matches && has(recheck, "discrepancies")) return [`${path}: a matching re-check has no 'discrepancies'`];
  if (!recheck.matches && !has(recheck, "discrepancies")) return [`${path}: a re-check that does not match lists its 'discrepancies'`];
  return [];
}

function manifestLine(m) {
  const path = m.path, digest = m.hashes.sha256;
  if (path.includes("\\") || path.includes("\n") || path.includes("\r")) {
    return `\\${digest}  ${path.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r")}\n`;
  }
  return `${digest}  ${path}\n`;
}

function checkZipMember(where, m) {
  const mtype = m.type, path = m.path;
  if (!["file", "dir", "symlink"].includes(mtype)) return [`${where}: a zip member is a file, dir or symlink, not a ${mtype}`];
  if ((mtype === "dir") !== path.endsWith("/")) return [`${where}: a zip member's path ends with '/' exactly when it is a dir`];
  const body = mtype === "dir" ? path.slice(0, -1) : path;
  if (path.startsWith("/") || path.includes("\\") || path.includes("\0") || body.split("/").some((p) => p === "" || p === "." || p === "..")) {
    return [`${where}: zip member path ${pyrepr(path)} is not a clean relative path`];
  }
  return [];
}

function checkEwf(artifact) {
  const out = [];
  const e = artifact.ewf, members = artifact.members;
  if (has(artifact, "compression")) out.push("body.artifact: an ewf image has no 'compression' (see ewf.compression)");
  members.forEach((m, i) => {
    if (m.type !== "file" || has(m, "mtime") || m.path.includes("/") || !m.path) out.push(`body.artifact.members[${i}]: a segment is a file named without a folder, with no mtime`);
  });
  const paths = members.map((m) => m.path);
  if (!members.length || new Set(paths).size !== paths.length) out.push("body.artifact.members: segment files are listed once each, at least one");
  if (e.segments !== members.length) out.push("body.artifact.ewf.segments is not the number of segment files");
  const bps = e.bytes_per_sector, chunk = e.chunk_size;
  if (bps === 0 || chunk === 0 || chunk % bps) out.push("body.artifact.ewf: a chunk is a whole number of sectors");
  else if (e.sector_count * bps !== e.media_size || artifact.size !== e.media_size) out.push("body.artifact.size and ewf.media_size are sector_count x bytes_per_sector");
  else {
    const d = e.chunk_count - Math.ceil(e.media_size / chunk);
    if (!(d >= 0 && d <= 1) || e.compressed_chunks > e.chunk_count) out.push("body.artifact.ewf.chunk_count does not hold the media (or one chunk more), or compressed_chunks exceeds it");
  }
  const bad = get(e, "bad_chunks", []);
  if (bad.length !== Math.min(e.bad_chunk_count, 1000)) out.push("body.artifact.ewf.bad_chunks lists the first 1000 of bad_chunk_count");
  const chunks = bad.map((b) => b.chunk);
  if (chunks.some((a, i) => i + 1 < chunks.length && a >= chunks[i + 1])) out.push("body.artifact.ewf.bad_chunks are in chunk order, once each");
  for (const b of bad) if (b.chunk >= e.chunk_count || !(b.segment >= 1 && b.segment <= e.segments)) out.push(`body.artifact.ewf.bad_chunks: chunk ${b.chunk} is not a chunk of the image`);
  if (e.header_source === "none" && keys(e.header).length) out.push("body.artifact.ewf.header is empty without a header section");
  const dateRe = e.header_source === "header2" ? /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/ : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
  for (const name of ["acquisition_date", "system_date"]) if (has(e.header, name) && !dateRe.test(e.header[name])) out.push(`body.artifact.ewf.header.${name} is not the form its header section gives`);
  for (const [name, legacy] of [["md5", "legacy_md5"], ["sha1", "legacy_sha1"]]) {
    const d = e[name];
    if (has(d, "matches") !== has(d, "stored") || (has(d, "stored") && d.matches !== (d.stored === d.computed))) out.push(`body.artifact.ewf.${name}.matches contradicts stored and computed`);
    if (get(artifact.hashes, legacy) !== d.computed) out.push(`body.artifact.ewf.${name}.computed is not the media's hashes.${legacy}`);
  }
  if (has(e, "sha256")) {
    const d = e.sha256;
    if (!has(d, "stored") || get(d, "matches") !== (d.stored === d.computed) || d.computed !== artifact.hashes.sha256) {
      out.push("body.artifact.ewf.sha256: recorded only when stored, matches is stored == computed, computed is the media's sha256");
    }
  }
  return out;
}

// verify_case.py MemberRules: 6.4's rules over a seal's members, one member at a time.
class MemberRules {
  constructor(artifact, label = null, schema = false, limit = null) {
    Object.assign(this, { artifact, kind: artifact.kind, label, schema, limit, problems: [], more: 0, broken: false,
      count: 0, files: 0, size: 0, previous: null, unsorted: false, zipKeys: new Set(), zipTwice: false, manifest: nobleSha256.create() });
  }
  where(i) { return this.label === null ? `body.artifact.members[${i}]` : `${this.label} line ${i + 1}`; }
  get whereAll() { return this.label === null ? "body.artifact.members" : this.label; }
  fail(message) {
    this.broken = true;
    if (this.limit !== null && this.problems.length >= this.limit) this.more++;
    else this.problems.push(message);
  }
  add(m) {
    const i = this.count++;
    const where = this.where(i);
    if (this.schema) {
      const problems = MEMBER(m, "member");
      if (problems.length) { for (const p of problems) this.fail(`${where}: not a member (${p})`); return; }
    }
    const mtype = m.type, path = m.path;
    const expect = { size: mtype === "file", hashes: mtype === "file", link: mtype === "symlink" || mtype === "hardlink" };
    for (const [name, wanted] of Object.entries(expect)) {
      if (wanted && !has(m, name)) this.fail(`${where}: a ${mtype} member needs ${pyrepr(name)}`);
      if (!wanted && has(m, name)) this.fail(`${where}: a ${mtype} member has no ${pyrepr(name)}`);
    }
    if (this.kind === "directory") {
      if (has(m, "mtime")) this.fail(`${where}: directory members carry no 'mtime'`);
      if (path.startsWith("/") || path.split("/").some((p) => p === "" || p === "." || p === "..")) this.fail(`${where}: path ${pyrepr(path)} is not a clean relative path`);
      const key = utf8(path);
      if (this.previous !== null && compareBytes(this.previous, key) >= 0 && !this.unsorted) {
        this.unsorted = true;
        this.fail(`${this.whereAll}: not sorted by the bytes of path (from ${this.label === null ? "member" : "line"} ${this.label === null ? i : i + 1})`);
      }
      this.previous = key;
    }
    if (this.kind === "zip") {
      for (const p of checkZipMember(where, m)) this.fail(p);
      const key = mtype === "dir" ? path.slice(0, -1) : path;
      if (this.zipKeys.has(key) && !this.zipTwice) { this.zipTwice = true; this.fail(`${this.whereAll}: two zip members of one path (${pyrepr(key)})`); }
      this.zipKeys.add(key);
    }
    if (mtype === "file" && has(m, "hashes") && has(m, "size")) {
      this.files++;
      this.size += m.size;
      this.manifest.update(utf8(manifestLine(m)));
    }
  }
  finish(totals = true) {
    const out = [...this.problems];
    if (this.more) out.push(`${this.whereAll}: ${this.more} more problems not shown`);
    if (this.broken || !totals) return out;
    const a = this.artifact;
    const holds = this.label === null ? "there are" : `${this.label} holds`;
    if (a.file_count !== this.files) out.push(`body.artifact.file_count is ${a.file_count}, but ${holds} ${this.files} file members`);
    if (this.kind === "directory" && a.size !== this.size) out.push(`body.artifact.size is ${a.size}, but the file members' sizes${this.label === null ? "" : " in " + this.label} sum to ${this.size}`);
    if (hex(this.manifest.digest()) !== a.manifest_sha256) out.push("body.artifact.manifest_sha256 is not SHA-256 of the manifest rebuilt from the members" + (this.label === null ? "" : ` of ${this.label}`));
    return out;
  }
}
function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function checkArtifact(artifact) {
  const out = [];
  const kind = artifact.kind;
  if (has(artifact, "ewf") !== (kind === "ewf")) return ["body.artifact: an 'ewf' object goes with an ewf artifact, and only with one"];
  if (kind === "file") {
    for (const name of ["manifest_sha256", "file_count", "members", "member_file", "compression"]) if (has(artifact, name)) out.push(`body.artifact: a file has no ${pyrepr(name)}`);
    return out;
  }
  for (const name of ["manifest_sha256", "file_count"]) if (!has(artifact, name)) out.push(`body.artifact: a ${kind} needs ${pyrepr(name)}`);
  if (kind === "ewf") {
    if (has(artifact, "member_file")) out.push("body.artifact: an ewf has 'members', never 'member_file'");
    else if (!has(artifact, "members")) out.push("body.artifact: an ewf needs 'members'");
  } else if (has(artifact, "members") && has(artifact, "member_file")) out.push(`body.artifact: a ${kind} has 'members' or 'member_file', not both`);
  else if (!has(artifact, "members") && !has(artifact, "member_file")) out.push(`body.artifact: a ${kind} needs 'members' or 'member_file'`);
  if (out.length) return out;
  if (kind === "directory") {
    if (has(artifact, "compression")) out.push("body.artifact: a directory has no 'compression'");
    const hk = keys(artifact.hashes);
    if (hk.length !== 1 || hk[0] !== "sha256") out.push("body.artifact.hashes: a directory has sha256 only");
    if (artifact.hashes.sha256 !== artifact.manifest_sha256) out.push("body.artifact.hashes.sha256 differs from manifest_sha256");
  }
  if (kind === "zip" && has(artifact, "compression")) out.push("body.artifact: a zip has no 'compression'");
  if (kind === "ewf") out.push(...checkEwf(artifact));
  if (has(artifact, "members")) {
    const rules = new MemberRules(artifact);
    for (const m of artifact.members) rules.add(m);
    out.push(...rules.finish(!out.length));
  }
  return out;
}

const SOURCE_HASHES = [["SHA-256", "source_sha256", "source_hash_matches", "sha256"], ["SHA-1", "source_sha1", "source_sha1_matches", "legacy_sha1"], ["MD5", "source_md5", "source_md5_matches", "legacy_md5"]];
function checkAcquisition(acq, artifact) {
  const out = [];
  for (const [, source, flag, digest] of SOURCE_HASHES) {
    const hs = has(acq, source), hm = has(acq, flag);
    if (hm && !hs) out.push(`body.acquisition: ${flag} without ${source}`);
    else if (hs && !hm) out.push(`body.acquisition: ${source} without ${flag}`);
    else if (hs && !has(artifact.hashes, digest)) out.push(`body.acquisition.${source}: no artifact.hashes.${digest} to compare it with`);
    else if (hs && acq[flag] !== (acq[source] === artifact.hashes[digest])) out.push(`body.acquisition.${flag} contradicts the hashes`);
  }
  return out;
}
function sourceHashMismatches(body) {
  const acq = get(body, "acquisition", Object.create(null)), hashes = body.artifact.hashes;
  return SOURCE_HASHES.filter(([, source, , digest]) => has(acq, source) && acq[source] !== hashes[digest]).map(([name, source, , digest]) => [name, acq[source], hashes[digest]]);
}
function checkSealBody(body) {
  let out = SEAL_BODY(body, "body");
  if (!out.length) out = checkArtifact(body.artifact);
  if (!out.length && has(body, "acquisition")) out = checkAcquisition(body.acquisition, body.artifact);
  return out;
}
function memberFileCheckable(body) {
  const artifact = isObj(body) ? get(body, "artifact") : undefined;
  return isObj(artifact) && has(artifact, "member_file") && !ARTIFACT(artifact, "body.artifact").length && !checkArtifact(artifact).length;
}
function checkAcceptBody(body) {
  const out = ACCEPT_BODY(body, "body");
  if (!out.length) body.received.forEach((r, i) => out.push(...checkRecheck(r, `body.received[${i}]`)));
  return out;
}
function checkResealBody(body) {
  let out = RESEAL_BODY(body, "body");
  if (!out.length) {
    out = checkRecheck(body.recheck, "body.recheck");
    if (body.recheck.exhibit !== body.exhibit) out.push(`body.recheck.exhibit ${body.recheck.exhibit} is not the exhibit re-sealed, ${body.exhibit}`);
  }
  return out;
}
const BODY_CHECKERS = {
  "case.open": (b) => CASE_OPEN_BODY(b, "body"), seal: checkSealBody, "key.enrol": (b) => KEY_ENROL_BODY(b, "body"),
  "key.revoke": (b) => KEY_REVOKE_BODY(b, "body"), "key.rotate": (b) => KEY_ROTATE_BODY(b, "body"), release: (b) => RELEASE_BODY(b, "body"),
  accept: checkAcceptBody, open: (b) => OPEN_BODY(b, "body"), reseal: checkResealBody, note: (b) => NOTE_BODY(b, "body"),
  dispose: (b) => DISPOSE_BODY(b, "body"), report: (b) => REPORT_BODY(b, "body"), export: (b) => EXPORT_BODY(b, "body"),
  "ioc.scan": checkIocScanBody, "tsa.add": (b) => TSA_ADD_BODY(b, "body"), "ioc.review": (b) => IOC_REVIEW_BODY(b, "body"),
};
