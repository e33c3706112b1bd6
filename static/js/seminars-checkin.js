// Check-in desk: refresh the live counts every 10 seconds without reloading the page.
(function () {
  "use strict";
  function init() {
    var box = document.querySelector("[data-seminars-counts-url]");
    if (!box) { return; }
    var url = box.getAttribute("data-seminars-counts-url");
    function refresh() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (counts) {
          if (!counts) { return; }
          Object.keys(counts).forEach(function (key) {
            var cell = box.querySelector("[data-count='" + key + "']");
            if (cell) { cell.textContent = counts[key]; }
          });
        })
        .catch(function () { /* offline for a moment: keep the last numbers */ });
    }
    window.setInterval(refresh, 10000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
