/* Product page: choose a combination (Ukuran, Warna, …) with one row of buttons per option.
   Without this file the page offers one list of every combination and a "Pilih" button, so
   nothing here is needed to choose; it only makes choosing quicker. The data comes from the
   form's data-* attributes (no inline script: the CSP forbids it). */
(function () {
  "use strict";

  // The server's angka and rupiah filters: 1250000 → "1.250.000", "Rp 1.250.000" (both locales).
  function angka(amount) {
    return String(Math.round(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }

  function rupiah(amount) {
    return "Rp " + angka(amount);
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : whole;
    });
  }

  function priceSpan(amount) {
    var span = document.createElement("span");
    span.className = "price";
    span.textContent = rupiah(amount);
    return span;
  }

  function enhance(form) {
    var data;
    try {
      data = JSON.parse(form.getAttribute("data-picker"));
    } catch (error) {
      return; // the list of combinations still works
    }
    var options = data.options;
    var variants = data.variants;
    var text = function (name) { return form.getAttribute("data-text-" + name) || ""; };
    var madeToOrder = form.getAttribute("data-made-to-order") === "true";
    var buttons = Array.prototype.slice.call(form.querySelectorAll(".variant-value"));
    var fallback = form.querySelector("[data-variant-fallback]");
    var buttonArea = form.querySelector("[data-variant-buttons]");
    var idInput = form.querySelector("[data-variant-id]");
    var status = form.querySelector("[data-variant-status]");
    var error = form.querySelector(".variant-error");
    var priceTop = document.querySelector("[data-variant-price]");
    var priceShort = document.querySelector("[data-variant-price-short]");
    var priceFrom = document.querySelector("[data-variant-from]");
    var stockLine = document.querySelector("[data-variant-stock]");

    // One chosen value id per option, or null.
    var choice = options.map(function () { return null; });
    var selectedId = parseInt(form.getAttribute("data-selected"), 10);
    var initial = variants.filter(function (v) { return v.id === selectedId; })[0];
    if (initial) {
      choice = initial.values.slice();
    } else {
      // An option with a single value (only "Biru") is chosen already.
      options.forEach(function (option, i) {
        if (option.values.length === 1) choice[i] = option.values[0].id;
      });
    }

    function matches(variant, picked, skip) {
      for (var j = 0; j < picked.length; j++) {
        if (j !== skip && picked[j] !== null && variant.values[j] !== picked[j]) return false;
      }
      return true;
    }

    function matching(picked, skip) {
      return variants.filter(function (v) { return matches(v, picked, skip); });
    }

    function withValue(list, i, valueId) {
      return list.filter(function (v) { return v.values[i] === valueId; });
    }

    function inStock(list) {
      return list.some(function (v) { return v.in_stock; });
    }

    function chosenVariant() {
      if (choice.some(function (id) { return id === null; })) return null;
      return matching(choice, -1)[0] || null;
    }

    function valueName(i, valueId) {
      var found = options[i].values.filter(function (v) { return v.id === valueId; })[0];
      return found ? found.value : "";
    }

    function labelOf(picked) {
      return picked.map(function (id, i) { return valueName(i, id); }).join(" / ");
    }

    function choose(i, valueId) {
      if (choice[i] === valueId) {
        choice[i] = null; // pressed again: undo this choice
        return true;
      }
      if (!inStock(withValue(variants, i, valueId))) return false; // sold out in every combination
      choice[i] = valueId;
      // Keep the other choices that still go with this value; drop the ones that do not, so
      // the shopper is never stuck on a combination that cannot be bought.
      for (var j = 0; j < choice.length; j++) {
        if (j === i || choice[j] === null) continue;
        var pair = options.map(function () { return null; });
        pair[i] = valueId;
        pair[j] = choice[j];
        if (!inStock(matching(pair, -1))) choice[j] = null;
      }
      if (!inStock(matching(choice, -1))) {
        choice = choice.map(function (id, j) { return j === i ? id : null; });
      }
      return true;
    }

    function showPrice(low, high) {
      if (priceTop) {
        priceTop.textContent = "";
        priceTop.appendChild(priceSpan(low));
        if (high > low) {
          priceTop.appendChild(document.createTextNode(" – "));
          priceTop.appendChild(priceSpan(high));
        }
        priceTop.classList.toggle("is-range", high > low);
      }
      if (priceShort) priceShort.textContent = rupiah(low);
      if (priceFrom) priceFrom.hidden = !(high > low);
    }

    function showStock(amount) {
      if (!stockLine || madeToOrder) return;
      var span = document.createElement("span");
      span.className = amount > 0 ? "stock-ok" : "stock-out";
      span.textContent = amount > 0 ? fill(text("stock"), { n: angka(amount) }) : text("sold-out");
      stockLine.textContent = "";
      stockLine.appendChild(span);
    }

    function showPhoto(key) {
      var track = document.querySelector(".gallery-track");
      if (!track || !key) return;
      var slides = Array.prototype.slice.call(track.querySelectorAll(".gallery-slide"));
      var index = slides.map(function (s) { return s.getAttribute("data-image-key"); }).indexOf(key);
      if (index < 0) return;
      track.scrollTo({ left: index * track.clientWidth });
      Array.prototype.forEach.call(document.querySelectorAll(".gallery-thumb"), function (thumb, i) {
        if (i === index) thumb.setAttribute("aria-current", "true");
        else thumb.removeAttribute("aria-current");
      });
    }

    function remember(variant) {
      if (!window.history || !window.history.replaceState) return;
      var url = new URL(window.location.href);
      if (variant) url.searchParams.set("varian", String(variant.id));
      else url.searchParams.delete("varian");
      url.searchParams.delete("variant_id");
      window.history.replaceState(window.history.state, "", url.toString());
    }

    function render(byShopper) {
      buttons.forEach(function (button) {
        var i = parseInt(button.getAttribute("data-option"), 10);
        var valueId = parseInt(button.getAttribute("data-value"), 10);
        var offered = withValue(matching(choice, i), i, valueId);
        var available = inStock(offered);
        var note = button.querySelector(".variant-value-note");
        button.setAttribute("aria-pressed", choice[i] === valueId ? "true" : "false");
        if (available) {
          button.removeAttribute("aria-disabled");
          note.hidden = true;
          note.textContent = "";
        } else {
          button.setAttribute("aria-disabled", "true");
          note.hidden = false;
          note.textContent = offered.length ? text("value-sold-out") : text("value-missing");
        }
      });
      options.forEach(function (option, i) {
        var chosen = form.querySelector('[data-variant-chosen="' + i + '"]');
        if (chosen) chosen.textContent = choice[i] === null ? "" : ": " + valueName(i, choice[i]);
      });

      var complete = choice.every(function (id) { return id !== null; });
      var variant = chosenVariant();
      var message;
      if (variant) {
        showPrice(variant.price, variant.price);
        showStock(variant.stock);
        message = fill(text(variant.in_stock ? "chosen" : "chosen-sold-out"), { label: labelOf(variant.values) });
      } else {
        var narrowed = matching(choice, -1);
        var prices = narrowed.map(function (v) { return v.price; });
        if (prices.length) showPrice(Math.min.apply(null, prices), Math.max.apply(null, prices));
        showStock(narrowed.reduce(function (sum, v) { return sum + v.stock; }, 0));
        var missing = options.filter(function (option, i) { return choice[i] === null; })
          .map(function (option) { return option.name; });
        message = complete ? text("unavailable") : fill(text("missing"), { names: missing.join(", ") });
      }
      if (idInput) idInput.value = variant ? String(variant.id) : "";
      if (byShopper) {
        if (error) error.hidden = true; // the message was about the address, no longer shown
        status.textContent = message;
        remember(variant);
        if (variant) showPhoto(variant.image);
      }
    }

    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var i = parseInt(button.getAttribute("data-option"), 10);
        var valueId = parseInt(button.getAttribute("data-value"), 10);
        if (choose(i, valueId)) {
          render(true);
        } else {
          status.textContent = valueName(i, valueId) + " " + text("value-sold-out");
        }
      });
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    fallback.hidden = true;
    buttonArea.hidden = false;
    form.classList.add("variant-picker-enhanced");
    render(false);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form.variant-picker[data-picker]"), enhance);
  });
})();
