/* Katalog UMKM — small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Product gallery: without JS the thumbnails are #foto-N links that jump to the photo (which
  // may also scroll the page). With JS a thumbnail scrolls only the photo strip, and the
  // thumbnail of the photo in view is marked as current when the strip is swiped.
  function enhanceGallery(gallery) {
    var track = gallery.querySelector(".gallery-track");
    var thumbs = Array.prototype.slice.call(gallery.querySelectorAll(".gallery-thumb"));
    if (!track || thumbs.length === 0) return;

    function mark(index) {
      thumbs.forEach(function (thumb, i) {
        if (i === index) thumb.setAttribute("aria-current", "true");
        else thumb.removeAttribute("aria-current");
      });
    }

    thumbs.forEach(function (thumb, index) {
      thumb.addEventListener("click", function (event) {
        event.preventDefault();
        track.scrollTo({ left: index * track.clientWidth });
        mark(index);
      });
    });

    var pending = null;
    track.addEventListener("scroll", function () {
      if (pending) window.cancelAnimationFrame(pending);
      pending = window.requestAnimationFrame(function () {
        mark(Math.round(track.scrollLeft / Math.max(track.clientWidth, 1)));
      });
    }, { passive: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".gallery"), enhanceGallery);
  });
})();
