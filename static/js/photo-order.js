/* Photo order by dragging (progressive enhancement for the seller's photo page).
   Without this file each photo has a number field and "Simpan urutan" saves them. With it, a
   photo can be dragged by its handle (mouse, finger or pen: Pointer Events), and the number
   fields are renumbered to match what the seller sees; saving still goes through the same form. */
(function () {
  "use strict";

  function renumber(list) {
    var items = list.querySelectorAll(".photo-item");
    Array.prototype.forEach.call(items, function (item, index) {
      var input = item.querySelector('input[type="number"]');
      if (input) input.value = String(index + 1);
      var flag = item.querySelector(".cover-flag");
      if (flag && index !== 0) flag.hidden = true;
      if (flag && index === 0) flag.hidden = false;
    });
  }

  function itemAt(list, x, y, dragged) {
    var items = list.querySelectorAll(".photo-item");
    for (var i = 0; i < items.length; i++) {
      if (items[i] === dragged) continue;
      var box = items[i].getBoundingClientRect();
      if (x >= box.left && x <= box.right && y >= box.top && y <= box.bottom) return items[i];
    }
    return null;
  }

  function enhance(list) {
    var form = list.closest("form");
    var status = form ? form.querySelector(".order-status") : null;
    var message = list.getAttribute("data-changed-message") || "";
    var dragged = null;

    list.classList.add("js-drag");
    var section = list.closest("section");
    if (section) section.classList.add("js-drag-hint");

    function changed() {
      renumber(list);
      if (status && message) status.textContent = message;
    }

    list.addEventListener("pointerdown", function (event) {
      var handle = event.target.closest(".drag-handle");
      if (!handle) return;
      dragged = handle.closest(".photo-item");
      dragged.classList.add("is-dragging");
      handle.setPointerCapture(event.pointerId);
      event.preventDefault();
    });

    list.addEventListener("pointermove", function (event) {
      if (!dragged) return;
      var target = itemAt(list, event.clientX, event.clientY, dragged);
      if (!target) return;
      var items = Array.prototype.slice.call(list.children);
      if (items.indexOf(target) > items.indexOf(dragged)) target.after(dragged);
      else target.before(dragged);
      changed();
    });

    function drop() {
      if (!dragged) return;
      dragged.classList.remove("is-dragging");
      dragged = null;
    }
    list.addEventListener("pointerup", drop);
    list.addEventListener("pointercancel", drop);

    // Keyboard: the handle moves its photo with the arrow keys.
    list.addEventListener("keydown", function (event) {
      var handle = event.target.closest(".drag-handle");
      if (!handle) return;
      var item = handle.closest(".photo-item");
      if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
        if (item.previousElementSibling) item.previousElementSibling.before(item);
      } else if (event.key === "ArrowRight" || event.key === "ArrowDown") {
        if (item.nextElementSibling) item.nextElementSibling.after(item);
      } else {
        return;
      }
      event.preventDefault();
      handle.focus();
      changed();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-photo-order]"), enhance);
  });
})();
