"use strict";
// Chat page: streams answers from /api/chat/stream, renders [n] as citation chips that open the
// source viewer, keeps the conversation for follow-ups, and records 👍/👎.

const conv = document.getElementById("conversation");
const form = document.getElementById("ask-form");
const input = document.getElementById("question");
const sendBtn = document.getElementById("send");
let history = [];

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function viewerUrl(c) {
  const p = new URLSearchParams({ start: c.start, end: c.end, section: c.section || "" });
  return `/documents/${encodeURIComponent(c.doc_id)}?${p}`;
}

// Answer text with every [n] turned into a link to its quote.
function renderAnswer(container, text, citations) {
  container.textContent = "";
  const byN = new Map(citations.map((c) => [c.n, c]));
  let last = 0;
  for (const m of text.matchAll(/\[(\d{1,2})\]/g)) {
    const c = byN.get(Number(m[1]));
    appendQuote(container, text.slice(last, m.index), c);
    if (c) {
      container.append(el("a", { class: "chip", href: viewerUrl(c), target: "_blank", rel: "noopener",
        "aria-label": `出处 ${c.n}：${c.title} ${c.section}`, title: `${c.title} ${c.section}（${c.version_date}）`, text: `${c.n}` }));
    } else {
      container.append(m[0]);
    }
    last = m.index + m[0].length;
  }
  container.append(text.slice(last));
}

// A quote with its answering spans (the figure or period asked) in bold; other text as it is.
function appendQuote(container, segment, c) {
  if (!c || !c.highlights || !c.highlights.length || !segment.endsWith(c.quote)) {
    container.append(segment);
    return;
  }
  container.append(segment.slice(0, segment.length - c.quote.length));
  let pos = 0;
  for (const h of c.highlights) {
    const s = h.start - c.start, e = h.end - c.start;
    if (s < pos || e > c.quote.length) continue;
    container.append(c.quote.slice(pos, s));
    container.append(el("strong", { class: "fact", text: c.quote.slice(s, e) }));
    pos = e;
  }
  container.append(c.quote.slice(pos));
}

function sourcesText(text, citations) {
  const lines = [text, "", "出处："];
  for (const c of citations) {
    lines.push(`[${c.n}] 《${c.title}》${c.section}（${c.version_date}）：${c.quote} ${location.origin}${viewerUrl(c)}`);
  }
  return lines.join("\n");
}

function feedbackBar(box, data) {
  const bar = el("div", { class: "actions" });
  const note = el("span", { class: "note", role: "status" });
  const up = el("button", { type: "button", "aria-pressed": "false", "aria-label": "有帮助", text: "👍 有帮助" });
  const down = el("button", { type: "button", "aria-pressed": "false", "aria-label": "没帮助", text: "👎 没帮助" });
  const copy = el("button", { type: "button", text: "复制答案及出处" });
  const commentRow = el("div", { class: "comment", hidden: "" });
  const commentInput = el("input", { type: "text", maxlength: "1000", "aria-label": "补充意见（可选）", placeholder: "补充意见（可选），例如缺少什么信息" });
  const commentBtn = el("button", { type: "button", text: "提交意见" });
  commentRow.append(commentInput, commentBtn);

  async function send(value, comment) {
    if (data.question_id == null) { note.textContent = "（未记录）"; return; }
    const r = await fetch("/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question_id: data.question_id, value, comment: comment || null }) });
    note.textContent = r.ok ? "已记录，谢谢！" : "记录失败，请稍后再试";
  }
  up.onclick = () => { up.setAttribute("aria-pressed", "true"); down.setAttribute("aria-pressed", "false"); send(1); };
  down.onclick = () => {
    down.setAttribute("aria-pressed", "true"); up.setAttribute("aria-pressed", "false");
    commentRow.hidden = false; commentInput.focus(); send(-1);
  };
  commentBtn.onclick = () => { send(down.getAttribute("aria-pressed") === "true" ? -1 : 1, commentInput.value); commentRow.hidden = true; };
  copy.onclick = async () => {
    const text = sourcesText(data.answer, data.citations);
    try { await navigator.clipboard.writeText(text); note.textContent = "已复制"; }
    catch { const t = el("textarea"); t.value = text; document.body.append(t); t.select(); document.execCommand("copy"); t.remove(); note.textContent = "已复制"; }
  };
  bar.append(up, down, copy, note, commentRow);
  box.append(bar);
}

function finish(box, textNode, data) {
  box.classList.toggle("refused", data.refused);
  const badge = box.querySelector(".badge");
  badge.className = "badge " + (data.refused ? "refused" : "answered");
  badge.textContent = data.refused ? "知识库未载明" : "已找到原文依据";
  renderAnswer(textNode, data.answer, data.citations);
  if (data.citations.length) {
    const list = el("ol", { class: "sources", "aria-label": "出处" });
    for (const c of data.citations) {
      const li = el("li");
      li.append(el("a", { href: viewerUrl(c), target: "_blank", rel: "noopener", text: `[${c.n}] 《${c.title}》${c.section}` }),
        ` （${c.version_date}${c.superseded_by ? "，已有新版本" : ""}）`);
      list.append(li);
    }
    box.append(list);
  }
  if (data.refused && data.related && data.related.length) {
    const rel = el("div", { class: "related" }, el("h3", { text: "相关段落（不含所问的具体内容）" }));
    for (const r of data.related.slice(0, 3)) {
      const c = { doc_id: r.doc_id, start: r.start, end: r.end, section: r.section };
      rel.append(el("p", {}, el("a", { href: viewerUrl(c), target: "_blank", rel: "noopener", text: `《${r.title}》${r.section}` }),
        "：" + r.text.slice(0, 80) + (r.text.length > 80 ? "…" : "")));
    }
    box.append(rel);
  }
  feedbackBar(box, data);
}

async function ask(question) {
  conv.append(el("div", { class: "msg user", text: question }));
  const box = el("div", { class: "msg bot", "aria-busy": "true" });
  const badge = el("span", { class: "badge", text: "正在查找…" });
  const textNode = el("div", { class: "answer-text" });
  box.append(badge, textNode);
  conv.append(box);
  box.scrollIntoView({ block: "end" });
  sendBtn.disabled = true;
  let data = null;
  try {
    const resp = await fetch("/api/chat/stream", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ question, history: history.slice(-10) }) });
    if (!resp.ok) {
      const err = await resp.json().catch(() => ({}));
      throw new Error(typeof err.detail === "string" ? err.detail : (err.detail?.[0]?.msg || `HTTP ${resp.status}`));
    }
    const reader = resp.body.getReader();
    const decoder = new TextDecoder();
    let buf = "";
    let streamed = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      let idx;
      while ((idx = buf.indexOf("\n\n")) >= 0) {
        const block = buf.slice(0, idx); buf = buf.slice(idx + 2);
        const event = (block.match(/^event: (.*)$/m) || [])[1];
        const payload = JSON.parse((block.match(/^data: (.*)$/m) || [])[1] || "{}");
        if (event === "delta") { streamed += payload.text; textNode.textContent = streamed; }
        else if (event === "done") { data = payload; }
      }
    }
    if (!data) throw new Error("回答不完整，请重试");
    finish(box, textNode, data);
    history.push({ role: "user", content: question }, { role: "assistant", content: data.answer });
  } catch (e) {
    badge.className = "badge refused";
    badge.textContent = "出错了";
    textNode.textContent = String(e.message || e);
  } finally {
    box.setAttribute("aria-busy", "false");
    sendBtn.disabled = false;
    input.focus();
  }
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const q = input.value.trim();
  if (!q) return;
  input.value = "";
  ask(q);
});
input.addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
});
document.getElementById("new-chat").onclick = () => { history = []; conv.textContent = ""; input.focus(); };
for (const b of document.querySelectorAll("#suggest button")) b.onclick = () => ask(b.dataset.q);

// 政策匹配
const matchBtn = document.getElementById("match-btn");
const matchOut = document.getElementById("match-results");
matchBtn.onclick = async () => {
  const profile = document.getElementById("profile").value.trim();
  matchOut.textContent = "";
  if (!profile) { matchOut.append(el("p", { class: "notice", text: "请先写下您的情况。" })); return; }
  matchBtn.disabled = true;
  try {
    const r = await fetch("/api/match", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ profile }) });
    const data = await r.json();
    if (!r.ok) throw new Error(typeof data.detail === "string" ? data.detail : "请求有误");
    if (!data.matches.length) {
      matchOut.append(el("p", { class: "notice", text: data.message || "知识库中没有找到与您情况相符的政策。" }));
    }
    for (const m of data.matches) {
      const card = el("article", { class: "card" }, el("h3", { text: m.programme.name }),
        el("span", { class: "tag", text: m.programme.category_label || m.programme.category }));
      const addList = (title, items) => {
        if (!items.length) return;
        const ul = el("ul");
        for (const it of items) ul.append(el("li", { text: typeof it === "string" ? it : (it.text || it.quote || "") }));
        card.append(el("p", { class: "meta", text: title }), ul);
      };
      addList("与您情况相关的原文（不代表已符合条件）", m.met);
      addList("需核实 / 原文未列明", m.unknown);
      card.append(el("p", { text: "下一步：" + m.next_step }));
      for (const c of m.citations) {
        card.append(el("a", { class: "chip", href: viewerUrl(c), target: "_blank", rel: "noopener", text: `${c.n}`, "aria-label": `出处 ${c.n}：${c.title}` }));
      }
      matchOut.append(card);
    }
  } catch (e) {
    matchOut.append(el("p", { class: "notice", text: String(e.message || e) }));
  } finally { matchBtn.disabled = false; }
};
