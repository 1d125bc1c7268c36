"use strict";
// Staff console. The admin token is kept in sessionStorage and sent as a Bearer header, never in a URL.

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("staff-token") || "";

// Times are stored in UTC; staff read them in their own time zone.
const localTime = (iso) => new Date(iso).toLocaleString("zh-CN", { hour12: false });

function el(tag, attrs = {}, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) { if (k === "text") n.textContent = v; else n.setAttribute(k, v); }
  for (const c of children) n.append(c);
  return n;
}

async function api(path, opts = {}) {
  const r = await fetch(path, { ...opts, headers: { ...(opts.headers || {}), Authorization: `Bearer ${token}` } });
  if (r.status === 401) { logout(); throw new Error("令牌无效或已失效，请重新登录"); }
  return r;
}

function logout() {
  token = ""; sessionStorage.removeItem("staff-token");
  $("console").hidden = true; $("login").hidden = false; $("logout").hidden = true;
}

async function login(candidate) {
  const r = await fetch("/api/staff/session", { headers: { Authorization: `Bearer ${candidate}` } });
  if (!r.ok) throw new Error(r.status === 401 ? "令牌不正确" : `登录失败（HTTP ${r.status}）`);
  token = candidate; sessionStorage.setItem("staff-token", token);
  $("login").hidden = true; $("console").hidden = false; $("logout").hidden = false;
  loadLog(); loadDocs();
}

$("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("login-error").hidden = true;
  try { await login($("token").value); $("token").value = ""; }
  catch (err) { $("login-error").hidden = false; $("login-error").textContent = err.message; }
});
$("logout").onclick = logout;

for (const tab of document.querySelectorAll("[role=tab]")) {
  tab.onclick = () => {
    for (const t of document.querySelectorAll("[role=tab]")) t.setAttribute("aria-selected", String(t === tab));
    for (const name of ["log", "gaps", "docs"]) $(`tab-${name}`).hidden = name !== tab.dataset.tab;
    if (tab.dataset.tab === "gaps") loadGaps();
    if (tab.dataset.tab === "docs") loadDocs();
    if (tab.dataset.tab === "log") loadLog();
  };
}

function filters() {
  const p = new URLSearchParams();
  if ($("f-q").value.trim()) p.set("q", $("f-q").value.trim());
  if ($("f-refused").value) p.set("refused", $("f-refused").value);
  if ($("f-feedback").value) p.set("feedback", $("f-feedback").value);
  return p;
}

async function loadLog() {
  const r = await api(`/api/staff/questions?${filters()}&limit=200`);
  const data = await r.json();
  $("log-count").textContent = `共 ${data.total} 条`;
  const body = $("log-table").querySelector("tbody");
  body.textContent = "";
  for (const q of data.questions) {
    const cites = q.citations.map((c) => `[${c.n}] ${c.title} ${c.section}`).join("\n");
    const fb = q.feedback === 1 ? "👍" : q.feedback === -1 ? "👎" : "";
    body.append(el("tr", {}, el("td", { text: localTime(q.created_at) }), el("td", { text: q.question }),
      el("td", { text: q.refused ? "未载明" : "已回答" }), el("td", { text: cites, style: "white-space:pre-wrap" }),
      el("td", { text: fb + (q.feedback_comment ? ` ${q.feedback_comment}` : "") }), el("td", { text: `${Math.round(q.latency_ms)} ms` })));
  }
}
$("f-apply").onclick = loadLog;
$("f-q").addEventListener("keydown", (e) => { if (e.key === "Enter") loadLog(); });
$("f-csv").onclick = async () => {
  const r = await api(`/api/staff/questions.csv?${filters()}`);
  const url = URL.createObjectURL(await r.blob());
  const a = el("a", { href: url, download: "questions.csv" });
  document.body.append(a); a.click(); a.remove(); URL.revokeObjectURL(url);
};

async function loadGaps() {
  const r = await api("/api/staff/gaps");
  const data = await r.json();
  const box = $("gaps");
  box.textContent = "";
  if (!data.gaps.length) box.append(el("p", { text: "暂无未能回答或被点 👎 的问题。" }));
  for (const g of data.gaps) {
    const card = el("article", { class: "card" }, el("h3", { text: g.question }),
      el("p", { class: "meta", text: `共 ${g.count} 次（未载明 ${g.refused}，👎 ${g.thumbs_down}） · 最近 ${localTime(g.latest)}` }));
    const ul = el("ul");
    for (const ex of g.examples) ul.append(el("li", { text: ex.question + (ex.comment ? `（意见：${ex.comment}）` : "") }));
    card.append(ul);
    box.append(card);
  }
}

async function loadDocs() {
  const r = await fetch("/api/documents");
  const data = await r.json();
  $("doc-count").textContent = `共 ${data.count} 份文件`;
  const body = $("doc-table").querySelector("tbody");
  body.textContent = "";
  for (const d of data.documents) {
    const del = el("button", { type: "button", text: "删除", "aria-label": `删除 ${d.title}（${d.version_date}）` });
    del.onclick = async () => {
      if (!confirm(`确定删除《${d.title}》（${d.version_date}）？`)) return;
      const resp = await api(`/api/documents/${encodeURIComponent(d.doc_id)}`, { method: "DELETE" });
      if (resp.ok) loadDocs();
    };
    const cardBtn = el("button", { type: "button", text: "卡片", "aria-label": `编辑卡片 ${d.title}（${d.version_date}）` });
    cardBtn.onclick = () => openCard(d);
    const askedBtn = el("button", { type: "button", text: "问法", "aria-label": `编辑问法 ${d.title}（${d.version_date}）` });
    askedBtn.onclick = () => openAsked(d);
    const title = el("td");
    title.append(el("a", { href: `/documents/${encodeURIComponent(d.doc_id)}`, text: d.title }));
    if (d.superseded_by) title.append(" ", el("span", { class: "tag", text: "已有新版本" }));
    body.append(el("tr", {}, title, el("td", { text: d.version_date || "—" }), el("td", { text: String(d.chunk_count) }),
      el("td", { text: d.source }), el("td", {}, cardBtn, " ", askedBtn, " ", del)));
  }
}

// ---- document cards --------------------------------------------------------------------------
let cardDoc = null;
const splitTerms = (s) => s.split(/[、，,；;\s]+/).map((t) => t.trim()).filter(Boolean);

function showCard(c) {
  const card = c.card || {};
  $("card-governs").value = card.governs || "";
  $("card-applies").value = card.applies_to || "";
  $("card-subjects").value = (card.subjects || []).join("、");
  $("card-everyday").value = (card.everyday || []).join("、");
  $("card-status").textContent = c.edited ? "已由工作人员修改" : (c.card ? "随系统提供的卡片" : "暂无卡片：检索使用标题和章节名");
}

async function openCard(d) {
  cardDoc = d;
  $("card-title").textContent = `文档卡片：${d.title}（${d.version_date || "—"}）`;
  const r = await fetch(`/api/documents/${encodeURIComponent(d.doc_id)}/card`);
  showCard(await r.json());
  $("card-form").hidden = false;
  $("card-governs").focus();
}

async function saveCard(body) {
  const r = await api(`/api/documents/${encodeURIComponent(cardDoc.doc_id)}/card`, {
    method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const data = await r.json();
  if (!r.ok) { $("card-status").textContent = `未保存：${typeof data.detail === "string" ? data.detail : r.status}`; return; }
  showCard(data);
  $("card-status").textContent = "已保存，立即生效";
}

$("card-form").addEventListener("submit", (e) => {
  e.preventDefault();
  saveCard({ governs: $("card-governs").value.trim(), applies_to: $("card-applies").value.trim(),
    subjects: splitTerms($("card-subjects").value), everyday: splitTerms($("card-everyday").value) });
});
$("card-reset").onclick = () => saveCard({});
$("card-close").onclick = () => { $("card-form").hidden = true; cardDoc = null; };

// ---- questions written for a document's passages ------------------------------------------------
let askedDoc = null;

function showAsked(q) {
  $("asked-shipped").textContent = q.shipped.length ? `随系统提供的问法 ${q.shipped.length} 条，例如：${q.shipped.slice(0, 3).map((x) => x.question).join("；")}` : "随系统提供的问法：无";
  $("asked-lines").value = q.staff.map((x) => `${x.question}｜${x.quote}`).join("\n");
}

async function openAsked(d) {
  askedDoc = d;
  $("asked-title").textContent = `常见问法：${d.title}（${d.version_date || "—"}）`;
  $("asked-status").textContent = "";
  const r = await fetch(`/api/documents/${encodeURIComponent(d.doc_id)}/questions`);
  showAsked(await r.json());
  $("asked-form").hidden = false;
  $("asked-lines").focus();
}

$("asked-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const lines = $("asked-lines").value.split("\n").map((l) => l.trim()).filter(Boolean);
  const bad = lines.filter((l) => l.split(/[｜|]/).length !== 2);
  if (bad.length) { $("asked-status").textContent = `未保存：每行写“问法｜原文片段”：${bad[0]}`; return; }
  const questions = lines.map((l) => { const [question, quote] = l.split(/[｜|]/); return { question: question.trim(), quote: quote.trim() }; });
  $("asked-status").textContent = "保存中…";
  const r = await api(`/api/documents/${encodeURIComponent(askedDoc.doc_id)}/questions`, {
    method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ questions }) });
  const data = await r.json();
  if (!r.ok) { $("asked-status").textContent = `未保存：${typeof data.detail === "string" ? data.detail : "请检查每行的长度（问法 2–200 字，原文片段 4–200 字）"}`; return; }
  showAsked(data);
  $("asked-status").textContent = "已保存，立即生效";
});
$("asked-close").onclick = () => { $("asked-form").hidden = true; askedDoc = null; };

$("upload").addEventListener("submit", (e) => {
  e.preventDefault();
  const files = $("files").files;
  if (!files.length) return;
  const fd = new FormData();
  for (const f of files) fd.append("files", f);
  const xhr = new XMLHttpRequest();
  const bar = $("upload-progress");
  bar.hidden = false; bar.value = 0;
  $("upload-result").textContent = "上传中…";
  xhr.upload.onprogress = (ev) => { if (ev.lengthComputable) bar.value = Math.round((ev.loaded / ev.total) * 100); };
  xhr.upload.onload = () => { $("upload-result").textContent = "已上传，正在解析和入库…"; };
  xhr.onload = () => {
    bar.value = 100;
    if (xhr.status === 401) { logout(); return; }
    let s;
    try { s = JSON.parse(xhr.responseText); } catch { s = { detail: xhr.responseText }; }
    if (xhr.status !== 200) { $("upload-result").textContent = `失败：${typeof s.detail === "string" ? s.detail : xhr.status}`; return; }
    const lines = [`文件 ${s.files} 个；新文档 ${s.documents_new}，更新 ${s.documents_changed}，未变 ${s.documents_unchanged}`,
      `段落：新增 ${s.chunks_new}，未变 ${s.chunks_unchanged}，移除 ${s.chunks_removed}；用时 ${s.seconds} 秒`];
    for (const v of s.versions || []) lines.push(`识别为新版本：${v}`);
    for (const d of s.duplicates) lines.push(`重复，已跳过：${d}`);
    for (const err of s.errors) lines.push(`未入库：${err.source} —— ${err.reason}`);
    $("upload-result").textContent = lines.join("\n");
    loadDocs();
  };
  xhr.onerror = () => { $("upload-result").textContent = "网络错误，上传失败"; };
  xhr.open("POST", "/api/documents");
  xhr.setRequestHeader("Authorization", `Bearer ${token}`);
  xhr.send(fd);
});

if (token) login(token).catch(logout);
