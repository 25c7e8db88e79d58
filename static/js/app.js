// Starts GOV.UK Frontend's components, and shows progress while an upload is sent and read.
import { initAll } from "/static/dist/js/govuk-frontend.min.js";

initAll();

for (const form of document.querySelectorAll("form[data-module='app-upload']")) {
  form.addEventListener("submit", (event) => {
    const status = form.querySelector(".app-upload-progress");
    const fileInput = form.querySelector("input[type='file']");
    if (!status || !fileInput || !fileInput.files.length || !window.XMLHttpRequest) return;
    event.preventDefault();
    const request = new XMLHttpRequest();
    const button = form.querySelector("button[type='submit']");
    status.hidden = false;
    if (button) button.disabled = true;
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        status.textContent = `Uploading: ${Math.round((e.loaded / e.total) * 100)}%`;
      }
    });
    request.upload.addEventListener("load", () => {
      status.textContent = "Uploaded. Reading the text of your document: this can take a few seconds.";
    });
    request.addEventListener("load", () => {
      // Uploaded: the server says where the work is, and that page opens as any page does.
      if ((request.getResponseHeader("Content-Type") || "").startsWith("application/json")) {
        const next = JSON.parse(request.responseText).location;
        if (next) {
          window.location.assign(next);
          return;
        }
      }
      // The form with its errors, or another answer: show it.
      document.open();
      document.write(request.responseText);
      document.close();
      if (request.responseURL) window.history.replaceState(null, "", request.responseURL);
    });
    request.addEventListener("error", () => {
      status.textContent = "The upload failed. Check your connection and try again.";
      if (button) button.disabled = false;
    });
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("X-Upload-Progress", "1");
    request.send(new FormData(form));
  });
}

// Search filters: beside the results on a wide screen, always open; on a narrow screen, closed
// behind "Filter and sort" so that the results come first.
const wide = window.matchMedia("(min-width: 40.0625em)");
const filters = document.querySelectorAll("details[data-module='app-filters']");
const placeFilters = () => {
  for (const details of filters) {
    details.open = wide.matches;
    // Beside the results the heading only names them: nothing to press.
    details.querySelector("summary").tabIndex = wide.matches ? -1 : 0;
  }
};
placeFilters();
wide.addEventListener("change", placeFilters);
for (const details of filters) {
  details.querySelector("summary").addEventListener("click", (event) => {
    if (wide.matches) event.preventDefault();
  });
}

// The consent page: consent is recorded as given from the summary unless the full text was
// opened; a link to a place in the text opens it first.
const consentText = document.querySelector("details[data-consent-text]");
if (consentText) {
  const read = document.querySelector("input[data-consent-read]");
  consentText.addEventListener("toggle", () => {
    if (consentText.open && read) read.value = "text";
  });
  const openAt = () => {
    const id = decodeURIComponent(window.location.hash.slice(1));
    const target = id && document.getElementById(id);
    if (target && consentText.contains(target) && !consentText.open) {
      consentText.open = true;
      target.scrollIntoView();
    }
  };
  window.addEventListener("hashchange", openAt);
  openAt();
}

// On a phone a heat map is shown as its table, open.
const phone = window.matchMedia("(max-width: 40.0525em)");
const heatmapTables = () => {
  for (const details of document.querySelectorAll(".app-chart--heatmap details.app-chart__table")) {
    if (phone.matches) details.open = true;
  }
};
heatmapTables();
phone.addEventListener("change", heatmapTables);

// After an upload the page opens at the top, whatever the form's page was scrolled to, with
// focus on the heading (autofocus alone would leave the page where the browser put it).
const landing = document.querySelector("[data-landing]");
if (landing) {
  const top = () => {
    if (document.activeElement !== landing) landing.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  };
  top();
  window.addEventListener("load", () => requestAnimationFrame(top), { once: true });
}
