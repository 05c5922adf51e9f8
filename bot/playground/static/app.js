// coachbot playground: the page. It draws what the server renders and turns clicks into
// requests to /pg/...; the server signs them as Slack would and sends them to the app.
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

const saved = JSON.parse(localStorage.getItem("coachbot-playground") || "{}");
const ui = {
  persona: saved.persona || "URILEY",
  conv: saved.conv || "CSALES",   // a channel id, or "dm" for the DM with coachbot
  tab: saved.tab || "messages",   // in the DM: "home" or "messages"
  version: null,
  modalKey: null,
  homeId: null,
  config: null,
  poll: null,
};

function remember() {
  localStorage.setItem("coachbot-playground", JSON.stringify({ persona: ui.persona, conv: ui.conv, tab: ui.tab }));
}

function me() { return ui.config.personas.find((p) => p.id === ui.persona) || ui.config.personas[0]; }
function convId() { return ui.conv === "dm" ? me().dm : ui.conv; }
function convName() {
  if (ui.conv === "dm") return "coachbot";
  const ch = ui.config.channels.find((c) => c.id === ui.conv);
  return ch ? "#" + ch.name : ui.conv;
}

function toast(text, bad = false) {
  const el = $("#toast");
  el.textContent = text;
  el.classList.toggle("bad", bad);
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, bad ? 6000 : 3500);
}

async function post(verb, body = {}) {
  const resp = await fetch("/pg/" + verb, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ persona: ui.persona, conv: convId(), ...body }),
  });
  let data = {};
  try { data = await resp.json(); } catch (e) { data = { error: "The playground did not answer (HTTP " + resp.status + ")." }; }
  if (data.error) toast(data.error, true);
  return data;
}

// -- drawing ---------------------------------------------------------------------------

function drawChrome() {
  const buttons = ui.config.personas.map((p) =>
    `<button type="button" class="persona" role="radio" data-persona="${p.id}" aria-checked="${p.id === ui.persona}" title="${p.name}, ${p.role} (${p.tz})">` +
    `<span class="dot" style="background:${p.color}">${p.name[0]}</span>${p.name} <small>${p.role}</small></button>`).join("");
  $("#persona-buttons").innerHTML = buttons;
  $("#channel-links").innerHTML = ui.config.channels.map((c) =>
    `<a href="#" class="conv" data-conv="${c.id}"><span class="hash">#</span>${c.name}</a>`).join("");
  $$(".conv").forEach((a) => a.classList.toggle("active", a.dataset.conv === ui.conv));
  $("#conv-title").textContent = convName();
  const inDm = ui.conv === "dm";
  $("#tabs").hidden = !inDm;
  const showHome = inDm && ui.tab === "home";
  $$("#tabs button").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === (inDm ? ui.tab : ""))));
  $("#messages").hidden = showHome;
  $("#home").hidden = !showHome;
  $("#composer").hidden = showHome;
  $("#text").placeholder = inDm ? "Message coachbot — try /quote or /coach help" : `Message ${convName()} — try /quote or /coach help`;
}

function emptyText() {
  if (ui.conv === "dm") return "<div class='empty'>This is your DM with <b>coachbot</b>: prompts, reminders and review cards arrive here. Try <code>/coach help</code>.</div>";
  return `<div class='empty'>This is the very beginning of <b>${convName()}</b>. Type <code>/quote</code> for a leadership quote, or <code>/quote daily 09:00</code> for one every morning here.</div>`;
}

function draw(state) {
  ui.version = state.version;
  $("#clock-label").textContent = `${state.clock.label} · ${me().name}'s time`;
  $("#clock-label").parentElement.title = `The playground clock, in ${me().name}'s zone (${state.clock.zone}); coachbot runs on it too`;
  $$(".conv").forEach((a) => {
    const n = (state.unread || {})[a.dataset.conv] || 0;
    a.classList.toggle("unread", n > 0);
    let badge = $(".badge", a);
    if (!badge) { badge = document.createElement("span"); badge.className = "badge"; a.appendChild(badge); }
    badge.textContent = n > 0 ? String(n) : "";
    badge.hidden = n === 0;
  });
  const list = $("#messages");
  const html = state.messages || emptyText();
  if (list.dataset.html !== html) {
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    list.innerHTML = html;
    list.dataset.html = html;
    if (atBottom || list.dataset.conv !== convId()) list.scrollTop = list.scrollHeight;
    list.dataset.conv = convId();
  }
  const home = $("#home");
  const homeHtml = state.home ? state.home.html : "<div class='empty'>Loading App Home…</div>";
  ui.homeId = state.home ? state.home.id : null;
  if (home.dataset.html !== homeHtml) { home.innerHTML = homeHtml; home.dataset.html = homeHtml; }
  drawModal(state.modal);
}

function drawModal(modal) {
  const layer = $("#modal-layer");
  if (!modal) { layer.hidden = true; ui.modalKey = null; return; }
  const key = modal.id + ":" + modal.hash;
  if (key === ui.modalKey && !layer.hidden) return; // keep what the person is typing
  ui.modalKey = key;
  layer.dataset.viewId = modal.id;
  $("#modal-title").textContent = modal.title;
  $("#modal-body").innerHTML = modal.html;
  $("#modal-error").hidden = true;
  $("#modal-submit").hidden = !modal.submit;
  $("#modal-submit").textContent = modal.submit || "";
  $("#modal-close").textContent = modal.close || "Cancel";
  layer.hidden = false;
  const first = $("#modal-body [data-input]");
  if (first && first.focus) first.focus();
}

// -- the long poll ---------------------------------------------------------------------

async function pollLoop() {
  for (;;) {
    const ctrl = new AbortController();
    ui.poll = ctrl;
    const since = ui.version === null ? "" : ui.version;
    try {
      const resp = await fetch(`/pg/state?persona=${ui.persona}&conv=${convId()}&since=${since}`, { signal: ctrl.signal });
      if (resp.ok) draw(await resp.json());
      else await new Promise((r) => setTimeout(r, 1000));
    } catch (e) {
      if (e.name !== "AbortError") await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function redraw() { ui.version = null; remember(); drawChrome(); if (ui.poll) ui.poll.abort(); }

// -- modal values ----------------------------------------------------------------------

function valueOf(el) {
  const kind = el.dataset.kind;
  if (kind === "checkboxes") return $$("input:checked", el).map((i) => i.value);
  if (kind === "radio_buttons") { const c = $("input:checked", el); return c ? c.value : null; }
  if (el.tagName === "SELECT" && el.multiple) return Array.from(el.selectedOptions).map((o) => o.value);
  return el.value === "" ? null : el.value;
}

function modalValues() {
  const values = {};
  $$("#modal-body [data-input]").forEach((el) => {
    const block = el.dataset.blockId, action = el.dataset.actionId;
    (values[block] = values[block] || {})[action] = valueOf(el);
  });
  return values;
}

function showErrors(errors) {
  $$("#modal-body .pg-input").forEach((box) => {
    const msg = errors[box.dataset.blockId] || "";
    $(".pg-error", box).textContent = msg;
    box.classList.toggle("has-error", !!msg);
  });
  const unknown = Object.keys(errors).filter((b) => !$(`#modal-body .pg-input[data-block-id="${CSS.escape(b)}"]`));
  const box = $("#modal-error");
  box.textContent = unknown.map((b) => errors[b]).join(" ");
  box.hidden = unknown.length === 0;
}

// -- confirm dialogs (Block Kit "confirm" objects) --------------------------------------

function confirmFirst(confirm) {
  if (!confirm) return Promise.resolve(true);
  return new Promise((resolve) => {
    const layer = $("#confirm-layer");
    const plain = (t) => (t && t.text) || "";
    $("#confirm-title").textContent = plain(confirm.title) || "Are you sure?";
    $("#confirm-text").textContent = plain(confirm.text);
    $("#confirm-ok").textContent = plain(confirm.confirm) || "Yes";
    $("#confirm-deny").textContent = plain(confirm.deny) || "Cancel";
    $("#confirm-ok").className = "pg-btn " + (confirm.style === "danger" ? "pg-btn-danger" : "pg-btn-primary");
    layer.hidden = false;
    const done = (answer) => { layer.hidden = true; $("#confirm-ok").onclick = $("#confirm-deny").onclick = null; resolve(answer); };
    $("#confirm-ok").onclick = () => done(true);
    $("#confirm-deny").onclick = () => done(false);
  });
}

// -- Block Kit interactions ------------------------------------------------------------

async function sendAction(el, value) {
  const body = { block_id: el.dataset.blockId || "", action_id: el.dataset.actionId || "", value };
  const inModal = el.closest("#modal-body");
  if (inModal) { body.view_id = $("#modal-layer").dataset.viewId; body.values = modalValues(); }
  else if (el.closest("#home")) { body.view_id = ui.homeId; }
  else { body.ts = el.closest(".pg-msg").dataset.ts; }
  return post("action", body);
}

document.addEventListener("click", async (ev) => {
  const t = ev.target.closest("button, a, summary");
  if (!t) { closePopup(); return; }
  if (t.matches("[data-persona]")) { ui.persona = t.dataset.persona; closePopup(); redraw(); return; }
  if (t.matches(".conv")) {
    ev.preventDefault(); ui.conv = t.dataset.conv;
    if (ui.conv === "dm" && ui.tab === "home") post("home");
    redraw(); return;
  }
  if (t.matches("#tabs button")) { ui.tab = t.dataset.tab; if (ui.tab === "home") post("home"); redraw(); return; }
  if (t.matches("[data-jump]")) {
    $$("[data-jump]").forEach((b) => { b.disabled = true; });
    const res = await post("time", { jump: t.dataset.jump });
    $$("[data-jump]").forEach((b) => { b.disabled = false; });
    if (res.summary) toast("⏩ " + res.summary);
    return;
  }
  if (t.id === "reset") {
    if (!(await confirmFirst({ title: { text: "Start over?" }, text: { text: "Reset empties the database (the curated quotes are loaded again), clears every conversation and sets the clock back." }, confirm: { text: "Reset" }, style: "danger" }))) return;
    t.disabled = true; await post("reset"); t.disabled = false; ui.modalKey = null; redraw(); toast("Started over."); return;
  }
  if (t.matches(".pg-btn[data-kind='button']")) {
    ev.preventDefault();
    const confirm = t.dataset.confirm ? JSON.parse(t.dataset.confirm) : null;
    if (!(await confirmFirst(confirm))) return;
    t.disabled = true;
    await sendAction(t, t.dataset.value);
    t.disabled = false;
    return;
  }
  if (t.matches(".pg-menu-item")) {
    const menu = t.closest(".pg-overflow"); menu.open = false;
    await sendAction(menu, t.dataset.value); return;
  }
  if (t.matches("[data-kind='reaction']")) {
    await post("react", { ts: t.closest(".pg-msg").dataset.ts, reaction: t.dataset.reaction }); return;
  }
  if (t.matches("[data-kind='react-menu']")) { openPopup(t, "react"); return; }
  if (t.matches("[data-kind='message-menu']")) { openPopup(t, "menu"); return; }
  if (t.matches(".popup .emoji")) { const ts = $("#popup").dataset.ts; closePopup(); await post("react", { ts, reaction: t.dataset.reaction }); return; }
  if (t.matches(".popup .menu-row")) { const ts = $("#popup").dataset.ts; closePopup(); await post("shortcut", { ts, callback_id: t.dataset.callback }); return; }
  if (t.matches(".hint-row")) { $("#text").value = t.dataset.command + " "; $("#text").focus(); hint(); return; }
  if (t.id === "modal-submit") {
    t.disabled = true;
    const res = await post("submit", { view_id: $("#modal-layer").dataset.viewId, values: modalValues() });
    t.disabled = false;
    showErrors(res.errors || {});
    return;
  }
  if (t.id === "modal-close" || t.matches(".modal-x")) { await post("close", { view_id: $("#modal-layer").dataset.viewId }); return; }
});

document.addEventListener("change", async (ev) => {
  const el = ev.target.closest("[data-kind]");
  if (!el || el.dataset.input || el.dataset.kind === "button") return; // inputs wait for Submit
  await sendAction(el, valueOf(el));
});

function openPopup(anchor, what) {
  const pop = $("#popup");
  pop.dataset.ts = anchor.closest(".pg-msg").dataset.ts;
  pop.innerHTML = what === "react"
    ? ui.config.reactions.map((r) => `<button type="button" class="emoji" data-reaction="${r.name}" title=":${r.name}:">${r.emoji}</button>`).join("")
    : ui.config.shortcuts.map((s) => `<button type="button" class="menu-row" data-callback="${s.callback_id}">${s.name} <small>coachbot</small></button>`).join("");
  const box = anchor.getBoundingClientRect();
  pop.hidden = false;
  pop.style.top = Math.min(window.innerHeight - pop.offsetHeight - 8, box.bottom + 4) + "px";
  pop.style.left = Math.max(8, box.right - pop.offsetWidth) + "px";
}
function closePopup() { $("#popup").hidden = true; }

// -- composer --------------------------------------------------------------------------

function hint() {
  const text = $("#text").value;
  const box = $("#hint");
  if (!text.startsWith("/") || text.includes(" ")) { box.hidden = true; return; }
  const rows = ui.config.commands.filter((c) => c.command.startsWith(text.toLowerCase()));
  box.innerHTML = rows.map((c) => `<button type="button" class="hint-row" data-command="${c.command}"><b>${c.command}</b><small>${c.hint.replace(/</g, "&lt;")}</small></button>`).join("");
  box.hidden = rows.length === 0;
}

$("#text").addEventListener("input", () => {
  const ta = $("#text");
  ta.style.height = "auto"; ta.style.height = Math.min(160, ta.scrollHeight) + "px";
  hint();
});
$("#text").addEventListener("keydown", (ev) => {
  if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); $("#composer").requestSubmit(); }
});
$("#composer").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const ta = $("#text");
  const text = ta.value;
  if (!text.trim()) return;
  ta.value = ""; ta.style.height = "auto"; hint();
  const res = await post("send", { text });
  if (res.error) ta.value = text;
});
document.addEventListener("keydown", (ev) => {
  if (ev.key === "Escape") { closePopup(); if (!$("#modal-layer").hidden && $("#confirm-layer").hidden) $("#modal-close").click(); }
});

// -- start -----------------------------------------------------------------------------

(async function start() {
  ui.config = await (await fetch("/pg/config")).json();
  $("#team").textContent = ui.config.team;
  if (!ui.config.personas.some((p) => p.id === ui.persona)) ui.persona = ui.config.personas[0].id;
  drawChrome();
  if (ui.conv === "dm" && ui.tab === "home") post("home");
  pollLoop();
})();
