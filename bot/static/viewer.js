"use strict";
// Source viewer: the whole document with the cited passage highlighted and scrolled into view.
(async () => {
  const docId = decodeURIComponent(location.pathname.split("/").pop());
  const params = new URLSearchParams(location.search);
  const start = Number(params.get("start"));
  const end = Number(params.get("end"));
  const textEl = document.getElementById("text");
  const r = await fetch(`/api/documents/${encodeURIComponent(docId)}`);
  if (!r.ok) { textEl.textContent = r.status === 404 ? "找不到这份文件（可能已被删除）。" : `加载失败（HTTP ${r.status}）`; return; }
  const doc = await r.json();
  document.title = `${doc.title} — 科学城政策助手`;
  document.getElementById("title").textContent = doc.title;
  document.getElementById("meta").textContent = `版本日期：${doc.version_date || "未注明"} · 文件：${doc.source}`;
  if (params.get("section")) document.getElementById("section").textContent = `引用位置：${params.get("section")}`;
  if (doc.superseded_by) {
    const n = document.getElementById("notice");
    n.hidden = false;
    n.append("注意：本文件已有更新的版本，此处内容可能已过时。");
    const a = document.createElement("a");
    a.href = `/documents/${encodeURIComponent(doc.superseded_by)}`;
    a.textContent = "查看新版本";
    n.append(" ", a);
  }
  textEl.textContent = "";
  const valid = Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= doc.text.length;
  if (!valid) { textEl.textContent = doc.text; return; }
  const mark = document.createElement("mark");
  mark.id = "cited";
  mark.textContent = doc.text.slice(start, end);
  textEl.append(doc.text.slice(0, start), mark, doc.text.slice(end));
  mark.setAttribute("tabindex", "-1");
  mark.scrollIntoView({ block: "center" });
  mark.focus({ preventScroll: true });
})();
