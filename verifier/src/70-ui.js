// The page: the file input and drop zone, the progress bar, and the result, written with
// createElement and textContent only (never innerHTML): nothing from the bundle is markup.

const MAX_SHOWN_FINDINGS = 200, MAX_SHOWN_EXHIBITS = 300, MAX_SHOWN_EVENTS = 200, MAX_TEXT = 400;
let lang = pickLanguage(navigator.language);
let lastResult = null;
let running = false;

function cut(value) {
  const s = shown(value === undefined || value === null ? "" : value);
  return s.length > MAX_TEXT ? s.slice(0, MAX_TEXT) + "…" : s;
}
function el(tag, cls, ...children) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
  }
  return e;
}
function t(key, ...args) { const v = T[lang][key]; return typeof v === "function" ? v(...args) : v; }
function bytesText(n) {
  if (!isInt(n)) return cut(n);
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let v = n, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return u === 0 ? `${n} bytes` : `${v.toFixed(1)} ${units[u]} (${n} bytes)`;
}
function dl(rows) {
  const d = el("dl", "facts");
  for (const [k, v, cls] of rows) {
    if (v === undefined || v === null || v === "") continue;
    d.appendChild(el("dt", null, k));
    d.appendChild(el("dd", cls || null, typeof v === "string" || typeof v === "number" ? cut(v) : v));
  }
  return d;
}
function fingerprintNode(fp) {
  if (!fp) return "—";
  const s = cut(fp);
  return el("span", "fp", s.replace(/(.{4})/g, "$1 ").trim());
}
function keyName(result, keyId) {
  const k = (result.keys || []).find((x) => x.keyId === keyId);
  return k ? `${cut(k.name)}${k.fullName ? " (" + cut(k.fullName) + ")" : ""}` : cut(keyId);
}

function utcText(time) { return cut(time).replace("T", " ").replace(/Z$/, ""); }
function checkOf(f) {
  if (String(f.where).startsWith("proof ")) return "proofs";
  const c = CODES[f.code];
  return c ? c[0] : "ledger";
}
function codeText(code) {
  const c = CODES[code];
  return c ? c[1 + LANGS.indexOf(lang)] : "";
}

function render() {
  const out = document.getElementById("result");
  out.replaceChildren();
  const r = lastResult;
  if (!r) return;
  const errors = r.findings.filter((f) => f.severity === "error").length;
  const warnings = r.findings.length - errors;

  // 1. The verdict, first and big.
  const v = el("section", "verdict " + (r.ok ? "ok" : "failed"));
  v.setAttribute("id", "verdict");
  v.setAttribute("data-verdict", r.ok ? "OK" : "FAILED");
  v.appendChild(el("div", "verdict-word", r.ok ? t("verdict_ok") : t("verdict_failed")));
  v.appendChild(el("p", "verdict-text", r.refused ? t("verdict_refused_text") : r.ok ? t("verdict_ok_text") : t("verdict_failed_text", errors)));
  if (!r.ok) {
    const failed = CHECK_ORDER.filter((c) => r.findings.some((f) => f.severity === "error" && checkOf(f) === c));
    const ul = el("ul", "verdict-failed");
    for (const c of failed) ul.appendChild(el("li", null, `${T[lang].short[c]} — ${T[lang].checks[c]}`));
    v.appendChild(el("p", "verdict-what", t("failed_checks")));
    v.appendChild(ul);
  }
  if (warnings && !r.refused) v.appendChild(el("p", "verdict-warn", t("warnings_text", warnings)));
  v.appendChild(el("p", "verdict-file", `${t("file")}${cut(r.file)} — ${bytesText(r.size)}${r.elapsedMs !== undefined ? ` — ${t("checked_in")} ${(r.elapsedMs / 1000).toFixed(1)} s` : ""}`));
  out.appendChild(v);

  // 2. The case.
  if (r.identity) {
    const id = r.identity;
    const s = el("section", "case");
    s.appendChild(el("h2", null, t("case_h")));
    if (!r.ok) s.appendChild(el("p", "unverified", t("unverified")));
    s.appendChild(dl([
      [t("case_id"), id.caseId], [t("case_title"), id.title], [t("court"), id.court],
      [t("jurisdiction"), id.jurisdiction === undefined ? undefined : (T[lang].juris[id.jurisdiction] || id.jurisdiction)],
      [t("created"), isUtcTime(id.created) ? utcText(id.created) + " UTC" : id.created], [t("entries"), id.ledgerSize], [t("exhibits_n"), r.exhibitCount],
      [t("origin"), id.origin, "mono"], [t("root"), id.root, "mono"],
    ]));
    out.appendChild(s);

    // 3. Who signed, with the fingerprints to compare out of band.
    const k = el("section", "keys");
    k.appendChild(el("h2", null, t("keys_h")));
    const who = (name, full, role) => `${cut(name)}${full ? " — " + cut(full) : ""}${role ? ` (${t("role")} ${cut(role)})` : ""}`;
    k.appendChild(el("h3", null, t("admin")));
    k.appendChild(dl([[t("name_role"), who(id.admin, id.adminFullName, id.adminRole)], [t("fingerprint"), fingerprintNode(id.adminFingerprint)]]));
    k.appendChild(el("h3", null, t("signer")));
    k.appendChild(dl([[t("name_role"), id.signer === null || id.signer === undefined ? "—" : who(id.signer, id.signerFullName)], [t("fingerprint"), fingerprintNode(id.signerFingerprint)]]));
    if (id.signerFingerprint && id.signerFingerprint === id.adminFingerprint) k.appendChild(el("p", "same", t("same_key")));
    k.appendChild(el("p", "oob", t("oob")));
    if (r.keys && r.keys.length) {
      const det = el("details", null, el("summary", null, `${t("keys_all")} (${r.keys.length})`));
      const ul = el("ul", "keylist");
      for (const key of r.keys.slice(0, 100)) {
        ul.appendChild(el("li", null, `${who(key.name, key.fullName, key.role)} — ${key.keyId}${key.active ? "" : " — " + t("revoked")}`, el("br"), fingerprintNode(key.fingerprint)));
      }
      det.appendChild(ul);
      k.appendChild(det);
    }
    out.appendChild(k);
  }

  // 4. The exhibits and their custody timelines.
  if (r.exhibits) {
    const s = el("section", "exhibits");
    s.appendChild(el("h2", null, t("exhibits_h")));
    if (!r.exhibits.length) s.appendChild(el("p", null, t("no_exhibit")));
    for (const ex of r.exhibits.slice(0, MAX_SHOWN_EXHIBITS)) s.appendChild(renderExhibit(r, ex));
    if (r.exhibits.length > MAX_SHOWN_EXHIBITS) s.appendChild(el("p", "more", t("more_exhibits", r.exhibits.length - MAX_SHOWN_EXHIBITS)));
    if (r.witnesses && r.witnesses.length) {
      s.appendChild(el("h3", null, t("witnesses_h")));
      const ul = el("ul");
      const seen = new Set();
      const witnesses = r.witnesses.filter((w) => { const k = `${w.name}\u0000${w.size}\u0000${w.time}`; const fresh = !seen.has(k); seen.add(k); return fresh; });
      for (const w of witnesses.slice(0, 100)) ul.appendChild(el("li", null, t("witness_line", cut(w.name), w.size, utcText(formatTimestamp(w.time)))));
      s.appendChild(ul);
    }
    if (r.timestamps && r.timestamps.length) {
      s.appendChild(el("h3", null, t("timestamps_h")));
      const ul = el("ul", "timestamps");
      for (const ts of r.timestamps.slice(0, 100)) {
        const li = el("li", null, t("timestamp_line", ts.size, cut(ts.tsa), utcText(ts.genTime), cut(ts.serial), cut(ts.signer)));
        for (const [k, v] of [["tsa", ts.tsa], ["size", ts.size], ["time", ts.genTime], ["serial", ts.serial]]) li.setAttribute(`data-${k}`, String(v));
        ul.appendChild(li);
      }
      s.appendChild(ul);
    }
    out.appendChild(s);
  }

  // 5. The checks, and every problem under its check.
  const s = el("section", "checks");
  s.appendChild(el("h2", null, t("checks_h")));
  const byCheck = new Map(CHECK_ORDER.map((c) => [c, []]));
  for (const f of r.findings) byCheck.get(checkOf(f)).push(f);
  const ol = el("ol", "checklist");
  for (const c of CHECK_ORDER) {
    const fs = byCheck.get(c);
    const errs = fs.filter((f) => f.severity === "error").length;
    let status, cls;
    if (r.refused && c !== "archive") { status = t("check_na"); cls = "na"; }
    else if (errs) { status = t("check_failed"); cls = "bad"; }
    else if (fs.length) { status = t("check_warn"); cls = "warn"; }
    else { status = t("check_ok"); cls = "good"; }
    const li = el("li", "check " + cls);
    li.setAttribute("data-check", c);
    li.appendChild(el("span", "mark", cls === "good" ? "✔" : cls === "bad" ? "✘" : cls === "warn" ? "!" : "–"));
    li.appendChild(el("span", "check-name", T[lang].checks[c]));
    li.appendChild(el("span", "check-status", status));
    if (fs.length) li.appendChild(renderFindings(fs));
    ol.appendChild(li);
  }
  s.appendChild(ol);
  out.appendChild(s);

  // 6. What this page does not check.
  const nc = el("section", "notchecked");
  nc.appendChild(el("h2", null, t("not_checked_h")));
  const ul = el("ul");
  ul.appendChild(el("li", null, t("nc_kit")));
  ul.appendChild(el("li", null, t("nc_trusted")));
  ul.appendChild(el("li", null, t("nc_pades")));
  nc.appendChild(ul);
  out.appendChild(nc);
}

// The findings of one check, grouped by code: the plain sentence once, then where and what.
function renderFindings(fs) {
  const ul = el("ul", "findings");
  const groups = new Map();
  for (const f of fs) {
    const k = f.severity + " " + f.code;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(f);
  }
  for (const group of groups.values()) {
    const f = group[0];
    const li = el("li", "finding " + f.severity);
    li.setAttribute("data-code", f.code);
    li.appendChild(el("span", "sev", f.severity === "error" ? t("sev_error") : t("sev_warning")));
    li.appendChild(el("code", "code", f.code));
    li.appendChild(el("span", "plain", codeText(f.code)));
    if (group.length > 1) li.appendChild(el("span", "count", ` (${t("times", group.length)})`));
    const details = el("ul", "details");
    const line = (x) => el("li", "detail", el("span", "where", cut(x.where).replace(/^entry (\d+)$/, `${t("t_entry")} $1`)), ` — ${cut(x.message)}`);
    for (const x of group.slice(0, 3)) details.appendChild(line(x));
    if (group.length > 3) {
      const more = el("details", "more-details", el("summary", null, t("more_details", group.length - 3)));
      const rest = el("ul", "details");
      for (const x of group.slice(3, MAX_SHOWN_FINDINGS)) rest.appendChild(line(x));
      if (group.length > MAX_SHOWN_FINDINGS) rest.appendChild(el("li", "more", t("more_findings", group.length - MAX_SHOWN_FINDINGS)));
      more.appendChild(rest);
      details.appendChild(el("li", null, more));
    }
    li.appendChild(details);
    ul.appendChild(li);
  }
  return ul;
}

function renderExhibit(r, ex) {
  const box = el("article", "exhibit");
  const b = ex.body, a = b.artifact;
  const title = `${cut(ex.id)}${has(b, "description") ? " — " + cut(b.description) : ""}`;
  box.appendChild(el("h3", null, title));
  const name = cut(String(a.path_given || "").split("/").filter(Boolean).pop() || a.path_given);
  const carried = (r.carried || []).includes(ex.id);
  box.appendChild(dl([
    [t("kind"), `${T[lang].kinds[a.kind] || cut(a.kind)}${t("colon")}${name}${isInt(get(a, "file_count")) ? ` (${t("files_n", a.file_count)})` : ""}`],
    [t("size"), bytesText(a.size)],
    [t("sha"), cut(a.hashes.sha256), "mono"],
    [t("seal_no"), ex.sealNo],
    [t("state"), T[lang].st[ex.state] || ex.state],
    [t("holder"), keyName(r, ex.holder)],
    [t("carried"), carried ? t("carried_yes") : t("carried_no")],
  ]));
  const table = el("table", "timeline");
  table.appendChild(el("caption", null, t("timeline")));
  const head = el("tr", null, el("th", "c-date", t("t_date")), el("th", "c-entry", t("t_entry")), el("th", "c-event", t("t_event")), el("th", "c-by", t("t_by")), el("th", null, t("t_detail")));
  table.appendChild(el("thead", null, head));
  const tbody = el("tbody");
  for (const e of ex.timeline.slice(0, MAX_SHOWN_EVENTS)) {
    const d = e.detail || {};
    let detail = "";
    if (e.kind === "seal" && d.seal_no !== undefined) detail = `${t("seal_no")}${t("colon")}${cut(d.seal_no)}`;
    if (e.kind === "release") detail = `${t("to")} ${keyName(r, d.to)} — ${cut(d.purpose)}`;
    if (e.kind === "accept" || e.kind === "reseal") detail = (d.seal_no !== undefined ? `${t("seal_no")}${t("colon")}${cut(d.seal_no)} — ` : "") + (d.matches ? t("matches_ok") : t("matches_bad"));
    if (e.kind === "open") detail = cut(d.operations);
    if (e.kind === "note") detail = cut(d.text);
    if (e.kind === "dispose") detail = cut(d.how);
    if (e.kind === "ioc.scan") detail = t("findings_n", d.matches);
    if (e.kind === "ioc.review") detail = t("review_detail", cut(d.scan), cut(d.finding), T[lang].decision[d.decision] || cut(d.decision), cut(d.reason));
    const tr = el("tr", e.kind === "accept" || e.kind === "reseal" ? (d.matches ? null : "mismatch") : null,
      el("td", "c-date mono", utcText(e.time)), el("td", "c-entry", String(e.seq)), el("td", "c-event", T[lang].ev[e.kind] || e.kind),
      el("td", null, keyName(r, e.signer)), el("td", null, detail));
    tbody.appendChild(tr);
  }
  table.appendChild(tbody);
  box.appendChild(table);
  if (ex.timeline.length > MAX_SHOWN_EVENTS) box.appendChild(el("p", "more", t("more_events", ex.timeline.length - MAX_SHOWN_EVENTS)));
  return box;
}

function applyLanguage() {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.getAttribute("data-t"));
  document.title = `scelle — ${t("title")}`;
  for (const b of document.querySelectorAll("#langs button")) b.setAttribute("aria-pressed", String(b.getAttribute("data-lang") === lang));
  render();
}

function setProgress(p) {
  const bar = document.getElementById("bar"), label = document.getElementById("phase");
  document.getElementById("progress").hidden = false;
  if (p.phase === "hash" && p.total) { bar.max = p.total; bar.value = p.done; label.textContent = `${t("phase_hash")} — ${Math.floor((100 * p.done) / p.total)} %`; }
  else if (p.phase === "ledger") { if (p.total) { bar.max = p.total; bar.value = p.done; } else bar.removeAttribute("value"); label.textContent = t("phase_ledger"); }
  else if (p.phase === "checkpoints") { bar.removeAttribute("value"); label.textContent = t("phase_checkpoints"); }
  else if (p.phase === "timestamps") { bar.removeAttribute("value"); label.textContent = t("phase_timestamps"); }
}

async function run(file) {
  if (running || !file) return;
  running = true;
  lastResult = null;
  render();
  document.body.setAttribute("data-state", "running");
  document.getElementById("progress").hidden = false;
  document.getElementById("phase").textContent = t("reading");
  try {
    lastResult = await verifyBundle(file, setProgress);
  } catch (e) {
    lastResult = { file: file.name, size: file.size, ok: false, refused: String(e && e.message || e),
      findings: [{ severity: "error", code: "cannot-verify", where: file.name, message: String(e && e.message || e), part: "bag" }] };
  }
  document.getElementById("progress").hidden = true;
  running = false;
  render();
  document.body.setAttribute("data-state", "done");
  document.getElementById("verdict").scrollIntoView({ block: "start" });
}

function setup() {
  const input = document.getElementById("file");
  input.addEventListener("change", () => run(input.files[0]));
  const zone = document.getElementById("drop");
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("over"); if (e.dataTransfer.files.length) run(e.dataTransfer.files[0]); });
  // A file dropped elsewhere on the page is not opened by the browser.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
  for (const b of document.querySelectorAll("#langs button")) b.addEventListener("click", () => { lang = b.getAttribute("data-lang"); applyLanguage(); });
  document.getElementById("print").addEventListener("click", () => window.print());
  applyLanguage();
  document.body.setAttribute("data-state", "ready");
}
setup();
