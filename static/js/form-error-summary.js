// The error summary at the top of a form (includes/form_error_summary.html), as GOV.UK's and
// the デジタル庁 design system's: after a failed submit the page opens at the top with the
// summary focused, so a phone shows it and a screen reader reads it; each link then focuses its
// input and shows the input's label too. Without JavaScript the links are plain anchors.
(function () {
  "use strict";
  function labelFor(input) {
    var legend = input.closest("fieldset") && (input.type === "radio" || input.type === "checkbox")
      ? input.closest("fieldset").querySelector("legend") : null;
    if (legend) { return legend; }
    if (input.id) {
      var label = document.querySelector("label[for='" + input.id + "']");
      if (label) { return label; }
    }
    return input.closest(".mb-3, .form-check") || input;
  }
  function init() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.scrollIntoView({ block: "start" });
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var input = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!input) { return; }
      event.preventDefault();
      labelFor(input).scrollIntoView({ block: "start" });
      input.focus({ preventScroll: true });
      if (window.history && window.history.replaceState) {
        window.history.replaceState(null, "", "#" + input.id);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
