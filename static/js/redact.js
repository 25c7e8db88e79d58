// The redaction workspace, enhanced. Without this script every decision is a plain form that
// reloads the page; with it, decisions are sent in the background and only the parts of the page
// that changed are replaced. Each highlight can be chosen (click, or j / k) and decided on the
// spot; the list beside the text decides a value everywhere or a whole kind at once.
const root = document.querySelector("[data-module='app-workspace']");

if (root) {
  const pane = root.querySelector("#document-text");
  const groups = root.querySelector("#app-groups");
  const preview = root.querySelector("#preview-text");
  const status = root.querySelector("#app-status");
  const announcer = root.querySelector("#app-announce");
  const token = root.querySelector("#app-token input[name='csrf_token']").value;
  const words = JSON.parse(root.dataset.words || "{}");
  let known = Number(root.dataset.count || 0);
  let current = null; // the id of the chosen suggestion
  let busy = false;

  // The decision bar, shown under the chosen highlight.
  const bar = document.createElement("div");
  bar.className = "app-decide";
  bar.id = "app-decide";
  bar.hidden = true;
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-labelledby", "app-decide-label");
  bar.innerHTML = `
    <p class="app-decide__label" id="app-decide-label"></p>
    <p class="app-decide__reason" id="app-decide-reason" hidden></p>
    <button type="button" class="govuk-button govuk-button--small" data-act="one" data-status="accepted">Redact</button>
    <button type="button" class="govuk-button govuk-button--small govuk-button--secondary" data-act="one" data-status="rejected">Keep</button>
    <button type="button" class="govuk-button govuk-button--small" data-act="all" data-status="accepted"></button>
    <button type="button" class="govuk-button govuk-button--small govuk-button--secondary" data-act="all" data-status="rejected"></button>
    <div class="app-decide__generalise" hidden>
      <label class="govuk-label govuk-label--s" for="app-decide-words">Or write it more generally</label>
      <div class="govuk-hint" id="app-decide-words-hint">Readers get your words instead, for example “a teenager with a disability”.</div>
      <input class="govuk-input" id="app-decide-words" type="text" maxlength="200" spellcheck="true" aria-describedby="app-decide-words-hint">
      <button type="button" class="govuk-button govuk-button--small govuk-button--secondary" data-act="generalise">Use these words</button>
    </div>
    <div class="govuk-checkboxes govuk-checkboxes--small app-decide__never">
      <div class="govuk-checkboxes__item">
        <input class="govuk-checkboxes__input" type="checkbox" id="app-decide-never">
        <label class="govuk-label govuk-checkboxes__label" for="app-decide-never">When keeping, also add to our never-redact list</label>
      </div>
    </div>
    <button type="button" class="govuk-button govuk-button--small govuk-button--secondary" data-act="prev">Previous</button>
    <button type="button" class="govuk-button govuk-button--small govuk-button--secondary" data-act="next">Next</button>
    <p class="govuk-error-message" hidden></p>`;
  const label = bar.querySelector("#app-decide-label");
  const never = bar.querySelector("#app-decide-never");
  const neverBox = bar.querySelector(".app-decide__never");
  const reason = bar.querySelector("#app-decide-reason");
  const general = bar.querySelector(".app-decide__generalise");
  const wordsInput = bar.querySelector("#app-decide-words");
  const problem = bar.querySelector(".govuk-error-message");
  const allButtons = bar.querySelectorAll("[data-act='all']");
  pane.appendChild(bar);

  // Which page of the list of values this is: decisions redraw that page.
  const valuesPage = new URLSearchParams(window.location.search).get("values") || "1";
  const say = (text) => {
    announcer.textContent = "";
    window.setTimeout(() => (announcer.textContent = text), 50);
  };

  // Every suggestion in the text, in order: the first piece of each highlight has the id.
  const marks = () => [...pane.querySelectorAll("mark.app-mark[id^='r-']:not(.app-mark--finding)")];
  const pieces = (id) => pane.querySelectorAll(`mark.app-mark[data-id='${id}']`);
  const stateOf = (mark) =>
    mark.classList.contains("app-mark--accepted")
      ? "accepted"
      : mark.classList.contains("app-mark--rejected")
        ? "rejected"
        : "suggested";
  const valueOf = (id) =>
    [...pieces(id)]
      .map((piece) => {
        const copy = piece.cloneNode(true);
        copy.querySelectorAll(".app-mark__state").forEach((n) => n.remove());
        return copy.textContent;
      })
      .join("")
      .replace(/\s+/g, " ")
      .trim();
  const keyOf = (mark) => `${mark.dataset.category}\u0000${valueOf(mark.dataset.id).toLowerCase()}`;
  const sameValue = (mark) => {
    const key = keyOf(mark);
    return marks().filter((m) => keyOf(m) === key);
  };
  const stateWords = { suggested: "to review", accepted: "redacted", rejected: "kept" };
  const isWarning = (mark) => mark.dataset.category === "indirect";

  function choose(mark, { focus = true } = {}) {
    pane.querySelectorAll(".app-mark--current").forEach((m) => m.classList.remove("app-mark--current"));
    if (!mark) {
      bar.hidden = true;
      current = null;
      return;
    }
    current = mark.dataset.id;
    pieces(current).forEach((m) => m.classList.add("app-mark--current"));
    const all = marks();
    const same = sameValue(mark);
    const value = valueOf(current);
    const kind = words[mark.dataset.category] || mark.dataset.category.replace(/_/g, " ");
    const pending = all.filter((m) => stateOf(m) === "suggested").length;
    label.textContent =
      `“${value}”: ${isWarning(mark) ? "warning" : kind}, ${stateWords[stateOf(mark)]}. ` +
      `${all.indexOf(mark) + 1} of ${all.length}; ${pending} still to review` +
      (same.length > 1 ? `; appears ${same.length} times.` : ".");
    for (const button of allButtons) {
      button.hidden = same.length < 2;
      button.textContent = `${button.dataset.status === "accepted" ? "Redact" : "Keep"} all ${same.length}`;
    }
    // A warning: why it was raised, and the choice of words of the reviewer's own.
    const warning = isWarning(mark);
    reason.hidden = !warning;
    reason.textContent = warning ? `Why: ${mark.dataset.reason || "details that together may identify someone"}.` : "";
    general.hidden = !warning;
    neverBox.hidden = warning;
    wordsInput.value = "";
    problem.hidden = true;
    bar.hidden = false;
    mark.scrollIntoView({ block: "center", inline: "nearest" });
    place(mark);
    if (focus) {
      bar.querySelector("[data-act='one']").focus({ preventScroll: true });
      say(isWarning(mark) ? `${label.textContent} ${reason.textContent}` : label.textContent);
    }
  }

  function place(mark) {
    const box = pane.getBoundingClientRect();
    const at = mark.getBoundingClientRect();
    const top = at.bottom - box.top + pane.scrollTop + 6;
    const widest = pane.clientWidth - bar.offsetWidth - 8;
    const left = Math.max(8, Math.min(at.left - box.left + pane.scrollLeft, widest));
    bar.style.top = `${top}px`;
    bar.style.left = `${left}px`;
  }

  function step(direction, { pendingOnly = true } = {}) {
    const all = marks();
    if (!all.length) return;
    const found = current ? all.findIndex((m) => m.dataset.id === current) : -1;
    // Before the first when nothing is chosen yet: j starts at the top, k has nowhere to go.
    const from = found === -1 && direction < 0 ? -1 : found;
    const candidates = pendingOnly && all.some((m) => stateOf(m) === "suggested");
    // No wrapping round: at either end, say so and stay.
    for (let index = from + direction; index >= 0 && index < all.length; index += direction) {
      const mark = all[index];
      if (!candidates || stateOf(mark) === "suggested") {
        choose(mark);
        return;
      }
    }
    say(direction > 0 ? "No more suggestions after this one." : "No suggestions before this one.");
  }

  async function send(url, data, { after } = {}) {
    if (busy) return;
    busy = true;
    data.set("csrf_token", token);
    try {
      const response = await fetch(url, {
        method: "POST",
        body: data,
        headers: {
          "X-Requested-With": "fetch",
          "X-Known-Marks": String(known),
          "X-Values-Page": valuesPage,
          Accept: "application/json",
        },
        credentials: "same-origin",
      });
      const body = await response.json();
      if (!response.ok) {
        const message = (body.error && body.error.message) || "That did not work. Reload the page and try again.";
        problem.textContent = message;
        problem.hidden = bar.hidden;
        say(message);
        return;
      }
      update(body);
      say(`${body.message} ${body.reviewed} of ${body.total} reviewed.`);
      if (after) after(body);
      if (body.check_url) finalCheck(body.check_url);
    } catch (error) {
      say("The decision could not be sent. Check your connection, reload the page and try again.");
    } finally {
      busy = false;
    }
  }

  // Once nothing is pending, the final check runs in a request of its own.
  async function finalCheck(url) {
    try {
      const hasFindings = pane.querySelector(".app-mark--finding") ? "1" : "0";
      const response = await fetch(url, {
        headers: {
          "X-Requested-With": "fetch",
          "X-Finding-Marks": hasFindings,
          "X-Values-Page": valuesPage,
          Accept: "application/json",
        },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(String(response.status));
      const body = await response.json();
      const id = current;
      update(body);
      if (body.document_html && id) choose(pane.querySelector(`#r-${id}`), { focus: false });
      say(body.message);
    } catch (error) {
      say("The final check could not be run here. Reload the page to see its result.");
    }
  }

  function update(body) {
    known = body.total;
    if (body.document_html) {
      const scroll = pane.scrollTop;
      pane.innerHTML = body.document_html;
      pane.appendChild(bar);
      pane.scrollTop = scroll;
    } else {
      for (const [id, state] of Object.entries(body.statuses)) {
        for (const piece of pieces(id)) {
          piece.classList.remove("app-mark--suggested", "app-mark--accepted", "app-mark--rejected");
          piece.classList.add(`app-mark--${state}`);
          const hidden = piece.querySelector(".app-mark__state");
          if (hidden) hidden.textContent = hidden.textContent.replace(/\((to review|redacted|kept|generalised):/, `(${stateWords[state]}:`);
        }
      }
    }
    const parts = [
      [preview, body.preview_html],
      [status, body.status_html],
    ];
    if (body.groups_html) parts.push([groups, body.groups_html]);
    else {
      parts.push([groups.querySelector("#app-kinds"), body.kinds_html]);
      for (const [key, counts] of Object.entries(body.groups || {})) updateGroup(key, counts);
    }
    for (const [element, html] of parts) {
      if (!element) continue;
      const scroll = element.scrollTop;
      element.innerHTML = html;
      element.scrollTop = scroll;
    }
  }

  // A value in the list: its counts, which buttons still apply, and whether it is done.
  function updateGroup(key, [pendingCount, redacted, kept]) {
    const item = groups.querySelector(`#g-${key}`);
    if (!item) return;
    const count = Number(item.dataset.count);
    item.classList.toggle("app-group--done", pendingCount === 0);
    const parts = [];
    if (redacted) parts.push(`${redacted} redacted`);
    if (kept) parts.push(`${kept} kept`);
    if (pendingCount) parts.push(`${pendingCount} to review`);
    const text = pendingCount === count ? "To review" : parts.join(", ");
    item.querySelector(".app-group__state").textContent = text.charAt(0).toUpperCase() + text.slice(1);
    item.querySelector("button[value='accepted']").hidden = redacted === count;
    item.querySelector("button[value='rejected']").hidden = kept === count;
  }

  function decideCurrent(statusValue, everywhere) {
    if (!current) return;
    const mark = pane.querySelector(`#r-${current}`);
    const data = new FormData();
    data.set("status", statusValue);
    if (statusValue === "rejected" && never.checked) data.set("never_redact", "y");
    let url = root.dataset.decide.replace(/\/0$/, `/${current}`);
    if (everywhere) {
      url = root.dataset.value;
      data.set("value", valueOf(current));
      data.set("category", mark.dataset.category);
    }
    const was = current;
    send(url, data, {
      after: () => {
        never.checked = false;
        current = was;
        const all = marks();
        if (all.some((m) => stateOf(m) === "suggested")) step(1);
        else choose(pane.querySelector(`#r-${was}`));
      },
    });
  }

  // Words of the reviewer's own instead of a warning's details.
  function generaliseCurrent() {
    if (!current) return;
    const words = wordsInput.value.trim();
    if (!words) {
      problem.textContent = "Enter the words readers will see instead.";
      problem.hidden = false;
      say(problem.textContent);
      wordsInput.focus();
      return;
    }
    const data = new FormData();
    data.set("replacement", words);
    const was = current;
    send(root.dataset.generalise.replace(/\/0\/generalise$/, `/${current}/generalise`), data, {
      after: () => {
        current = was;
        const all = marks();
        if (all.some((m) => stateOf(m) === "suggested")) step(1);
        else choose(pane.querySelector(`#r-${was}`));
      },
    });
  }

  wordsInput.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    generaliseCurrent();
  });

  bar.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const act = button.dataset.act;
    if (act === "generalise") generaliseCurrent();
    else if (act === "one" || act === "all") decideCurrent(button.dataset.status, act === "all");
    else if (act === "next") step(1, { pendingOnly: false });
    else if (act === "prev") step(-1, { pendingOnly: false });
  });

  pane.addEventListener("click", (event) => {
    const piece = event.target.closest("mark.app-mark[data-id]");
    const selection = window.getSelection();
    if (!piece || piece.classList.contains("app-mark--finding") || (selection && !selection.isCollapsed)) return;
    choose(pane.querySelector(`#r-${piece.dataset.id}`));
  });

  // Forms in the list and the status panel: sent in the background, the page updated in place.
  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.hasAttribute("data-app-fetch")) return;
    event.preventDefault();
    const data = new FormData(form, event.submitter);
    const inList = groups.contains(form);
    const decided = form.closest(".app-group");
    send(form.action, data, {
      after: () => {
        if (!inList) return;
        // Focus moves on to the next value still to review (after a kind: the next kind).
        let next = null;
        if (decided && decided.isConnected) {
          for (let item = decided.nextElementSibling; item && !next; item = item.nextElementSibling) {
            if (!item.classList.contains("app-group--done")) next = item;
          }
        } else {
          next = groups.querySelector(".app-kinds li");
        }
        next = next || groups.querySelector(".app-group:not(.app-group--done)");
        const button = next && next.querySelector("button:not([hidden])");
        (button || groups).focus();
      },
    });
  });

  // A value's link in the list chooses its first place in the text.
  groups.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-first]");
    if (!link) return;
    const mark = pane.querySelector(`#r-${link.dataset.first}`);
    if (!mark) return;
    event.preventDefault();
    showPane("app-original");
    choose(mark);
  });

  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.key === "j") step(1);
    else if (event.key === "k") step(-1);
    else if (event.key === "r") decideCurrent("accepted", false);
    else if (event.key === "l") decideCurrent("rejected", false);
    else if (event.key === "g" && current && !general.hidden) wordsInput.focus();
    else if (event.key === "Escape" && current) {
      const id = current;
      choose(null);
      const mark = pane.querySelector(`#r-${id}`);
      if (mark) pane.focus();
    } else return;
    event.preventDefault();
  });

  // One pane at a time: the text with suggestions, or what readers will see.
  const switches = root.querySelectorAll(".app-pane-switch__button");
  function showPane(id) {
    for (const button of switches) {
      const on = button.dataset.pane === id;
      button.setAttribute("aria-pressed", String(on));
      root.querySelector(`#${button.dataset.pane}`).hidden = !on;
    }
  }
  for (const button of switches) button.addEventListener("click", () => showPane(button.dataset.pane));
  showPane("app-original");

  window.addEventListener("resize", () => {
    const mark = current && pane.querySelector(`#r-${current}`);
    if (mark) place(mark);
  });
}

// Select words in the text to redact them: fills in the form under the text and sends it.
const form = document.querySelector(".app-redact-form");
const input = form && form.querySelector("input[name='text']");
const field = form && form.querySelector("input[name='field']");

if (form && input) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--warning app-redact-selection";
  button.hidden = true;
  document.body.appendChild(button);

  let pending = null;
  document.addEventListener("selectionchange", () => {
    const selection = window.getSelection();
    const text = selection && !selection.isCollapsed ? selection.toString().replace(/\s+/g, " ").trim() : "";
    const anchor = selection && selection.anchorNode && selection.anchorNode.parentElement;
    const area = anchor && anchor.closest(".app-redact-text");
    if (!text || text.length < 2 || !area) {
      button.hidden = true;
      pending = null;
      return;
    }
    pending = { text, field: area.dataset.field || "text" };
    button.textContent = `Redact “${text.length > 40 ? text.slice(0, 40) + "…" : text}”`;
    const rect = selection.getRangeAt(0).getBoundingClientRect();
    button.style.top = `${window.scrollY + rect.bottom + 8}px`;
    button.style.left = `${Math.max(8, Math.min(window.scrollX + rect.left, document.documentElement.clientWidth - 260))}px`;
    button.hidden = false;
  });

  button.addEventListener("mousedown", (event) => event.preventDefault());
  button.addEventListener("click", () => {
    if (!pending) return;
    input.value = pending.text;
    if (field) field.value = pending.field;
    form.submit();
  });
}
