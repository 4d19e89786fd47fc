/* Checkout: choosing another address or delivery recomputes the totals at once. Without this
   file the "Hitung ulang total" button does the same with one more tap; with it, that button
   is hidden and a change posts the form through it (never through "Buat pesanan"). */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-checkout-form]");
    if (!form) return;
    var refresh = form.querySelector("[data-refresh-button]");
    if (!refresh || !form.requestSubmit) return;
    refresh.hidden = true;
    Array.prototype.forEach.call(form.querySelectorAll("input[data-refresh]"), function (input) {
      input.addEventListener("change", function () {
        form.classList.add("is-refreshing");
        form.requestSubmit(refresh);
      });
    });
  });
})();
