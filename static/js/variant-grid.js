/* The variant grid (progressive enhancement for the seller's Varian page).
   Without this file every form works as is. With it, a seller who typed prices or stocks in the
   grid and then presses another form's button (switch a combination off, "set all", save the
   options) is asked first, since that button reloads the page and the typing would be lost. */
(function () {
  "use strict";

  function enhance(grid) {
    var message = grid.getAttribute("data-unsaved-message") || "";
    var dirty = false;

    function markDirty() { dirty = true; }
    grid.addEventListener("input", markDirty);
    grid.addEventListener("change", markDirty);
    grid.addEventListener("submit", function () { dirty = false; });

    var others = document.querySelectorAll("form[data-leaves-grid]");
    Array.prototype.forEach.call(others, function (form) {
      form.addEventListener("submit", function (event) {
        if (dirty && message && !window.confirm(message)) event.preventDefault();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var grids = document.querySelectorAll("form[data-variant-grid]");
    Array.prototype.forEach.call(grids, enhance);
  });
})();
