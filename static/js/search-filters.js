/* /cari's filters and sort (progressive enhancement). Without this file both are GET forms with
   a button. With it, a new sort applies at once and so does a changed filter on wide screens
   (typed prices still wait for the button or Enter), empty fields are left out of the address,
   and on wide screens the filter panel, which phones keep folded, starts open. */
(function () {
  "use strict";

  var WIDE = "(min-width: 900px)";

  function submitClean(form) {
    // Disabled fields are not sent: "?kategori=&harga_min=" would only clutter the address.
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && field.value === "" && !field.disabled) field.disabled = true;
    });
    form.submit();
  }

  function enhance(form) {
    form.addEventListener("change", function (event) {
      var field = event.target;
      if (field.type !== "radio" && field.type !== "checkbox" && field.tagName !== "SELECT") return;
      // On phones the panel is folded and reloading would fold it again after every tick:
      // there the shopper ticks several and presses "Terapkan filter". The sort always applies.
      if (form.classList.contains("filter-form") && !(window.matchMedia && window.matchMedia(WIDE).matches)) return;
      submitClean(form);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      submitClean(form);
    });
    Array.prototype.forEach.call(form.querySelectorAll(".sort-apply"), function (button) {
      button.hidden = true;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-autosubmit]"), enhance);
    var details = document.querySelector(".filter-details");
    if (details && window.matchMedia && window.matchMedia(WIDE).matches) details.open = true;
  });

  // Back from the next page (bfcache): fields disabled before leaving must work again.
  window.addEventListener("pageshow", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-autosubmit] [disabled]"), function (field) {
      field.disabled = false;
    });
  });
})();
