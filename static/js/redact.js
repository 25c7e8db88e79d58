// The redaction workspace: select words in the original text to redact them. The form under the
// text does the same without JavaScript; this only fills it in.
const form = document.querySelector(".app-redact-form");
const input = form && form.querySelector("input[name='text']");
const field = form && form.querySelector("input[name='field']");

if (form && input) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "govuk-button govuk-button--warning app-redact-selection";
  button.textContent = "Redact the selected text";
  button.hidden = true;
  document.body.appendChild(button);

  let pending = null;
  document.addEventListener("selectionchange", () => {
    const selection = window.getSelection();
    const text = selection ? selection.toString().replace(/\s+/g, " ").trim() : "";
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
    button.style.left = `${window.scrollX + rect.left}px`;
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
