// RFC 3161 timestamp tokens of checkpoints (FORMAT.md 8.6): a port of
// src/format/timestamp_token.rs (verify_token, parse_request), check by check and in its order,
// each failure with the same finding code:
//   1. timestamp-format: the response is DER, granted (0) or grantedWithMods (1), the token is
//      CMS SignedData with one SignerInfo with signed attributes, eContentType id-ct-TSTInfo, a
//      TSTInfo of version 1 whose genTime is YYYYMMDDHHMMSS[.f]Z;
//   2. timestamp-imprint: the messageImprint is SHA-256 of the checkpoint's text;
//   3. timestamp-nonce: the nonce is the request's;
//   4. timestamp-untrusted: the signer certificate (found by the sid, named by ESSCertID or
//      ESSCertIDv2), its extendedKeyUsage exactly timeStamping and critical, valid at genTime,
//      chained to the tsa.add's `ca` as rustls-webpki builds the path (below);
//   5. timestamp-signature: the content-type and messageDigest signed attributes, and the
//      signature over the signed attributes (RSA PKCS#1 v1.5 and PSS, ECDSA P-256/P-384 with
//      WebCrypto; Ed25519 with noble).
// Everything is read with a strict DER reader (definite, minimal lengths; one value, no
// trailing bytes); hashes of these small inputs are WebCrypto's digest.

class TokenError extends Error { constructor(code, message) { super(message); this.code = code; } }
const tsFormat = (m) => new TokenError("timestamp-format", m);
const tsUntrusted = (m) => new TokenError("timestamp-untrusted", m);
const tsSignature = (m) => new TokenError("timestamp-signature", m);
class DerError extends Error {}

const OID = {
  signedData: "1.2.840.113549.1.7.2", tstInfo: "1.2.840.113549.1.9.16.1.4", contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4", signingCert: "1.2.840.113549.1.9.16.2.12", signingCertV2: "1.2.840.113549.1.9.16.2.47",
  extKeyUsage: "2.5.29.37", basicConstraints: "2.5.29.19", subjectKeyId: "2.5.29.14", timeStamping: "1.3.6.1.5.5.7.3.8",
  sha1: "1.3.14.3.2.26", sha256: "2.16.840.1.101.3.4.2.1", sha384: "2.16.840.1.101.3.4.2.2", sha512: "2.16.840.1.101.3.4.2.3",
  rsa: "1.2.840.113549.1.1.1", rsaPss: "1.2.840.113549.1.1.10", mgf1: "1.2.840.113549.1.1.8",
  sha256Rsa: "1.2.840.113549.1.1.11", sha384Rsa: "1.2.840.113549.1.1.12", sha512Rsa: "1.2.840.113549.1.1.13",
  ec: "1.2.840.10045.2.1", ecdsaSha256: "1.2.840.10045.4.3.2", ecdsaSha384: "1.2.840.10045.4.3.3", ed25519: "1.3.101.112",
};
const HASH_NAME = { [OID.sha1]: "SHA-1", [OID.sha256]: "SHA-256", [OID.sha384]: "SHA-384", [OID.sha512]: "SHA-512" };
const HASH_LEN = { [OID.sha256]: 32, [OID.sha384]: 48, [OID.sha512]: 64 };
const MAX_SUB_CA_COUNT = 6; // webpki's limit of intermediates in a path
const MAX_TIMESTAMP_FILE = 1 << 20;
const BACKDATING_SKEW_SECONDS = 300;

// --- A strict DER reader ------------------------------------------------------------------
// A node: {tag, der (the whole TLV), content, constructed}. Tags of one byte only (numbers < 31),
// and of the universal class only those the der crate knows (its `Tag::try_from`).
const KNOWN_UNIVERSAL = new Set([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x09, 0x0a, 0x0c, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x1a, 0x1e, 0x30, 0x31]);
function derAt(buf, pos, end) {
  if (pos + 2 > end) throw new DerError("truncated");
  const tag = buf[pos];
  if ((tag & 0x1f) === 0x1f) throw new DerError("long-form tag");
  if (tag < 0x40 && !KNOWN_UNIVERSAL.has(tag)) throw new DerError(`unknown or unsupported tag 0x${tag.toString(16)}`);
  const first = buf[pos + 1];
  let len, hlen;
  if (first < 0x80) { len = first; hlen = 2; } else {
    const n = first & 0x7f;
    if (n === 0) throw new DerError("indefinite length (BER, not DER)");
    if (n > 4) throw new DerError("length too large");
    if (pos + 2 + n > end) throw new DerError("truncated");
    if (buf[pos + 2] === 0) throw new DerError("non-minimal length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos + 2 + i];
    if (len < 0x80) throw new DerError("non-minimal length");
    hlen = 2 + n;
  }
  if (pos + hlen + len > end) throw new DerError("truncated");
  return { tag, constructed: (tag & 0x20) !== 0, der: buf.subarray(pos, pos + hlen + len), content: buf.subarray(pos + hlen, pos + hlen + len), next: pos + hlen + len };
}
// Exactly one value in `bytes`.
function derOne(bytes) {
  const n = derAt(bytes, 0, bytes.length);
  if (n.next !== bytes.length) throw new DerError("trailing bytes after the value");
  return n;
}
function derKids(node) {
  if (!node.constructed) throw new DerError("a primitive value where a constructed one is expected");
  const out = [], c = node.content;
  let pos = 0;
  while (pos < c.length) { const k = derAt(c, pos, c.length); out.push(k); pos = k.next; }
  return out;
}
class DerSeq {
  constructor(node, what, tag = 0x30) {
    if (!node || node.tag !== tag) throw new DerError(`${what}: not the expected ${tagName(tag)}`);
    this.kids = derKids(node); this.i = 0; this.what = what;
  }
  next(tag, what) { const k = this.kids[this.i]; if (!k || (tag !== null && k.tag !== tag)) throw new DerError(`${this.what}: ${what} missing or not a ${tagName(tag)}`); this.i++; return k; }
  opt(tag) { const k = this.kids[this.i]; if (k && k.tag === tag) { this.i++; return k; } return null; }
  end() { if (this.i !== this.kids.length) throw new DerError(`${this.what}: unexpected field`); }
}
function tagName(tag) { return { 0x01: "BOOLEAN", 0x02: "INTEGER", 0x03: "BIT STRING", 0x04: "OCTET STRING", 0x05: "NULL", 0x06: "OID", 0x30: "SEQUENCE", 0x31: "SET" }[tag] || `[tag 0x${(tag || 0).toString(16)}]`; }
function derInt(node, what) {
  if (!node || node.tag !== 0x02) throw new DerError(`${what}: not an INTEGER`);
  const c = node.content;
  if (!c.length) throw new DerError(`${what}: empty INTEGER`);
  if (c.length > 1 && ((c[0] === 0 && c[1] < 0x80) || (c[0] === 0xff && c[1] >= 0x80))) throw new DerError(`${what}: non-minimal INTEGER`);
  return c;
}
// An OID as const-oid 0.9 (the der crate's) reads it: 3 to 39 bytes, the first holding the
// first two arcs (the first at most 2, the second at most 39), then arcs of 32 bits.
function derOid(node, what) {
  if (!node || node.tag !== 0x06) throw new DerError(`${what}: not an OID`);
  const c = node.content;
  if (c.length < 3 || c.length > 39 || c[0] >= 120 || c[c.length - 1] & 0x80) throw new DerError(`${what}: malformed OID`);
  const arcs = [Math.floor(c[0] / 40), c[0] % 40];
  let v = 0, n = 0;
  for (const b of c.subarray(1)) {
    n++;
    if (n > 4 && b & 0xf0) throw new DerError(`${what}: OID arc too big`);
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) { arcs.push(v); v = 0; n = 0; }
  }
  return arcs.join(".");
}
// A Name (RDNSequence): SEQUENCE OF SET OF AttributeTypeAndValue {OID, ANY}, as x509-cert reads it.
function derName(node, what) {
  if (!node || node.tag !== 0x30) throw new DerError(`${what}: not a Name`);
  for (const rdn of derKids(node)) {
    if (rdn.tag !== 0x31) throw new DerError(`${what}: not a SET in a Name`);
    for (const atv of derSetOf(rdn, what)) {
      const s = new DerSeq(atv, what);
      derOid(s.next(0x06, "attribute type"), what);
      s.next(null, "attribute value");
      s.end();
    }
  }
  return node;
}
function derOctets(node, what) { if (!node || node.tag !== 0x04) throw new DerError(`${what}: not an OCTET STRING`); return node.content; }
function derBool(node, what) {
  if (!node || node.tag !== 0x01 || node.content.length !== 1 || (node.content[0] !== 0 && node.content[0] !== 0xff)) throw new DerError(`${what}: not a DER BOOLEAN`);
  return node.content[0] === 0xff;
}
// A BIT STRING as the der crate reads it: (unused bits, bytes), at most 7 unused bits, none
// without bytes.
function derBitString(node, what) {
  if (!node || node.tag !== 0x03 || !node.content.length || node.content[0] > 7 || (node.content[0] && node.content.length === 1)) throw new DerError(`${what}: not a BIT STRING`);
  return { unused: node.content[0], bytes: node.content.subarray(1) };
}
function derBits(node, what) {
  if (!node || node.tag !== 0x03 || !node.content.length || node.content[0] !== 0) throw new DerError(`${what}: not a BIT STRING of whole bytes`);
  return node.content.subarray(1);
}
// SET OF: no two equal elements (the der crate sorts a SET OF and refuses duplicates).
function derSetOf(node, what) {
  if (!node) throw new DerError(`${what}: missing`);
  const kids = derKids(node);
  for (let i = 0; i < kids.length; i++) for (let j = i + 1; j < kids.length; j++) if (bytesEqual(kids[i].der, kids[j].der)) throw new DerError(`${what}: duplicate element in a SET OF`);
  return kids;
}
function algId(node, what) {
  const s = new DerSeq(node, what);
  const oid = derOid(s.next(0x06, "algorithm"), what);
  const params = s.kids[s.i] || null;
  if (params) s.i++;
  s.end();
  return { oid, params, der: node.der };
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function civilSeconds(y, mo, d, h, mi, s) {
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && leap ? 29 : MONTH_DAYS[mo - 1]) || h > 23 || mi > 59 || s > 59) return null;
  return Math.floor(Date.UTC(y, mo - 1, d, h, mi, s) / 1000);
}
// A certificate's validity time (x509-cert: UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ).
function certTime(node, what) {
  const text = node ? String.fromCharCode(...node.content) : "";
  let m;
  if (node && node.tag === 0x17 && (m = /^([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})Z$/.exec(text))) {
    const yy = Number(m[1]);
    const secs = civilSeconds(yy >= 50 ? 1900 + yy : 2000 + yy, +m[2], +m[3], +m[4], +m[5], +m[6]);
    if (secs !== null) return secs;
  } else if (node && node.tag === 0x18 && (m = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})Z$/.exec(text))) {
    const secs = civilSeconds(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]);
    if (secs !== null) return secs;
  }
  throw new DerError(`${what}: not a UTCTime or GeneralizedTime`);
}
// genTime (RFC 3161 2.4.2): YYYYMMDDHHMMSS[.f+]Z, no trailing zero in the fraction; rounded down.
function genTimeOf(node) {
  const raw = node ? decodeLenient(node.content) : "";
  const bad = () => tsFormat(`genTime ${pyrepr(raw)} is not YYYYMMDDHHMMSS[.fff]Z`);
  if (!node || node.tag !== 0x18) throw bad();
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})(\.[0-9]*[1-9])?Z$/.exec(raw);
  if (!m) throw bad();
  const secs = civilSeconds(+m[1], +m[2], +m[3], +m[4], +m[5], +m[6]);
  if (secs === null) throw bad();
  return [formatTimestamp(secs), secs];
}

// --- X.509 --------------------------------------------------------------------------------
const NAME_ATTRS = { "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "STREET", "2.5.4.10": "O", "2.5.4.11": "OU", "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID" };
// A Name as RFC 4514 text (last RDN first), for messages only.
function nameText(node) {
  try {
    const rdns = derKids(node).map((set) => derKids(set).map((atv) => {
      const [t, v] = derKids(atv);
      const oid = derOid(t, "attribute");
      const value = [0x0c, 0x13, 0x16, 0x14].includes(v.tag) ? decodeLenient(v.content).replace(/[,+"\\<>;]/g, (c) => "\\" + c).replace(/^[ #]/, (c) => "\\" + c).replace(/ $/, "\\ ") : "#" + hex(v.der);
      return `${NAME_ATTRS[oid] || oid}=${value}`;
    }).join("+"));
    return rdns.reverse().join(",");
  } catch (e) { return "(unreadable name)"; }
}
// A certificate as x509-cert reads it (the whole structure, strictly), with what the checks use.
function parseCertificate(node) {
  const s = new DerSeq(node, "Certificate");
  const tbsNode = s.next(0x30, "tbsCertificate");
  const sigAlg = algId(s.next(0x30, "signatureAlgorithm"), "signatureAlgorithm");
  const signatureBits = derBitString(s.next(0x03, "signatureValue"), "signatureValue");
  s.end();
  const t = new DerSeq(tbsNode, "TBSCertificate");
  const v = t.opt(0xa0);
  let version = 0;
  if (v) {
    const vs = new DerSeq(v, "version", 0xa0);
    const int = derInt(vs.next(0x02, "version"), "version");
    vs.end();
    if (int.length !== 1 || int[0] > 2) throw new DerError("unknown certificate version");
    version = int[0];
  }
  const serial = derInt(t.next(0x02, "serialNumber"), "serialNumber");
  const innerAlg = algId(t.next(0x30, "signature"), "signature");
  const issuer = derName(t.next(0x30, "issuer"), "issuer");
  const validity = new DerSeq(t.next(0x30, "validity"), "validity");
  const notBefore = certTime(validity.next(null, "notBefore"), "notBefore");
  const notAfter = certTime(validity.next(null, "notAfter"), "notAfter");
  validity.end();
  const subject = derName(t.next(0x30, "subject"), "subject");
  const spkiNode = t.next(0x30, "subjectPublicKeyInfo");
  const spki = new DerSeq(spkiNode, "subjectPublicKeyInfo");
  const keyAlg = algId(spki.next(0x30, "algorithm"), "subjectPublicKeyInfo");
  const keyBits = spki.next(0x03, "subjectPublicKey");
  derBitString(keyBits, "subjectPublicKey");
  spki.end();
  const issuerUid = t.opt(0x81), subjectUid = t.opt(0x82);
  for (const uid of [issuerUid, subjectUid]) if (uid) derBitString({ tag: 0x03, content: uid.content }, "uniqueIdentifier");
  const extensions = [];
  const extNode = t.opt(0xa3);
  if (extNode) {
    const es = new DerSeq(extNode, "extensions", 0xa3);
    const list = new DerSeq(es.next(0x30, "extensions"), "extensions");
    es.end();
    for (const e of list.kids) {
      const x = new DerSeq(e, "extension");
      const id = derOid(x.next(0x06, "extnID"), "extnID");
      const critNode = x.opt(0x01);
      const critical = critNode ? derBool(critNode, "critical") : false;
      const value = derOctets(x.next(0x04, "extnValue"), "extnValue");
      x.end();
      extensions.push({ id, critical, value });
    }
  }
  t.end();
  return {
    der: node.der, tbs: tbsNode.der, version, serial, sigAlg, innerAlg, signatureBits, issuer: issuer.der, issuerNode: issuer,
    subject: subject.der, subjectNode: subject, notBefore, notAfter, spki: spkiNode.der, keyAlg, keyBits, extensions,
    uniqueIds: Boolean(issuerUid || subjectUid), subjectText: nameText(subject),
  };
}
function extension(cert, id) { return cert.extensions.find((e) => e.id === id) || null; }
function timeText(secs) { return formatTimestamp(secs); }

// --- The response -------------------------------------------------------------------------
function parseRequest(tsq) {
  try {
    const s = new DerSeq(derOne(tsq), "TimeStampReq");
    derInt(s.next(0x02, "version"), "version");
    const mi = new DerSeq(s.next(0x30, "messageImprint"), "messageImprint");
    const alg = algId(mi.next(0x30, "hashAlgorithm"), "hashAlgorithm");
    const digest = derOctets(mi.next(0x04, "hashedMessage"), "hashedMessage");
    mi.end();
    const policy = s.opt(0x06);
    if (policy) derOid(policy, "reqPolicy");
    const nonceNode = s.opt(0x02);
    const nonce = nonceNode ? derInt(nonceNode, "nonce") : null;
    const certReq = s.opt(0x01);
    if (certReq) derBool(certReq, "certReq");
    s.opt(0xa0);
    s.end();
    return { hashAlgorithm: alg.oid, digest, nonce };
  } catch (e) {
    if (!(e instanceof DerError)) throw e;
    throw tsFormat(`the request (.tsq) is not a DER RFC 3161 TimeStampReq: ${e.message}`);
  }
}

function parseAttributes(node) {
  return derSetOf(node, "signedAttrs").map((a) => {
    const s = new DerSeq(a, "Attribute");
    const oid = derOid(s.next(0x06, "attrType"), "attrType");
    const values = derSetOf(s.next(0x31, "attrValues"), "attrValues");
    s.end();
    return { oid, values };
  });
}

function parseResponse(resp) {
  let token, status, statusText = "";
  try {
    const s = new DerSeq(derOne(resp), "TimeStampResp");
    const si = new DerSeq(s.next(0x30, "status"), "PKIStatusInfo");
    status = derInt(si.next(0x02, "status"), "status");
    const texts = si.opt(0x30);
    if (texts) statusText = derKids(texts).map((k) => decodeLenient(k.content)).join("; ");
    const failInfo = si.opt(0x03);
    if (failInfo) derBitString(failInfo, "failInfo");
    si.end();
    token = s.opt(0x30);
    s.end();
  } catch (e) {
    if (!(e instanceof DerError)) throw e;
    throw tsFormat(`not a DER RFC 3161 response: TimeStampResp: ${e.message}`);
  }
  if (!(status.length === 1 && (status[0] === 0 || status[0] === 1))) throw tsFormat(`the TSA refused the request (PKIStatus ${hex(status)}${statusText ? ": " + statusText : ""})`);
  if (!token) throw tsFormat("the response is granted but carries no token");
  let p;
  try {
    const ci = new DerSeq(token, "ContentInfo");
    const contentType = derOid(ci.next(0x06, "contentType"), "contentType");
    const wrapped = new DerSeq(ci.next(0xa0, "content"), "content", 0xa0);
    const sdNode = wrapped.next(null, "content");
    wrapped.end();
    ci.end();
    if (contentType !== OID.signedData) throw tsFormat(`the token is not CMS SignedData (content type ${contentType})`);
    p = parseSignedData(sdNode);
  } catch (e) {
    if (!(e instanceof DerError)) throw e;
    throw tsFormat(`not a DER RFC 3161 response: SignedData: ${e.message}`);
  }
  if (p.eContentType !== OID.tstInfo) throw tsFormat(`the token does not encapsulate a TSTInfo (eContentType ${p.eContentType})`);
  if (p.eContent === null) throw tsFormat("the token does not encapsulate a TSTInfo (eContentType present, content absent)");
  try {
    if (p.eContent.tag !== 0x04) throw new DerError("eContent: not an OCTET STRING");
    p.tstDer = p.eContent.content;
    p.tst = parseTstInfo(p.tstDer);
  } catch (e) {
    if (!(e instanceof DerError)) throw e;
    throw tsFormat(`not a DER RFC 3161 response: TSTInfo: ${e.message}`);
  }
  if (!(p.tst.version.length === 1 && p.tst.version[0] === 1)) throw tsFormat(`TSTInfo version ${hex(p.tst.version)}, not 1`);
  if (p.signerInfos.length !== 1) throw tsFormat(`the token has ${p.signerInfos.length} SignerInfos, not exactly one`);
  p.signer = p.signerInfos[0];
  if (p.signer.signedAttrs === null) throw tsFormat("the SignerInfo has no signed attributes");
  return p;
}

function parseSignedData(node) {
  const s = new DerSeq(node, "SignedData");
  derInt(s.next(0x02, "version"), "version");
  derSetOf(s.next(0x31, "digestAlgorithms"), "digestAlgorithms").forEach((a) => algId(a, "digestAlgorithm"));
  const eci = new DerSeq(s.next(0x30, "encapContentInfo"), "encapContentInfo");
  const eContentType = derOid(eci.next(0x06, "eContentType"), "eContentType");
  const ec = eci.opt(0xa0);
  let eContent = null;
  if (ec) { const w = new DerSeq(ec, "eContent", 0xa0); eContent = w.next(null, "eContent"); w.end(); }
  eci.end();
  const certificates = [];
  const certSet = s.opt(0xa0);
  if (certSet) {
    for (const c of derSetOf(certSet, "certificates")) {
      if (c.tag === 0x30) certificates.push(parseCertificate(c));
      else if (![0xa0, 0xa1, 0xa2, 0xa3].includes(c.tag)) throw new DerError("certificates: not a CertificateChoices");
    }
  }
  const crls = s.opt(0xa1);
  if (crls) for (const c of derSetOf(crls, "crls")) { if (c.tag === 0x30) parseCrl(c); else if (c.tag !== 0xa1) throw new DerError("crls: not a RevocationInfoChoice"); }
  const signerInfos = derSetOf(s.next(0x31, "signerInfos"), "signerInfos").map(parseSignerInfo);
  s.end();
  return { eContentType, eContent, certificates, signerInfos };
}

// A CertificateList (RFC 5280 5.1), read as x509-cert reads it (its content is not used).
function parseCrl(node) {
  const s = new DerSeq(node, "CertificateList");
  const t = new DerSeq(s.next(0x30, "tbsCertList"), "TBSCertList");
  algId(s.next(0x30, "signatureAlgorithm"), "signatureAlgorithm");
  derBitString(s.next(0x03, "signatureValue"), "signatureValue");
  s.end();
  const v = t.opt(0x02);
  if (v) derInt(v, "version");
  algId(t.next(0x30, "signature"), "signature");
  derName(t.next(0x30, "issuer"), "issuer");
  certTime(t.next(null, "thisUpdate"), "thisUpdate");
  const k = t.kids[t.i];
  if (k && (k.tag === 0x17 || k.tag === 0x18)) { t.i++; certTime(k, "nextUpdate"); }
  const revoked = t.opt(0x30);
  if (revoked) for (const r of derKids(revoked)) { const e = new DerSeq(r, "revokedCertificate"); derInt(e.next(0x02, "userCertificate"), "userCertificate"); certTime(e.next(null, "revocationDate"), "revocationDate"); e.opt(0x30); e.end(); }
  t.opt(0xa0);
  t.end();
}

function parseSignerInfo(node) {
  const s = new DerSeq(node, "SignerInfo");
  derInt(s.next(0x02, "version"), "version");
  let sid;
  const sidNode = s.next(null, "sid");
  if (sidNode.tag === 0x30) {
    const is = new DerSeq(sidNode, "issuerAndSerialNumber");
    const issuer = derName(is.next(0x30, "issuer"), "issuer");
    const serial = derInt(is.next(0x02, "serialNumber"), "serialNumber");
    is.end();
    sid = { issuer: issuer.der, serial };
  } else if (sidNode.tag === 0x80) sid = { ski: sidNode.content };
  else throw new DerError("sid: neither issuerAndSerialNumber nor subjectKeyIdentifier");
  const digestAlg = algId(s.next(0x30, "digestAlgorithm"), "digestAlgorithm");
  const attrsNode = s.opt(0xa0);
  const signedAttrs = attrsNode ? parseAttributes(attrsNode) : null;
  const signatureAlg = algId(s.next(0x30, "signatureAlgorithm"), "signatureAlgorithm");
  const signature = derOctets(s.next(0x04, "signature"), "signature");
  const unsigned = s.opt(0xa1);
  if (unsigned) parseAttributes(unsigned);
  s.end();
  // What was signed: the signed attributes as carried, re-tagged SET OF (RFC 5652 5.4).
  const signedAttrsDer = attrsNode ? Uint8Array.from(attrsNode.der) : null;
  if (signedAttrsDer) signedAttrsDer[0] = 0x31;
  return { sid, digestAlg, signedAttrs, signatureAlg, signature, signedAttrsDer };
}

function parseTstInfo(bytes) {
  const s = new DerSeq(derOne(bytes), "TSTInfo");
  const version = derInt(s.next(0x02, "version"), "version");
  const policy = derOid(s.next(0x06, "policy"), "policy");
  const mi = new DerSeq(s.next(0x30, "messageImprint"), "messageImprint");
  const imprintAlg = algId(mi.next(0x30, "hashAlgorithm"), "hashAlgorithm");
  const imprint = derOctets(mi.next(0x04, "hashedMessage"), "hashedMessage");
  mi.end();
  const serial = derInt(s.next(0x02, "serialNumber"), "serialNumber");
  const genTime = s.next(null, "genTime");
  const acc = s.opt(0x30);
  let accuracy = null;
  if (acc) {
    const a = new DerSeq(acc, "accuracy");
    const parts = [];
    const secs = a.opt(0x02), ms = a.opt(0x80), us = a.opt(0x81);
    a.end();
    const n = (c) => c.reduce((v, b) => v * 256n + BigInt(b), 0n);
    if (secs) parts.push(`${n(derInt(secs, "seconds"))}s`);
    if (ms) parts.push(`${n(ms.content)}ms`);
    if (us) parts.push(`${n(us.content)}us`);
    accuracy = parts.length ? parts.join(" ") : null;
  }
  const ordering = s.opt(0x01);
  if (ordering) derBool(ordering, "ordering");
  const nonceNode = s.opt(0x02);
  const nonce = nonceNode ? derInt(nonceNode, "nonce") : null;
  s.opt(0xa0);
  s.opt(0xa1);
  s.end();
  return { version, policy, imprintAlg, imprint, serial, genTime, accuracy, nonce };
}

function integerHex(content) { return content.length > 1 && content[0] === 0 && content[1] & 0x80 ? hex(content.subarray(1)) : hex(content); }

async function digestOf(oid, data) {
  const name = HASH_NAME[oid];
  if (!name) throw tsSignature(`unsupported algorithm digest ${oid}`);
  return new Uint8Array(await crypto.subtle.digest(name, data));
}

// --- Signatures: which algorithm, and the verification --------------------------------------
// A verification algorithm: {scheme: "pkcs1"|"pss"|"ecdsa"|"ed25519", hash, curve?}.
function pssHash(alg) {
  const bad = (why) => tsSignature(`unsupported algorithm RSASSA-PSS ${why}`);
  if (!alg.params) throw bad("without parameters");
  let hash = OID.sha1, mgfHash = null, salt = 20, trailer = 1;
  try {
    const s = new DerSeq(alg.params, "RSASSA-PSS-params");
    const explicit = (tag) => { const n = s.opt(tag); if (!n) return null; const w = new DerSeq(n, "param", tag); const v = w.next(null, "param"); w.end(); return v; };
    const h = explicit(0xa0), m = explicit(0xa1), sl = explicit(0xa2), tr = explicit(0xa3);
    s.end();
    if (h) hash = algId(h, "hashAlgorithm").oid;
    if (m) { const mg = algId(m, "maskGenAlgorithm"); if (mg.params) { try { mgfHash = algId(mg.params, "mgf hash").oid; } catch (e) { if (!(e instanceof DerError)) throw e; } } }
    const small = (n) => { const c = derInt(n, "int"); if (c.length > 5 || (c[0] & 0x80)) throw new DerError("out of range"); const v = c.reduce((a, b) => a * 256 + b, 0); if (v > 0xffffffff) throw new DerError("out of range"); return v; };
    if (sl) salt = small(sl);
    if (tr) trailer = small(tr);
  } catch (e) { if (!(e instanceof DerError)) throw e; throw bad("parameters unreadable"); }
  if (!HASH_LEN[hash]) throw bad("with a hash other than SHA-2");
  if (mgfHash !== hash || salt !== HASH_LEN[hash] || trailer !== 1) throw bad("with MGF or salt other than the hash's");
  return hash;
}
function signerAlgorithms(si) {
  const sig = si.signatureAlg.oid, dg = si.digestAlg.oid;
  const pkcs1 = (h) => [{ scheme: "pkcs1", hash: h }];
  if ((sig === OID.rsa && dg === OID.sha256) || sig === OID.sha256Rsa) return pkcs1(OID.sha256);
  if ((sig === OID.rsa && dg === OID.sha384) || sig === OID.sha384Rsa) return pkcs1(OID.sha384);
  if ((sig === OID.rsa && dg === OID.sha512) || sig === OID.sha512Rsa) return pkcs1(OID.sha512);
  if (sig === OID.rsaPss) return [{ scheme: "pss", hash: pssHash(si.signatureAlg) }];
  if (sig === OID.ecdsaSha256 || (sig === OID.ec && dg === OID.sha256)) return [{ scheme: "ecdsa", hash: OID.sha256 }];
  if (sig === OID.ecdsaSha384 || (sig === OID.ec && dg === OID.sha384)) return [{ scheme: "ecdsa", hash: OID.sha384 }];
  if (sig === OID.ed25519) return [{ scheme: "ed25519" }];
  throw tsSignature(`unsupported algorithm signature ${sig} with digest ${dg}`);
}
// webpki's algorithms for a certificate's signatureAlgorithm: the AlgorithmIdentifier's content
// byte for byte one of rustls-pki-types' (src/data/alg-*.der), as webpki compares them.
const PSS_PARAMS = (h) => `3034a00f300d06096086480165030402${h}0500a11c301a06092a864886f70d010108300d06096086480165030402${h}0500a2030201`;
const CERT_ALGORITHMS = new Map([
  ["06092a864886f70d01010b0500", { scheme: "pkcs1", hash: OID.sha256 }], ["06092a864886f70d01010b", { scheme: "pkcs1", hash: OID.sha256 }],
  ["06092a864886f70d01010c0500", { scheme: "pkcs1", hash: OID.sha384 }], ["06092a864886f70d01010c", { scheme: "pkcs1", hash: OID.sha384 }],
  ["06092a864886f70d01010d0500", { scheme: "pkcs1", hash: OID.sha512 }], ["06092a864886f70d01010d", { scheme: "pkcs1", hash: OID.sha512 }],
  ["06092a864886f70d01010a" + PSS_PARAMS("01") + "20", { scheme: "pss", hash: OID.sha256 }],
  ["06092a864886f70d01010a" + PSS_PARAMS("02") + "30", { scheme: "pss", hash: OID.sha384 }],
  ["06092a864886f70d01010a" + PSS_PARAMS("03") + "40", { scheme: "pss", hash: OID.sha512 }],
  ["06082a8648ce3d040302", { scheme: "ecdsa", hash: OID.sha256 }], ["06082a8648ce3d040303", { scheme: "ecdsa", hash: OID.sha384 }],
  ["06032b6570", { scheme: "ed25519" }],
]);
function algContentHex(alg) { return hex(derOne(alg.der).content); }
function certAlgorithm(alg) { return CERT_ALGORITHMS.get(algContentHex(alg)) || null; }
// The key's AlgorithmIdentifier each scheme needs (content, byte for byte), with its curve.
const KEY_RSA = "06092a864886f70d0101010500", KEY_ED25519 = "06032b6570";
const KEY_EC = new Map([["06072a8648ce3d020106082a8648ce3d030107", ["P-256", 32]], ["06072a8648ce3d020106052b81040022", ["P-384", 48]]]);
function rsaModulusBits(keyBits) {
  const s = new DerSeq(derOne(derBits(keyBits, "subjectPublicKey")), "RSAPublicKey");
  let n = derInt(s.next(0x02, "modulus"), "modulus");
  derInt(s.next(0x02, "publicExponent"), "publicExponent");
  s.end();
  if (n[0] === 0) n = n.subarray(1);
  return n.length ? (n.length - 1) * 8 + (32 - Math.clz32(n[0])) : 0;
}
function ecdsaRaw(sig, size) {
  const s = new DerSeq(derOne(sig), "ECDSA-Sig-Value");
  const parts = [derInt(s.next(0x02, "r"), "r"), derInt(s.next(0x02, "s"), "s")];
  s.end();
  const out = new Uint8Array(2 * size);
  parts.forEach((p, i) => {
    if (p[0] & 0x80) throw new DerError("negative");
    const v = p[0] === 0 ? p.subarray(1) : p;
    if (v.length > size) throw new DerError("too long");
    out.set(v, (i + 1) * size - v.length);
  });
  return out;
}
// Verifies `signature` over `message` by the key of SPKI `key` ({spki, keyAlg, keyBits}):
// "ok", "mismatch" (the algorithm is not for this key) or an error text.
async function verifyWith(alg, key, message, signature) {
  const hashName = alg.hash ? HASH_NAME[alg.hash] : null;
  try {
    if (alg.scheme === "pkcs1" || alg.scheme === "pss") {
      if (algContentHex(key.keyAlg) !== KEY_RSA) return "mismatch";
      const bits = rsaModulusBits(key.keyBits);
      if (bits < 2048 || bits > 8192) return `InvalidSignatureForPublicKey (RSA key of ${bits} bits)`;
      const name = alg.scheme === "pkcs1" ? "RSASSA-PKCS1-v1_5" : "RSA-PSS";
      const k = await crypto.subtle.importKey("spki", key.spki, { name, hash: hashName }, false, ["verify"]);
      const params = alg.scheme === "pkcs1" ? { name } : { name, saltLength: HASH_LEN[alg.hash] };
      return (await crypto.subtle.verify(params, k, signature, message)) ? "ok" : "InvalidSignatureForPublicKey";
    }
    if (alg.scheme === "ecdsa") {
      const curve = KEY_EC.get(algContentHex(key.keyAlg));
      if (!curve) return "mismatch";
      let raw;
      try { raw = ecdsaRaw(signature, curve[1]); } catch (e) { if (!(e instanceof DerError)) throw e; return "InvalidSignatureForPublicKey (not a DER ECDSA signature)"; }
      const k = await crypto.subtle.importKey("spki", key.spki, { name: "ECDSA", namedCurve: curve[0] }, false, ["verify"]);
      return (await crypto.subtle.verify({ name: "ECDSA", hash: hashName }, k, raw, message)) ? "ok" : "InvalidSignatureForPublicKey";
    }
    if (alg.scheme === "ed25519") {
      if (algContentHex(key.keyAlg) !== KEY_ED25519) return "mismatch";
      const pk = derBits(key.keyBits, "subjectPublicKey");
      if (pk.length !== 32 || signature.length !== 64) return "InvalidSignatureForPublicKey";
      return ed25519Verify(pk, message, signature) === null ? "ok" : "InvalidSignatureForPublicKey";
    }
  } catch (e) {
    if (e instanceof DerError || (e && (e.name === "DataError" || e.name === "NotSupportedError" || e.name === "OperationError"))) return `BadDer (${e.message})`;
    throw e;
  }
  return "mismatch";
}

// --- The chain (rustls-webpki's path building, as verify_token calls it) -------------------
// webpki's reading of a certificate: version 3, the inner and outer signature algorithms the
// same, no unique identifiers, each known extension at most once, no critical extension it
// does not know (only 2.5.29.15, 17, 19, 30, 31 and 37 are known).
const WEBPKI_KNOWN_EXT = new Set(["2.5.29.15", "2.5.29.17", "2.5.29.19", "2.5.29.30", "2.5.29.31", "2.5.29.37"]);
function webpkiCert(cert) {
  if (cert.version !== 2) return "UnsupportedCertVersion";
  if (!bytesEqual(cert.sigAlg.der, cert.innerAlg.der)) return "SignatureAlgorithmMismatch";
  if (cert.uniqueIds) return "BadDer";
  const seen = new Set();
  for (const e of cert.extensions) {
    const known = WEBPKI_KNOWN_EXT.has(e.id);
    if (known && seen.has(e.id)) return "ExtensionValueInvalid";
    seen.add(e.id);
    if (!known && e.critical) return "UnsupportedCriticalExtension";
  }
  return null;
}
// Validity, basicConstraints and the required EKU (KeyUsage::required: present, with
// id-kp-timeStamping) of every certificate of the path but the anchor.
function webpkiIndependent(cert, at, role, subCaCount) {
  if (cert.notBefore > cert.notAfter) return "InvalidCertValidity";
  if (at < cert.notBefore) return "CertNotValidYet";
  if (at > cert.notAfter) return "CertExpired";
  const bc = extension(cert, OID.basicConstraints);
  let isCa = false, pathLen = null;
  if (bc) {
    try {
      const s = new DerSeq(derOne(bc.value), "basicConstraints");
      const ca = s.opt(0x01);
      isCa = ca ? derBool(ca, "cA") : false;
      const len = s.opt(0x02);
      if (len) { const c = derInt(len, "pathLenConstraint"); if (c.length > 1 || c[0] & 0x80) throw new DerError("pathLen"); pathLen = c[0]; }
      s.end();
    } catch (e) { if (!(e instanceof DerError)) throw e; return "BadDer"; }
  }
  if (role === "ee" && isCa) return "CaUsedAsEndEntity";
  if (role === "issuer" && !isCa) return "EndEntityUsedAsCa";
  if (role === "issuer" && pathLen !== null && subCaCount > pathLen) return "PathLenConstraintViolated";
  const eku = extension(cert, OID.extKeyUsage);
  let purposes = [];
  if (eku) {
    try { purposes = derKids(derOne(eku.value)).map((o) => derOid(o, "KeyPurposeId")); } catch (e) { if (!(e instanceof DerError)) throw e; return "BadDer"; }
    if (!purposes.length) return "EmptyEkuExtension";
  }
  // webpki's KeyUsage::required_if_present: an extension, where there is one, must allow
  // timeStamping; a certificate without one is not restricted (the TSA's own certificate is
  // held to "exactly timeStamping, critical" apart).
  if (eku && !purposes.includes(OID.timeStamping)) return "RequiredEkuNotFound";
  return null;
}
async function verifyCertSignature(cert, issuerKey) {
  const alg = certAlgorithm(cert.sigAlg);
  if (!alg) return "UnsupportedSignatureAlgorithm";
  if (cert.signatureBits.unused) return "BadDer";
  const r = await verifyWith(alg, issuerKey, cert.tbs, cert.signatureBits.bytes);
  return r === "ok" ? null : r === "mismatch" ? "UnsupportedSignatureAlgorithmForPublicKey" : "BadSignature";
}
// A path from `path[path.length-1]` up to an anchor: the anchor used, or throws {reason}.
async function buildChain(path, role, subCaCount, anchors, intermediates, at, budget) {
  const head = path[path.length - 1];
  const independent = webpkiIndependent(head, at, role, subCaCount);
  if (independent) return { error: independent };
  let error = "UnknownIssuer";
  for (const anchor of anchors) {
    if (!bytesEqual(head.issuer, anchor.subject)) continue;
    let bad = null, key = anchor;
    for (let i = path.length - 1; i >= 0 && !bad; i--) {
      if (--budget.signatures < 0) return { error: "MaximumSignatureChecksExceeded" };
      bad = await verifyCertSignature(path[i], key);
      key = path[i];
    }
    if (!bad) return { anchor };
    error = bad;
  }
  for (const cand of intermediates) {
    if (cand.webpkiError || !bytesEqual(cand.subject, head.issuer)) continue;
    if (path.some((p) => bytesEqual(p.spki, cand.spki) && bytesEqual(p.subject, cand.subject))) continue;
    if (path.length > MAX_SUB_CA_COUNT) return { error: "MaximumPathDepthExceeded" };
    const r = await buildChain([...path, cand], "issuer", role === "ee" ? subCaCount : subCaCount + 1, anchors, intermediates, at, budget);
    if (r.anchor) return r;
    error = r.error;
  }
  return { error };
}

// --- The verification ---------------------------------------------------------------------
function sidMatches(sid, cert) {
  if (sid.issuer) return bytesEqual(sid.issuer, cert.issuer) && bytesEqual(sid.serial, cert.serial);
  const e = extension(cert, OID.subjectKeyId);
  if (!e) return false;
  try { return bytesEqual(derOctets(derOne(e.value), "subjectKeyIdentifier"), sid.ski); } catch (err) { if (!(err instanceof DerError)) throw err; return false; }
}

async function checkEssCertId(si, cert) {
  const ess = (why) => tsUntrusted(`the signing-certificate attribute (ESSCertID/ESSCertIDv2) ${why}`);
  const v2 = si.signedAttrs.find((a) => a.oid === OID.signingCertV2);
  const v1 = v2 ? null : si.signedAttrs.find((a) => a.oid === OID.signingCert);
  if (!v2 && !v1) throw ess("is missing");
  const attr = v2 || v1;
  if (!attr.values.length) throw ess("is empty");
  let alg, hash, issuerSerial = null;
  try {
    const sc = new DerSeq(attr.values[0], "SigningCertificate");
    const certs = new DerSeq(sc.next(0x30, "certs"), "certs");
    sc.opt(0x30);
    sc.end();
    if (!certs.kids.length) throw ess("names no certificate");
    for (const [k, idNode] of certs.kids.entries()) {
      const id = new DerSeq(idNode, "ESSCertID");
      let a = v2 ? OID.sha256 : OID.sha1;
      if (v2) { const h = id.opt(0x30); if (h) a = algId(h, "hashAlgorithm").oid; }
      const h = derOctets(id.next(0x04, "certHash"), "certHash");
      const isn = id.opt(0x30);
      let is = null;
      if (isn) {
        const s = new DerSeq(isn, "IssuerSerial");
        const names = derKids(s.next(0x30, "issuer"));
        const serial = derInt(s.next(0x02, "serialNumber"), "serialNumber");
        s.end();
        is = { names, serial };
      }
      id.end();
      if (k === 0) { alg = a; hash = h; issuerSerial = is; }
    }
  } catch (e) {
    if (e instanceof TokenError) throw e;
    if (!(e instanceof DerError)) throw e;
    throw ess("is unreadable");
  }
  if (!HASH_NAME[alg]) throw ess("uses an unknown hash");
  if (!bytesEqual(hash, await digestOf(alg, cert.der))) throw ess("does not name the certificate that signed the token");
  if (issuerSerial) {
    const issuerOk = issuerSerial.names.some((g) => {
      if (g.tag !== 0xa4) return false;
      try { const w = new DerSeq(g, "directoryName", 0xa4); const n = w.next(0x30, "Name"); w.end(); return bytesEqual(n.der, cert.issuer); } catch (e) { if (!(e instanceof DerError)) throw e; return false; }
    });
    if (!issuerOk || !bytesEqual(issuerSerial.serial, cert.serial)) throw ess("names another issuer or serial than the signer certificate's");
  }
}

function checkEku(cert) {
  const e = extension(cert, OID.extKeyUsage);
  const eku = (why) => tsUntrusted(`the TSA certificate's extendedKeyUsage ${why} (RFC 3161 §2.3: exactly id-kp-timeStamping, critical)`);
  if (!e) throw eku("is missing");
  if (!e.critical) throw eku("is not critical");
  let oids;
  try {
    const list = derOne(e.value);
    if (list.tag !== 0x30) throw new DerError("not a SEQUENCE");
    oids = derKids(list).map((o) => derOid(o, "KeyPurposeId"));
  } catch (err) { if (!(err instanceof DerError)) throw err; throw eku("is unreadable"); }
  if (oids.length !== 1 || oids[0] !== OID.timeStamping) throw eku(`is [${oids.join(", ")}]`);
}

function checkValidity(cert, at, atText) {
  if (at < cert.notBefore || at > cert.notAfter) throw tsUntrusted(`certificate ${cert.subjectText} is not valid at genTime ${atText} (valid ${timeText(cert.notBefore)} to ${timeText(cert.notAfter)})`);
}

// verify_token: checkpointText the note's three lines (bytes), caDers the tsa.add's `ca` (DER),
// requestNonce the request's nonce (INTEGER content bytes) or null. Throws a TokenError.
async function verifyToken(resp, checkpointText, caDers, requestNonce) {
  const p = parseResponse(resp);
  const [genText, genUnix] = genTimeOf(p.tst.genTime);

  // 2. The imprint.
  const ia = p.tst.imprintAlg;
  if (ia.oid !== OID.sha256 || (ia.params !== null && !(ia.params.tag === 0x05 && ia.params.content.length === 0))) throw new TokenError("timestamp-imprint", `the message imprint uses hash ${ia.oid}, not SHA-256`);
  const expected = sha256(checkpointText);
  if (!bytesEqual(p.tst.imprint, expected)) throw new TokenError("timestamp-imprint", `the message imprint ${hex(p.tst.imprint)} is not the SHA-256 of this checkpoint's text (${hex(expected)}): a token of another checkpoint`);

  // 3. The nonce.
  if (requestNonce !== null && (p.tst.nonce === null || !bytesEqual(p.tst.nonce, requestNonce))) {
    throw new TokenError("timestamp-nonce", `the token's nonce ${p.tst.nonce === null ? "none" : hex(p.tst.nonce)} is not the request's ${hex(requestNonce)}`);
  }

  // 4. The signer certificate and its chain.
  if (!caDers.length) throw tsUntrusted("no trust anchor for this TSA");
  const anchors = [];
  for (const [index, der] of caDers.entries()) {
    try { anchors.push(parseCertificate(derOne(der))); } catch (e) {
      if (!(e instanceof DerError)) throw e;
      throw tsUntrusted(`trust anchor ${index} is not a DER X.509 certificate: ${e.message}`);
    }
  }
  const signerCert = p.certificates.find((c) => sidMatches(p.signer.sid, c));
  if (!signerCert) throw tsUntrusted("the token does not carry the signer's certificate (named by the SignerInfo's sid)");
  await checkEssCertId(p.signer, signerCert);
  const subject = signerCert.subjectText;
  checkEku(signerCert);
  checkValidity(signerCert, genUnix, genText);
  const chainError = (reason) => tsUntrusted(`the TSA certificate ${subject} does not chain to this TSA's trust anchors: ${reason}`);
  const eeProblem = webpkiCert(signerCert);
  if (eeProblem) throw chainError(eeProblem);
  const asAnchor = caDers.findIndex((a) => bytesEqual(a, signerCert.der));
  if (asAnchor >= 0) checkValidity(anchors[asAnchor], genUnix, genText); // the TSA's own certificate as an anchor
  else {
    const intermediates = p.certificates.filter((c) => !bytesEqual(c.der, signerCert.der)).map((c) => Object.assign({}, c, { webpkiError: webpkiCert(c) }));
    const r = await buildChain([signerCert], "ee", 0, anchors, intermediates, genUnix, { signatures: 100 });
    if (!r.anchor) {
      if (r.error === "CertExpired" || r.error === "CertNotValidYet") throw tsUntrusted(`certificate ${subject} is not valid at genTime ${genText} (valid ${timeText(signerCert.notBefore)} to ${timeText(signerCert.notAfter)})`);
      throw chainError(r.error);
    }
    // webpki does not judge the anchor's own validity; an anchor expired at genTime does not
    // vouch for the token. Every anchor of that subject and key is judged, as Rust does.
    for (const a of anchors) if (bytesEqual(a.subject, r.anchor.subject) && bytesEqual(a.spki, r.anchor.spki)) checkValidity(a, genUnix, genText);
  }

  // 5. The signed attributes and the signature.
  const attrs = p.signer.signedAttrs;
  const ct = attrs.find((a) => a.oid === OID.contentType);
  let ctValue = null;
  if (ct && ct.values.length) { try { ctValue = derOid(ct.values[0], "contentType"); } catch (e) { if (!(e instanceof DerError)) throw e; } }
  if (ctValue !== OID.tstInfo) throw tsSignature("the content-type signed attribute is missing or not id-ct-TSTInfo");
  const md = attrs.find((a) => a.oid === OID.messageDigest);
  if (!md || md.values.length !== 1 || md.values[0].tag !== 0x04) throw tsSignature("the messageDigest signed attribute does not match the TSTInfo: the token was altered");
  const want = await digestOf(p.signer.digestAlg.oid, p.tstDer);
  if (!bytesEqual(md.values[0].content, want)) throw tsSignature("the messageDigest signed attribute does not match the TSTInfo: the token was altered");
  let last = null;
  for (const alg of signerAlgorithms(p.signer)) {
    const r = await verifyWith(alg, signerCert, p.signer.signedAttrsDer, p.signer.signature);
    if (r === "ok") { last = null; break; }
    const mismatch = r === "mismatch";
    if (last === null || last[0]) last = [mismatch, mismatch ? "UnsupportedSignatureAlgorithmForPublicKeyContext" : r];
  }
  if (last !== null) {
    if (last[0]) throw tsSignature(`unsupported algorithm signature ${p.signer.signatureAlg.oid} for the TSA's key (${last[1]})`);
    throw tsSignature(`the TSA's signature does not verify: ${last[1]}`);
  }
  return { genTime: genText, genTimeUnix: genUnix, serial: integerHex(p.tst.serial), policy: p.tst.policy, signer: subject, nonce: p.tst.nonce === null ? null : hex(p.tst.nonce), accuracy: p.tst.accuracy };
}
