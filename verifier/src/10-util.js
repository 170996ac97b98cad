// Encodings (FORMAT.md section 2), hashing, and a strict JSON parser with the canonical
// (RFC 8785) serialiser: a port of verify_case.py's parse_canonical / canonical_bytes.

const { sha256: nobleSha256, ed25519: nobleEd } = globalThis.noble;
const UTF8 = new TextEncoder();
const UTF8_STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const UTF8_LENIENT = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

function utf8(text) { return UTF8.encode(text); }
// Strict UTF-8, or null (python's bytes.decode("utf-8") raising).
function decodeUtf8(bytes) {
  try { return UTF8_STRICT.decode(bytes); } catch (e) { return null; }
}
function decodeLenient(bytes) { return UTF8_LENIENT.decode(bytes); }

function hex(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return s;
}
function fromHex(text) {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
  return out;
}
function concat(...parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
function bytesEqual(a, b) {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
function sha256(bytes) { return nobleSha256(bytes); }
function sha256hex(bytes) { return hex(nobleSha256(bytes)); }

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
function b64encode(bytes) {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i], b = bytes[i + 1], c = bytes[i + 2];
    out += B64[a >> 2] + B64[((a & 3) << 4) | ((b || 0) >> 4)];
    out += i + 1 < bytes.length ? B64[((b & 15) << 2) | ((c || 0) >> 6)] : "=";
    out += i + 2 < bytes.length ? B64[c & 63] : "=";
  }
  return out;
}
// python base64.b64decode(value, validate=True): the alphabet, correct padding; null otherwise.
function b64decodeLoose(value) {
  if (typeof value !== "string" || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return null;
  const pad = value.endsWith("==") ? 2 : value.endsWith("=") ? 1 : 0;
  const n = (value.length / 4) * 3 - pad;
  const out = new Uint8Array(n);
  let bits = 0, acc = 0, j = 0;
  for (let i = 0; i < value.length - pad; i++) {
    acc = (acc << 6) | B64.indexOf(value[i]);
    bits += 6;
    if (bits >= 8) { bits -= 8; if (j < n) out[j++] = (acc >> bits) & 0xff; }
    acc &= 0xffff;
  }
  return out;
}
// Section 2: canonical base64 only (re-encoding gives the text back exactly).
function b64decodeCanonical(value) {
  const raw = b64decodeLoose(value);
  if (raw === null || b64encode(raw) !== value) return null;
  return raw;
}

const HEX_LOWER_RE = /^[0-9a-f]*$/;
function isHex(value, nbytes) {
  return typeof value === "string" && value.length === 2 * nbytes && HEX_LOWER_RE.test(value);
}

const UTC_TIME_RE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z$/;
function validDate(y, m, d) {
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  const days = [31, (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return d <= days[m - 1];
}
function isUtcTime(value) {
  const m = typeof value === "string" ? UTC_TIME_RE.exec(value) : null;
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  return validDate(y, mo, d) && h < 24 && mi < 60 && s < 60;
}
function utcSeconds(value) {
  const m = UTC_TIME_RE.exec(value);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}
function formatTimestamp(seconds) {
  const ms = Number(seconds) * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return `${seconds} s since 1970`;
  const d = new Date(ms);
  if (d.getUTCFullYear() < 1 || d.getUTCFullYear() > 9999) return `${seconds} s since 1970`;
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// --- Values as python's json gives them -------------------------------------------------------
// Objects are null-prototype objects (a member named __proto__ is an ordinary member); a float
// (only in the lenient parse) is a JFloat, which no type check accepts as an integer.
class JFloat { constructor(text) { this.text = text; this.value = Number(text); } }
function isObj(v) { return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof JFloat); }
function isInt(v) { return typeof v === "number" && Number.isInteger(v); }
function isStr(v) { return typeof v === "string"; }
function has(o, k) { return isObj(o) && Object.prototype.hasOwnProperty.call(o, k); }
function get(o, k, dflt) { return has(o, k) ? o[k] : dflt; }
function keys(o) { return Object.keys(o); }
function deepEqual(a, b) {
  if (a === b) return true;
  if (a instanceof JFloat && b instanceof JFloat) return a.value === b.value;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const ka = keys(a), kb = keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => has(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
// python repr of a value, for messages.
function pyrepr(v) {
  if (v === undefined || v === null) return "None";
  if (typeof v === "string") return "'" + v.replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'";
  if (v === true) return "True";
  if (v === false) return "False";
  if (v instanceof JFloat) return v.text;
  if (Array.isArray(v)) return "[" + v.map(pyrepr).join(", ") + "]";
  if (isObj(v)) return "{" + keys(v).map((k) => pyrepr(k) + ": " + pyrepr(v[k])).join(", ") + "}";
  return String(v);
}

class NotCanonical extends Error {}
const MAX_SAFE = 9007199254740991;
const MAX_DEPTH = 900; // python's json recursion limit is about 1000 levels

// A JSON parser. strict: duplicate names, non-ASCII names, floats, NaN/Infinity and integers
// beyond 2^53-1 are NotCanonical (verify_case.py's hooks); lenient: as python's json.loads
// (duplicates: the last wins; floats kept as JFloat).
function parseJson(text, strict) {
  let i = 0;
  const n = text.length;
  const fail = (what) => { throw new NotCanonical(strict ? what : "not JSON: " + what); };
  const ws = () => { while (i < n) { const c = text.charCodeAt(i); if (c === 32 || c === 9 || c === 10 || c === 13) i++; else break; } };
  const value = (depth) => {
    if (depth > MAX_DEPTH) fail("not JSON (nested too deeply)");
    ws();
    if (i >= n) fail("not JSON (unexpected end)");
    const c = text[i];
    if (c === "{") {
      i++;
      const obj = Object.create(null);
      const seen = new Set();
      ws();
      if (text[i] === "}") { i++; return obj; }
      for (;;) {
        ws();
        if (text[i] !== "\"") fail(`not JSON (expected a member name at ${i})`);
        const name = string();
        if (strict) {
          if (seen.has(name)) throw new NotCanonical("duplicate member name");
          if (!/^[\x00-\x7f]*$/.test(name)) throw new NotCanonical(`non-ASCII member name ${pyrepr(name)}`);
        }
        seen.add(name);
        ws();
        if (text[i] !== ":") fail(`not JSON (expected ':' at ${i})`);
        i++;
        obj[name] = value(depth + 1);
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; return obj; }
        fail(`not JSON (expected ',' or '}' at ${i})`);
      }
    }
    if (c === "[") {
      i++;
      const arr = [];
      ws();
      if (text[i] === "]") { i++; return arr; }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; return arr; }
        fail(`not JSON (expected ',' or ']' at ${i})`);
      }
    }
    if (c === "\"") return string();
    if (text.startsWith("true", i)) { i += 4; return true; }
    if (text.startsWith("false", i)) { i += 5; return false; }
    if (text.startsWith("null", i)) { i += 4; return null; }
    for (const k of ["NaN", "Infinity", "-Infinity"]) {
      if (text.startsWith(k, i)) {
        if (strict) throw new NotCanonical(`${k} is not JSON`);
        i += k.length; return new JFloat(k);
      }
    }
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === "" || m[0] === "-") fail(`not JSON (unexpected character at ${i})`);
    i += m[0].length;
    if (m[2] !== undefined || m[3] !== undefined) {
      if (strict) throw new NotCanonical(`number ${m[0]} is not an integer (the format has no floats)`);
      return new JFloat(m[0]);
    }
    if (strict && m[0].replace("-", "").length >= 16 && BigInt(m[0].replace("-", "")) > BigInt(MAX_SAFE)) {
      throw new NotCanonical(`integer ${m[0]} exceeds 2^53-1`);
    }
    return Number(m[0]);
  };
  const string = () => {
    i++; // the opening quote
    let out = "";
    let start = i;
    for (;;) {
      if (i >= n) fail("not JSON (unterminated string)");
      const code = text.charCodeAt(i);
      if (code === 34) { out += text.slice(start, i); i++; return out; }
      if (code < 0x20) fail(`not JSON (invalid control character at ${i})`);
      if (code === 92) {
        out += text.slice(start, i);
        const e = text[i + 1];
        const simple = { "\"": "\"", "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e in simple) { out += simple[e]; i += 2; }
        else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.substr(i + 2, 4))) {
          out += String.fromCharCode(parseInt(text.substr(i + 2, 4), 16)); i += 6;
        } else fail(`not JSON (invalid escape at ${i})`);
        start = i;
        continue;
      }
      i++;
    }
  };
  const v = value(0);
  ws();
  if (i !== n) fail(`not JSON (extra data at ${i})`);
  return v;
}

// RFC 8785 for the format's values (json.dumps(ensure_ascii=False, separators, sort_keys)).
function canonicalText(v) {
  if (v === null) return "null";
  if (v === true) return "true";
  if (v === false) return "false";
  if (typeof v === "number") return String(v);
  if (v instanceof JFloat) return v.text;
  if (typeof v === "string") return canonicalString(v);
  if (Array.isArray(v)) return "[" + v.map(canonicalText).join(",") + "]";
  const names = keys(v).sort(codePointCompare);
  return "{" + names.map((k) => canonicalString(k) + ":" + canonicalText(v[k])).join(",") + "}";
}
function codePointCompare(a, b) {
  // python sorts str by code point
  const ia = Array.from(a), ib = Array.from(b);
  for (let k = 0; k < Math.min(ia.length, ib.length); k++) {
    const x = ia[k].codePointAt(0), y = ib[k].codePointAt(0);
    if (x !== y) return x - y;
  }
  return ia.length - ib.length;
}
function canonicalString(s) {
  let out = "\"";
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(k + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) throw new NotCanonical("string is not valid Unicode");
      out += s[k] + s[k + 1]; k++; continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) throw new NotCanonical("string is not valid Unicode");
    if (c === 34) out += "\\\"";
    else if (c === 92) out += "\\\\";
    else if (c === 10) out += "\\n";
    else if (c === 13) out += "\\r";
    else if (c === 9) out += "\\t";
    else if (c === 8) out += "\\b";
    else if (c === 12) out += "\\f";
    else if (c < 0x20) out += "\\u00" + (c < 16 ? "0" : "") + c.toString(16);
    else out += s[k];
  }
  return out + "\"";
}
function canonicalBytes(v) { return utf8(canonicalText(v)); }

// verify_case.py parse_canonical: strict UTF-8, strict JSON, re-serialised byte for byte.
function parseCanonical(data) {
  const text = decodeUtf8(data);
  if (text === null) throw new NotCanonical("not valid UTF-8");
  const value = parseJson(text, true);
  const canon = canonicalBytes(value);
  if (!bytesEqual(canon, data)) {
    let at = 0;
    while (at < canon.length && at < data.length && canon[at] === data[at]) at++;
    throw new NotCanonical(`not in canonical form (first difference at byte ${at})`);
  }
  return value;
}
// python json.loads(bytes.decode("utf-8")) (strict UTF-8, lenient JSON), or null.
function parseLoose(data) {
  const text = decodeUtf8(data);
  if (text === null) return null;
  try { return parseJson(text, false); } catch (e) { return null; }
}
function signedMessage(entry) {
  const copy = Object.create(null);
  for (const k of keys(entry)) if (k !== "sig") copy[k] = entry[k];
  return canonicalBytes(copy);
}

// --- Ed25519, strict (FORMAT.md 5.2): the checks verify_case.py makes before openssl -----------
const ED_L = (1n << 252n) + 27742317777372353535851937790883648493n;
function pointOk(encoded) {
  try {
    const p = nobleEd.Point.fromBytes(encoded, false); // canonical y < p, no "negative zero" x
    return !p.isSmallOrder();
  } catch (e) { return false; }
}
function leToBigInt(bytes) {
  let v = 0n;
  for (let k = bytes.length - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[k]);
  return v;
}
// null when the signature verifies, else the reason (the python verifiers' wording).
function ed25519Verify(publicKey, message, signature) {
  if (!publicKey || !signature || publicKey.length !== 32 || signature.length !== 64) return "wrong length of key or signature";
  if (!pointOk(publicKey)) return "public key is not a valid point of large order";
  if (!pointOk(signature.subarray(0, 32))) return "signature R is not a valid point of large order";
  if (leToBigInt(signature.subarray(32)) >= ED_L) return "signature S is not canonical (S >= L)";
  let ok = false;
  try { ok = nobleEd.verify(signature, message, publicKey, { zip215: false }); } catch (e) { ok = false; }
  return ok ? null : "Ed25519 signature does not verify";
}

function keyIdOf(publicKey) { return sha256hex(publicKey).slice(0, 16); }

// Values from the bundle shown in text: control and bidirectional characters made visible
// (verify_case.py's shown()); the page only ever sets textContent, never HTML.
function shown(value) {
  let out = "";
  for (const ch of String(value)) {
    const o = ch.codePointAt(0);
    const bidi = o === 0x61c || o === 0x200e || o === 0x200f || (o >= 0x202a && o <= 0x202e) || (o >= 0x2066 && o <= 0x2069);
    if (o < 0x20 || (o >= 0x7f && o <= 0x9f) || bidi || (o >= 0xd800 && o <= 0xdfff)) {
      out += o === 10 ? "\\n" : o === 13 ? "\\r" : o === 9 ? "\\t" : o < 0x100 ? "\\x" + o.toString(16).padStart(2, "0") : "\\u{" + o.toString(16).padStart(4, "0") + "}";
    } else out += ch;
  }
  return out;
}
