/* Dependent region drop-downs (kota → kecamatan → kelurahan), progressive enhancement.
   Without this file each "Pilih …" button posts the form and the server fills the next list.
   With it, those buttons are hidden and changing a list fetches its children from /api/wilayah. */
(function () {
  "use strict";

  function reset(select, text) {
    while (select.options.length) select.remove(0);
    var option = document.createElement("option");
    option.value = "";
    option.textContent = text || "";
    select.appendChild(option);
  }

  function showButtons(group, show) {
    Array.prototype.forEach.call(group.querySelectorAll(".region-refresh"), function (button) {
      button.hidden = !show;
    });
  }

  function enhance(group) {
    var api = group.getAttribute("data-region-api");
    if (!api || !window.fetch) return;
    showButtons(group, false);

    Array.prototype.forEach.call(group.querySelectorAll("select[data-region-child]"), function (parent) {
      var child = document.getElementById(parent.getAttribute("data-region-child"));
      if (!child) return;
      parent.addEventListener("change", function () {
        // Every list below the changed one is out of date now.
        for (var below = child; below; below = document.getElementById(below.getAttribute("data-region-child") || "")) {
          reset(below, below.getAttribute("data-prompt-empty"));
        }
        if (!parent.value) return;
        child.disabled = true;
        fetch(api + "?induk=" + encodeURIComponent(parent.value), { headers: { "Accept": "application/json" } })
          .then(function (response) {
            if (!response.ok) throw new Error("HTTP " + response.status);
            return response.json();
          })
          .then(function (items) {
            reset(child, child.getAttribute("data-prompt"));
            items.forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.code;
              option.textContent = item.name;
              child.appendChild(option);
            });
            child.disabled = false;
          })
          .catch(function () {
            // Offline or a server error: fall back to the buttons that post the form.
            child.disabled = false;
            showButtons(group, true);
          });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".region-select"), enhance);
  });
})();
