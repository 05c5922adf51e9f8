// coachbot playground: the 1:1s panel in the sidebar. It only fills the composer with the
// commands a person would type (the app does the rest, as in Slack): a manager sets a 1:1
// and asks for the brief, a rep adds a talking point for their manager. Then the clock's
// buttons bring the brief (2 hours before), the agenda (30 minutes before) and the nudge.
"use strict";

(function oneOnOnes() {
  const box = document.getElementById("one-on-ones");
  if (!box) return;
  let shownFor = null;

  // What each role is offered; {rep} and {manager} become the other personas' names.
  const OFFERS = {
    manager: [
      ["Set a weekly 1:1", "/coach 1on1 @{rep} weekly tue 10:00"],
      ["Brief me now", "/coach 1on1 @{rep} brief"],
      ["Add a topic", "/coach topic @{rep} "],
    ],
    admin: [["My 1:1s", "/coach 1on1"]],
    rep: [
      ["Add a topic for my manager", "/coach topic @{manager} "],
      ["Show our agenda", "/coach topic @{manager}"],
    ],
  };

  function persona(role) {
    const found = ui.config.personas.find((p) => p.role === role);
    return found ? found.name : role;
  }

  function fill(command) {
    const text = document.getElementById("text");
    text.value = command;
    text.dispatchEvent(new Event("input"));
    text.focus();
  }

  function draw() {
    if (typeof ui === "undefined" || !ui.config) { setTimeout(draw, 100); return; }
    const me = ui.config.personas.find((p) => p.id === ui.persona);
    const role = me ? me.role : "rep";
    if (shownFor === ui.persona) return;
    shownFor = ui.persona;
    const offers = OFFERS[role] || [];
    box.innerHTML = "";
    const title = document.createElement("div");
    title.className = "side-title";
    title.textContent = "1:1s";
    box.appendChild(title);
    for (const [label, template] of offers) {
      const button = document.createElement("button");
      button.type = "button";
      // Not class "conv": app.js treats those as conversation links. Styled like them here.
      button.className = "one-on-one-offer";
      button.style.cssText =
        "display:block;background:none;border:0;width:100%;padding:4px 16px;color:inherit;" +
        "text-align:left;font:inherit;cursor:pointer";
      button.textContent = label;
      const command = template.replace("{rep}", persona("rep")).replace("{manager}", persona("manager"));
      button.title = command.trim();
      button.addEventListener("click", () => fill(command));
      box.appendChild(button);
    }
  }

  // The persona buttons are drawn by app.js; redraw after any click that may have changed who we are.
  document.addEventListener("click", () => setTimeout(draw, 0));
  draw();
})();
