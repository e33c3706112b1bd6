// Registration form and registration page: the 意見交換会 is for venue attendees only, so
// its checkbox is offered only while 会場 is chosen (the server enforces the same rule);
// forms marked data-seminars-confirm ask before submitting (cancellation).
(function () {
  "use strict";
  function init() {
    document.querySelectorAll("form[data-seminars-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.getAttribute("data-seminars-confirm"))) { event.preventDefault(); }
      });
    });
    var exchange = document.querySelector("[data-seminars-exchange]");
    var modes = document.querySelectorAll("input[name='mode']");
    if (!exchange || !modes.length) { return; }
    var wrapper = exchange.closest(".mb-3, .form-check") || exchange.parentElement;
    function update() {
      var checked = document.querySelector("input[name='mode']:checked");
      var venue = !checked || checked.value === "venue";
      exchange.disabled = !venue;
      if (!venue) { exchange.checked = false; }
      wrapper.hidden = !venue;
    }
    modes.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
