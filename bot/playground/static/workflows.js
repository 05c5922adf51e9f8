// coachbot playground: the Workflows panel. Runs coachbot's Workflow Builder steps the way a
// workflow would (POST /pg/workflow; the server sends the app a signed function_executed
// event) and shows what the step completed with. Uses app.js's ui, post() and toast().
"use strict";

(function () {
  const LABELS = {
    manager: "Manager", rep: "Rep", text: "Text", skill: "Skill (optional)", rating: "Rating 1–5 (optional)",
    due_date: "Due date (optional)", channel: "Channel", tag: "Tag (optional)",
  };
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));

  function field(name) {
    const id = "wf-" + name;
    const label = `<label for="${id}">${LABELS[name] || name}</label>`;
    if (name === "manager" || name === "rep") {
      const chosen = name === "manager" ? ui.persona : "URILEY";
      const options = ui.config.personas.map((p) =>
        `<option value="${p.id}"${p.id === chosen ? " selected" : ""}>${esc(p.name)} (${esc(p.role)})</option>`).join("");
      return `${label}<select id="${id}" name="${name}">${options}</select>`;
    }
    if (name === "channel") {
      const options = ui.config.channels.map((c) => `<option value="${c.id}">#${esc(c.name)}</option>`).join("");
      return `${label}<select id="${id}" name="${name}">${options}</select>`;
    }
    if (name === "text") return `${label}<textarea id="${id}" name="${name}" rows="3"></textarea>`;
    if (name === "rating") return `${label}<input id="${id}" name="${name}" type="number" min="1" max="5">`;
    if (name === "due_date") return `${label}<input id="${id}" name="${name}" type="date">`;
    return `${label}<input id="${id}" name="${name}" type="text">`;
  }

  function step() {
    const id = document.getElementById("wf-step").value;
    return ui.config.workflow_steps.find((s) => s.callback_id === id);
  }

  function drawFields() {
    document.getElementById("wf-fields").innerHTML = step().inputs.map((n) => `<div class="wf-field">${field(n)}</div>`).join("");
    document.getElementById("wf-result").hidden = true;
  }

  function showResult(data) {
    const box = document.getElementById("wf-result");
    box.hidden = false;
    box.classList.toggle("bad", data.status !== "completed");
    if (data.status === "completed") {
      const rows = Object.entries(data.outputs).map(([k, v]) => `<li><code>${esc(k)}</code> = <b>${esc(v)}</b></li>`).join("");
      box.innerHTML = `<b>Step completed</b><ul>${rows || "<li>(no outputs)</li>"}</ul>`;
    } else {
      box.innerHTML = `<b>Step failed</b><p>${esc(data.failure || "")}</p>`;
    }
  }

  async function run(event) {
    event.preventDefault();
    const inputs = {};
    step().inputs.forEach((n) => {
      const el = document.getElementById("wf-" + n);
      if (el.value !== "") inputs[n] = n === "rating" ? Number(el.value) : el.value;
    });
    const button = document.getElementById("wf-run");
    button.disabled = true;
    try {
      const data = await post("workflow", { callback_id: step().callback_id, inputs });
      if (data.status) showResult(data);
    } finally {
      button.disabled = false;
    }
  }

  function open() {
    const layer = document.getElementById("workflows-layer");
    layer.hidden = false;
    drawFields();
    document.getElementById("wf-step").focus();
  }

  function close() { document.getElementById("workflows-layer").hidden = true; }

  const STYLE = `
    .wf-modal label { display: block; font-weight: 700; font-size: 13px; margin: 10px 0 4px; }
    .wf-modal select, .wf-modal input, .wf-modal textarea { width: 100%; box-sizing: border-box; font: inherit; padding: 6px 8px; }
    .wf-open { display: block; padding: 4px 16px; color: inherit; text-decoration: none; opacity: .85; }
    .wf-open:hover { background: rgba(255,255,255,.08); opacity: 1; }
    .wf-help { margin: 0 0 4px; font-size: 13px; opacity: .8; }
    .wf-result { margin-top: 14px; padding: 10px 12px; border-radius: 6px; background: #e8f5ee; border: 1px solid #2bac76; }
    .wf-result.bad { background: #fdecef; border-color: #e01e5a; }
    .wf-result ul { margin: 6px 0 0; padding-left: 18px; }
    .wf-result p { margin: 6px 0 0; }`;

  function build() {
    if (!ui.config || !ui.config.workflow_steps) { setTimeout(build, 100); return; }
    const style = document.createElement("style");
    style.textContent = STYLE;
    document.head.appendChild(style);
    const steps = ui.config.workflow_steps.map((s) => `<option value="${s.callback_id}">${esc(s.title)}</option>`).join("");
    document.getElementById("workflows").innerHTML =
      `<div class="side-title">Workflows</div>` +
      `<a href="#" class="wf-open" id="wf-open"><span class="hash">⚙</span> Run a workflow step</a>`;
    const layer = document.createElement("div");
    layer.id = "workflows-layer";
    layer.className = "modal-layer";
    layer.hidden = true;
    layer.innerHTML =
      `<form class="modal wf-modal" role="dialog" aria-modal="true" aria-labelledby="wf-title">` +
      `<header><h2 id="wf-title">Workflow Builder step</h2><button type="button" class="modal-x" id="wf-x" aria-label="Close">×</button></header>` +
      `<div class="modal-body"><p class="wf-help">What a workflow's custom step would send coachbot. ` +
      `The manager is you by default ("Person who used this workflow").</p>` +
      `<label for="wf-step">Step</label><select id="wf-step">${steps}</select>` +
      `<div id="wf-fields"></div><div id="wf-result" class="wf-result" role="status" hidden></div></div>` +
      `<footer><button type="button" class="pg-btn" id="wf-close">Close</button>` +
      `<button type="submit" class="pg-btn pg-btn-primary" id="wf-run">Run step</button></footer></form>`;
    document.body.appendChild(layer);
    document.getElementById("wf-open").addEventListener("click", (e) => { e.preventDefault(); open(); });
    document.getElementById("wf-step").addEventListener("change", drawFields);
    document.getElementById("wf-close").addEventListener("click", close);
    document.getElementById("wf-x").addEventListener("click", close);
    layer.querySelector("form").addEventListener("submit", run);
    layer.addEventListener("keydown", (e) => { if (e.key === "Escape") close(); });
  }

  build();
})();
