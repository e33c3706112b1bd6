// Adds a delegate row to the summit application formset. The page works without it
// (it always shows blank rows); this only saves a round trip when more are needed.
(function () {
  "use strict";
  document.querySelectorAll("[data-summit-formset]").forEach(function (fieldset) {
    var prefix = fieldset.getAttribute("data-summit-formset");
    var total = fieldset.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var max = fieldset.querySelector("#id_" + prefix + "-MAX_NUM_FORMS");
    var template = fieldset.querySelector("template[data-summit-formset-template]");
    var button = fieldset.querySelector("[data-summit-formset-add]");
    if (!total || !max || !template || !button) {
      return;
    }
    function refresh() {
      button.hidden = parseInt(total.value, 10) >= parseInt(max.value, 10);
    }
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      template.insertAdjacentHTML("beforebegin", html);
      total.value = String(index + 1);
      refresh();
      var added = template.previousElementSibling;
      var first = added && added.querySelector("input, select");
      if (first) {
        first.focus();
      }
    });
    refresh();
  });
})();
