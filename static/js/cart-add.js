/* Product page: "Tambah ke keranjang" orders the combination chosen with the picker's buttons.
   Without JavaScript the cart form's own list of combinations is used; once variant-picker.js
   has replaced its list by buttons, that list is hidden and the picker's choice is sent. */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-cart-add]");
    var picker = document.querySelector("form.variant-picker-enhanced");
    if (!form || !picker) return;
    var chosen = picker.querySelector("[data-variant-id]");
    var list = form.querySelector("select[name='variant_id']");
    var listField = form.querySelector("[data-cart-variant-list]");
    if (!chosen || !list) return;
    if (listField) listField.hidden = true;
    form.addEventListener("submit", function () {
      list.value = chosen.value;
      if (list.value !== chosen.value) list.value = ""; // a combination this list does not offer
    });
  });
})();
