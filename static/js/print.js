/* The "Cetak" button of the printable documents: without JS it opens the PDF (its href);
   with JS it prints the page itself (print.css leaves only the document on paper). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("[data-print]") : null;
    if (!link || typeof window.print !== "function") { return; }
    event.preventDefault();
    window.print();
  });
})();
