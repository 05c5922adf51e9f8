// coachbot playground: the AI pane (Slack's assistant thread) beside the conversation.
// The server keeps the thread (bot/playground/assistant_pane.py) and signs what you do as
// Slack would: opening the pane is assistant_thread_started, typing is a message.im.
"use strict";

(function assistantPane() {
  const pane = { shown: false, version: null, persona: null, timer: null };
  const root = document.getElementById("assistant-pane");
  if (!root) return;

  const style = document.createElement("style");
  style.textContent = `
    .assistant-pane { position: fixed; top: 46px; right: 0; bottom: 0; width: 380px; display: flex; flex-direction: column;
      background: #fff; border-left: 1px solid #ddd; box-shadow: -4px 0 12px rgba(0,0,0,.08); z-index: 20; }
    .pa-head { display: flex; align-items: center; gap: 8px; padding: 10px 12px; border-bottom: 1px solid #eee; }
    .pa-head h2 { font-size: 15px; margin: 0; flex: 1; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .pa-x, .pa-new { font: inherit; background: none; border: 1px solid #ccc; border-radius: 4px; cursor: pointer; padding: 1px 8px; }
    .pa-thread { flex: 1; overflow-y: auto; padding: 8px 4px; }
    .pa-prompts { display: flex; flex-wrap: wrap; gap: 6px; padding: 8px 12px; border-top: 1px solid #eee; }
    .pa-prompt { font: inherit; font-size: 13px; background: #f4ede4; border: 1px solid #e3d6c6; border-radius: 14px;
      padding: 3px 10px; cursor: pointer; }
    .pa-status { font-size: 13px; color: #616061; padding: 0 12px 6px; font-style: italic; min-height: 1.2em; }
    .pa-votes { display: flex; gap: 4px; padding: 0 0 6px 60px; }
    .pa-vote { font: inherit; background: none; border: 1px solid #ddd; border-radius: 4px; cursor: pointer; }
    .pa-vote.pa-voted { background: #e8f5fa; border-color: #1d9bd1; }
    .pa-streaming { padding-left: 60px; color: #888; }
    .pa-composer { display: flex; gap: 6px; padding: 8px 12px 12px; }
    .pa-composer textarea { flex: 1; font: inherit; resize: none; border: 1px solid #bbb; border-radius: 6px; padding: 6px; }
    .pa-composer button { font: inherit; font-weight: 700; background: #007a5a; color: #fff; border: 0; border-radius: 6px; padding: 0 12px; cursor: pointer; }
    .pa-open { display: block; margin: 4px 16px; font: inherit; font-size: 14px; color: #fff; background: rgba(255,255,255,.1);
      border: 1px solid rgba(255,255,255,.3); border-radius: 6px; padding: 4px 8px; cursor: pointer; text-align: left; }
    .assistant-pane .pg-btn { opacity: .55; cursor: not-allowed; }
  `;
  document.head.appendChild(style);

  root.classList.add("assistant-pane");
  root.setAttribute("aria-label", "coachbot assistant");
  root.innerHTML = `
    <div class="pa-head"><span aria-hidden="true">✨</span><h2 id="pa-title">Assistant</h2>
      <button type="button" class="pa-new" title="Start a new thread">New</button>
      <button type="button" class="pa-x" aria-label="Close the assistant">×</button></div>
    <div class="pa-thread" id="pa-thread" aria-live="polite"></div>
    <div class="pa-status" id="pa-status"></div>
    <div class="pa-prompts" id="pa-prompts"></div>
    <form class="pa-composer" id="pa-composer" autocomplete="off">
      <textarea id="pa-text" rows="2" aria-label="Ask the assistant" placeholder="Ask about your coaching…"></textarea>
      <button type="submit">Ask</button>
    </form>`;
  root.hidden = true;

  const opener = document.createElement("button");
  opener.type = "button";
  opener.className = "pa-open";
  opener.id = "assistant-open";
  opener.textContent = "✨ Assistant";
  const apps = document.querySelector(".sidebar [data-conv='dm']");
  (apps ? apps.parentNode : document.body).insertBefore(opener, apps ? apps.nextSibling : null);

  function persona() { return (typeof ui !== "undefined" && ui.persona) || "URILEY"; }

  async function send(verb, body = {}) {
    const resp = await fetch("/pg/assistant/" + verb, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ persona: persona(), ...body }),
    });
    const data = await resp.json().catch(() => ({}));
    if (data.error && typeof toast === "function") toast(data.error, true);
    return data;
  }

  function draw(state) {
    document.getElementById("pa-title").textContent = state.title || "Assistant";
    document.getElementById("pa-status").textContent = state.status ? "coachbot " + state.status : "";
    document.getElementById("pa-thread").innerHTML = state.html || "";
    const prompts = document.getElementById("pa-prompts");
    prompts.innerHTML = "";
    for (const p of state.prompts || []) {
      const b = document.createElement("button");
      b.type = "button"; b.className = "pa-prompt"; b.textContent = p.title; b.dataset.message = p.message;
      prompts.appendChild(b);
    }
    const thread = document.getElementById("pa-thread");
    thread.scrollTop = thread.scrollHeight;
  }

  async function refresh() {
    if (!pane.shown) return;
    try {
      const state = await (await fetch(`/pg/assistant?persona=${persona()}`)).json();
      if (pane.persona !== persona()) { pane.persona = persona(); pane.version = null; if (!state.open) await send("open"); }
      if (state.version !== pane.version) { pane.version = state.version; draw(state); }
    } catch (err) { /* the server restarts on Reset: try again on the next tick */ }
  }

  // Below the top bar, whose height changes when it wraps in a narrow window.
  function place() {
    const bar = document.querySelector(".topbar");
    if (bar) root.style.top = Math.ceil(bar.getBoundingClientRect().bottom) + "px";
  }
  window.addEventListener("resize", place);

  async function show() {
    pane.shown = true; root.hidden = false; pane.persona = persona(); place();
    const state = await (await fetch(`/pg/assistant?persona=${persona()}`)).json();
    if (!state.open) await send("open");
    pane.version = null;
    await refresh();
    if (!pane.timer) pane.timer = setInterval(refresh, 300);
  }

  function hide() { pane.shown = false; root.hidden = true; clearInterval(pane.timer); pane.timer = null; }

  async function ask(text) {
    if (!text.trim()) return;
    await send("ask", { text });
    pane.version = null; refresh();
  }

  opener.addEventListener("click", (ev) => { ev.stopPropagation(); if (pane.shown) hide(); else show(); });

  // Clicks inside the pane are the pane's: the page's own handler looks for messages of the
  // open conversation, which these are not.
  root.addEventListener("click", async (ev) => {
    ev.stopPropagation();
    const t = ev.target.closest("button");
    if (!t) return;
    if (t.classList.contains("pa-x")) { hide(); return; }
    if (t.classList.contains("pa-new")) { await send("open"); pane.version = null; refresh(); return; }
    if (t.classList.contains("pa-prompt")) { await ask(t.dataset.message); return; }
    if (t.classList.contains("pa-vote")) {
      await send("vote", { ts: t.closest(".pa-votes").dataset.ts, value: t.dataset.vote });
      pane.version = null; refresh();  // the server draws the pressed button
    }
  });

  document.getElementById("pa-composer").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const ta = document.getElementById("pa-text");
    const text = ta.value; ta.value = "";
    await ask(text);
  });
  document.getElementById("pa-text").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); document.getElementById("pa-composer").requestSubmit(); }
  });
})();
