// Reading the bundle tar in place, from the File (Blob.slice): nothing is extracted, nothing
// leaves the page. A port of verify_bundle.py's tar_headers (GNU tar's reading, every header
// alias refused) and safe_extract (regular files and directories only, safe paths, limits).

const MAX_MEMBERS = 100000;
const MAX_MEMBER_SIZE = 2 ** 40; // 1 TiB
const MAX_TOTAL_SIZE = 4 * 2 ** 40; // 4 TiB
const MAX_PATH_LEN = 4096;
const PAX_BUDGET = 1 << 20;
const READ_CHUNK = 4 << 20;

class Unsafe extends Error {}

// Reads a Blob at offsets through a cache of one window (the tar is walked in order).
class BlobReader {
  constructor(blob) { this.blob = blob; this.size = blob.size; this.winStart = 0; this.win = new Uint8Array(0); }
  async read(pos, len) {
    if (pos >= this.winStart && pos + len <= this.winStart + this.win.length) {
      return this.win.subarray(pos - this.winStart, pos - this.winStart + len);
    }
    if (len > (1 << 20)) {
      return new Uint8Array(await this.blob.slice(pos, Math.min(this.size, pos + len)).arrayBuffer());
    }
    const end = Math.min(this.size, pos + Math.max(len, 1 << 20));
    this.winStart = pos;
    this.win = new Uint8Array(await this.blob.slice(pos, end).arrayBuffer());
    return this.win.subarray(0, Math.min(len, this.win.length));
  }
}

function latin(bytes) { let s = ""; for (const b of bytes) s += String.fromCharCode(b); return s; }
function cutNul(bytes) { const k = bytes.indexOf(0); return k < 0 ? bytes : bytes.subarray(0, k); }
function bytesRepr(bytes) { return "b'" + shown(latin(bytes.subarray(0, 80))) + "'"; }
function isAllZero(bytes) { for (const b of bytes) if (b) return false; return true; }

function tarNumber(field, what) {
  if (field[0] & 0x80) {
    if (field[0] !== 0x80 || !isAllZero(field.subarray(1, field.length - 8))) throw new Unsafe(`a header ${what} in base-256 out of range`);
    let v = 0;
    for (const b of field.subarray(field.length - 8)) v = v * 256 + b;
    return v;
  }
  const text = latin(cutNul(field)).replace(/^ +| +$/g, "");
  if (!text || !/^[0-7]+$/.test(text)) throw new Unsafe(`a damaged header ${what} field`);
  return parseInt(text, 8);
}

function paxRecords(data) {
  const out = new Map();
  let rest = data;
  const malformed = "a malformed PAX record (GNU tar stops there, other readers skip it)";
  while (rest.length) {
    const sp = rest.indexOf(32);
    const head = latin(rest.subarray(0, Math.max(sp, 0)));
    if (sp <= 0 || !/^[0-9]+$/.test(head) || head.length > 19) throw new Unsafe(malformed);
    const n = Number(head);
    if (n <= sp + 1 || n > rest.length || rest[n - 1] !== 10 || rest.subarray(sp + 1, n).indexOf(61) < 0) throw new Unsafe(malformed);
    const rec = rest.subarray(sp + 1, n - 1);
    const eq = rec.indexOf(61);
    let key = latin(rec.subarray(0, eq));
    let value = rec.subarray(eq + 1);
    rest = rest.subarray(n);
    if (key === "path" || key === "linkpath") {
      if (value.indexOf(0) >= 0) throw new Unsafe(`a PAX ${key} with a NUL (GNU tar cuts it there)`);
      value = latin(value);
    } else if (key === "size") {
      const t = latin(value);
      if (!/^[0-9]+$/.test(t) || t.length > 19 || BigInt(t) >= (1n << 63n)) throw new Unsafe("a PAX size that is not a decimal number");
      value = Number(t);
    } else if (key.startsWith("GNU.sparse.")) { key = "sparse"; value = true; }
    else continue;
    if (out.has(key) && out.get(key) !== value) throw new Unsafe(`a PAX ${key} given twice with two values (GNU tar takes the last, other readers the first)`);
    out.set(key, value);
  }
  return out;
}

const TAR_MAGICS = ["ustar\x0000", "ustar  \x00"];

// The members as GNU tar resolves them: [{name (latin-1 string of the bytes), type, size, data}]
async function tarHeaders(reader) {
  const out = [];
  const end = reader.size;
  let pos = 0;
  let ext = new Map();
  for (;;) {
    const h = pos < end ? await reader.read(pos, 512) : new Uint8Array(0);
    if (h.length === 0 || (h.length === 512 && isAllZero(h))) {
      if (ext.size) throw new Unsafe("extension headers with no member after them");
      return out;
    }
    if (h.length < 512) throw new Unsafe("the archive ends inside a header");
    const chk = tarNumber(h.subarray(148, 156), "checksum");
    let sum = 8 * 32;
    for (let k = 0; k < 512; k++) if (k < 148 || k >= 156) sum += h[k];
    if (chk !== sum) throw new Unsafe(`a header checksum mismatch after ${out.length} members`);
    let size = tarNumber(h.subarray(124, 136), "size");
    const t = String.fromCharCode(h[156]);
    const dataAt = pos + 512;
    const magic = latin(h.subarray(257, 265));
    if ("LKxgX".includes(t)) {
      if (!TAR_MAGICS.includes(magic)) throw new Unsafe(`an extension header '${t}' without ustar magic (GNU tar applies it, other readers list it as a member)`);
      if (t === "X") throw new Unsafe("a Solaris 'X' header (GNU tar applies it as PAX, others do not)");
      const cap = (t === "L" || t === "K") ? MAX_PATH_LEN + 1 : PAX_BUDGET;
      if (size > cap) throw new Unsafe(`an extension header '${t}' of ${size} bytes (limit ${cap})`);
      const data = size ? (await reader.read(dataAt, size)).slice() : new Uint8Array(0);
      if (data.length < size) throw new Unsafe("the archive ends inside an extension header");
      pos = dataAt + Math.ceil(size / 512) * 512;
      if (t === "g") {
        if (ext.size) throw new Unsafe("a PAX global header between a member's extension headers");
        const g = paxRecords(data);
        if (g.size) throw new Unsafe(`a PAX global header setting [${[...g.keys()].sort().join(", ")}] (GNU tar applies it to every later member)`);
        continue;
      }
      if (ext.has(t)) throw new Unsafe(`two '${t}' headers for one member (GNU tar takes the last, other readers the first or neither)`);
      if (t === "L" || t === "K") {
        const name = data.length && data[data.length - 1] === 0 ? data.subarray(0, data.length - 1) : data;
        if (name.indexOf(0) >= 0) throw new Unsafe("a GNU long name with bytes after a NUL");
        ext.set(t, latin(name));
      } else ext.set(t, paxRecords(data));
      continue;
    }
    const pax = ext.get("x") || new Map();
    let name = latin(cutNul(h.subarray(0, 100)));
    const prefix = latin(cutNul(h.subarray(345, 500)));
    if (!pax.has("path") && !ext.has("L") && prefix && magic.slice(0, 6) === "ustar\x00") {
      if (magic.slice(6, 8) !== "00") throw new Unsafe("a ustar prefix with a non-standard version (GNU tar joins it, other readers do not)");
      name = prefix + "/" + name;
    }
    for (const [longKey, paxKey] of [["L", "path"], ["K", "linkpath"]]) {
      if (ext.has(longKey) && pax.has(paxKey) && ext.get(longKey) !== pax.get(paxKey)) {
        throw new Unsafe(`a GNU long name and a PAX ${paxKey} that disagree (GNU tar takes the PAX one, other readers the long one)`);
      }
    }
    if (pax.has("path")) name = pax.get("path"); else if (ext.has("L")) name = ext.get("L");
    if (pax.has("size")) size = pax.get("size");
    const regular = t === "0" || t === "\x00" || t === "7";
    if (size && ("123456".includes(t) || (regular && name.endsWith("/")))) {
      throw new Unsafe(`${shown(name.slice(0, 80))}: a member of type '${shown(t)}' declaring ${size} bytes of data (GNU tar reads none, other readers skip them)`);
    }
    pos = dataAt + Math.ceil(size / 512) * 512;
    if (pos > end) throw new Unsafe(`${shown(name.slice(0, 80))}: the archive ends inside its data`);
    out.push({ name, type: t, size, data: dataAt, sparse: pax.has("sparse") });
    ext = new Map();
  }
}

// A member name's bytes (latin-1 string) as the UTF-8 text python's tarfile gives.
function memberText(latinName) {
  const bytes = Uint8Array.from(latinName, (c) => c.charCodeAt(0));
  return decodeLenient(bytes);
}

function safeParts(name) {
  if (!name) throw new Unsafe("a member with an empty name");
  if (utf8(name).length > MAX_PATH_LEN) throw new Unsafe(`${pyrepr(name.slice(0, 80))}...: a path longer than ${MAX_PATH_LEN} bytes`);
  if (name.includes("\x00") || name.includes("\\")) throw new Unsafe(`${pyrepr(name)}: a NUL or a backslash in a member name`);
  if (name.startsWith("/")) throw new Unsafe(`${pyrepr(name)}: an absolute path`);
  if (/^[A-Za-z]:/.test(name)) throw new Unsafe(`${pyrepr(name)}: a drive prefix`);
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new Unsafe(`${pyrepr(name)}: a \`..\` component would leave the bundle`);
  return parts;
}

// The bag as a virtual directory tree over the tar: files (path -> {offset, size}) and
// directories (every path that is a directory), as safe_extract would have made them.
class TarBag {
  constructor(blob) {
    this.reader = new BlobReader(blob); this.blob = blob;
    this.files = new Map(); this.dirs = new Set([""]); this.explicit = new Set(); this.children = null;
  }

  async open() {
    let headers;
    try { headers = await tarHeaders(this.reader); } catch (e) {
      if (e instanceof Unsafe) throw new Unsafe(`refused, readers disagree on this archive: ${e.message}`);
      throw e;
    }
    let members = 0, total = 0;
    for (const m of headers) {
      members++;
      if (members > MAX_MEMBERS) throw new Unsafe(`more than ${MAX_MEMBERS} members (--max-members)`);
      const name = memberText(m.name);
      const parts = safeParts(name);
      const regular = m.type === "0" || m.type === "\x00" || m.type === "7";
      if (m.type === "1" || m.type === "2") throw new Unsafe(`${pyrepr(name)}: a link; bundles hold none`);
      let isDir;
      if (m.type === "5" || (regular && m.size === 0 && name.endsWith("/"))) isDir = true;
      else if (regular && !m.sparse) isDir = false;
      else throw new Unsafe(`${pyrepr(name)}: not a regular file or a directory (type ${pyrepr(m.type)})`);
      if (!parts.length) continue;
      const key = parts.join("/");
      if (this.explicit.has(key)) throw new Unsafe(`${pyrepr(name)}: a second member with the same path`);
      this.explicit.add(key);
      let parent = "";
      for (const p of parts.slice(0, -1)) {
        parent = parent ? parent + "/" + p : p;
        if (this.files.has(parent)) throw new Unsafe(`${pyrepr(name)}: under ${pyrepr(p)}, which is a file`);
        this.dirs.add(parent);
      }
      if (isDir) {
        if (this.files.has(key)) throw new Unsafe(`${pyrepr(name)}: a directory where a file is`);
        this.dirs.add(key);
        continue;
      }
      if (m.size > MAX_MEMBER_SIZE) throw new Unsafe(`${pyrepr(name)}: ${m.size} bytes, more than ${MAX_MEMBER_SIZE}`);
      total += m.size;
      if (total > MAX_TOTAL_SIZE) throw new Unsafe(`more than ${MAX_TOTAL_SIZE} bytes of files`);
      if (this.dirs.has(key)) throw new Unsafe(`${pyrepr(name)}: a file where a directory is`);
      this.files.set(key, { offset: m.data, size: m.size });
    }
    this.members = members;
  }

  isFile(path) { return this.files.has(path); }
  isDir(path) { return this.dirs.has(path); }
  exists(path) { return this.files.has(path) || this.dirs.has(path); }
  size(path) { return this.files.get(path).size; }
  // The names directly inside a directory (python's os.listdir), sorted.
  list(dir) {
    if (this.children === null) {
      this.children = new Map();
      for (const set of [this.files.keys(), this.dirs]) {
        for (const p of set) {
          if (!p) continue;
          const k = p.lastIndexOf("/");
          const parent = k < 0 ? "" : p.slice(0, k);
          if (!this.children.has(parent)) this.children.set(parent, new Set());
          this.children.get(parent).add(p.slice(k + 1));
        }
      }
    }
    return [...(this.children.get(dir) || [])].sort(codePointCompare);
  }
  // Every file under `top`, and each empty directory as "DIR/" (verify_bundle.py walk_files).
  walk(top) {
    const prefix = top + "/";
    const found = [];
    for (const p of this.files.keys()) if (p.startsWith(prefix)) found.push(p);
    for (const d of this.dirs) {
      if ((d === top || d.startsWith(prefix)) && d !== "data" && this.list(d).length === 0) found.push(d + "/");
    }
    return found.sort(codePointCompare);
  }
  // The bytes of a file, at most `limit` (TooLarge beyond).
  async readBytes(path, limit) {
    const f = this.files.get(path);
    if (f.size > limit) { const e = new Error(`${path}: ${f.size} bytes, more than the limit of ${limit}: not read`); e.tooLarge = true; throw e; }
    return new Uint8Array(await this.blob.slice(f.offset, f.offset + f.size).arrayBuffer());
  }
  // Read a file as a stream of chunks.
  async *chunks(path) {
    const f = this.files.get(path);
    // A small file through the reader's 1 MiB window: files read in archive order cost one
    // Blob read per window, not one each (12,000 small files: 14 s to 2 s in Chromium).
    if (f.size <= (1 << 16)) { if (f.size) yield (await this.reader.read(f.offset, f.size)).slice(); return; }
    for (let at = 0; at < f.size; at += READ_CHUNK) {
      const end = Math.min(f.size, at + READ_CHUNK);
      yield new Uint8Array(await this.blob.slice(f.offset + at, f.offset + end).arrayBuffer());
    }
  }
  // The lines of a file, each without its newline, at most `maxLine` bytes held: yields
  // {line (or null when longer than maxLine), length, complete, offset}.
  async *lines(path, maxLine) {
    let pending = [];
    let pendingLen = 0;
    let over = false;
    let offset = 0;
    for await (const chunk of this.chunks(path)) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(10, start);
        const piece = nl < 0 ? chunk.subarray(start) : chunk.subarray(start, nl);
        if (!over) {
          if (pendingLen + piece.length > maxLine) { over = true; pending = []; }
          else pending.push(piece);
        }
        pendingLen += piece.length;
        if (nl < 0) break;
        yield { line: over ? null : (pending.length === 1 ? pending[0].slice() : concat(...pending)), length: pendingLen, complete: true, offset };
        offset += pendingLen + 1;
        pending = []; pendingLen = 0; over = false;
        start = nl + 1;
      }
    }
    if (pendingLen) yield { line: over ? null : concat(...pending), length: pendingLen, complete: false, offset };
  }
}
