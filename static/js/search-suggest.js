/* Suggestions under the sticky search bar while typing (progressive enhancement).
   Without this file the bar is a plain GET form to /cari. With it, the input becomes an ARIA
   combobox: after a short pause in typing it asks /api/saran for phrases and sellers and shows
   them in a listbox. Arrow keys move through the list, Enter or a click opens the choice
   (a phrase searches /cari, a seller opens the storefront), Escape closes the list. */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var MIN_CHARS = 2;

  function enhance(form) {
    var input = form.querySelector('input[type="search"]');
    var list = form.querySelector('[role="listbox"]');
    var status = form.querySelector("[data-suggest-status]");
    var url = form.getAttribute("data-suggest-url");
    if (!input || !list || !url || !window.fetch) return;

    var timer = null;
    var pending = null; // AbortController of the request in flight
    var options = []; // [{element, href}]
    var active = -1;
    var shownFor = null; // the text the list was made for

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (!options.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function setActive(index) {
      options.forEach(function (option, i) {
        option.element.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].element.id);
        options[index].element.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function go(index) {
      var option = options[index];
      if (!option) return;
      close();
      window.location.assign(option.href);
    }

    function addOption(parent, text, href) {
      var element = document.createElement("div");
      element.setAttribute("role", "option");
      element.setAttribute("aria-selected", "false");
      element.id = list.id + "-" + options.length;
      element.className = "suggest-option";
      var label = document.createElement("span");
      label.className = "suggest-text";
      label.textContent = text;
      element.appendChild(label);
      var index = options.length;
      element.addEventListener("click", function () { go(index); });
      parent.appendChild(element);
      options.push({ element: element, href: href });
    }

    function render(data, text) {
      list.textContent = "";
      options = [];
      active = -1;
      var action = form.getAttribute("action");
      (data.frasa || []).forEach(function (phrase) {
        addOption(list, phrase, action + "?q=" + encodeURIComponent(phrase));
      });
      var sellers = data.penjual || [];
      if (sellers.length) {
        var group = document.createElement("div");
        group.setAttribute("role", "group");
        group.className = "suggest-group";
        var heading = document.createElement("div");
        heading.id = list.id + "-penjual";
        heading.className = "suggest-heading";
        heading.setAttribute("role", "presentation");
        heading.textContent = form.getAttribute("data-label-sellers") || "";
        group.setAttribute("aria-labelledby", heading.id);
        group.appendChild(heading);
        sellers.forEach(function (seller) { addOption(group, seller.nama, seller.url); });
        list.appendChild(group);
      }
      shownFor = text;
      if (status) {
        status.textContent = options.length
          ? (form.getAttribute("data-label-count") || "").replace("{n}", String(options.length))
          : "";
      }
      if (options.length && document.activeElement === input) open();
      else close();
    }

    function fetchSuggestions() {
      var text = input.value.trim();
      if (text.length < MIN_CHARS) {
        shownFor = null;
        close();
        return;
      }
      if (text === shownFor) {
        open();
        return;
      }
      if (pending) pending.abort();
      pending = window.AbortController ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(text), {
        headers: { "Accept": "application/json" },
        signal: pending ? pending.signal : undefined
      })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (data) {
          if (input.value.trim() === text) render(data, text);
        })
        .catch(function () {
          // Offline, aborted or a server error: the form still searches on Enter.
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var key = event.key;
      if (key === "ArrowDown" || key === "ArrowUp") {
        if (!options.length) return;
        event.preventDefault();
        if (list.hidden) open();
        var step = key === "ArrowDown" ? 1 : -1;
        var next = active + step;
        if (next >= options.length) next = -1; // past the end: back to what was typed
        if (next < -1) next = options.length - 1;
        setActive(next);
      } else if (key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault();
          go(active);
        } else {
          close();
        }
      } else if (key === "Escape") {
        if (!list.hidden) {
          event.preventDefault(); // keep the text (a search input clears itself on Escape)
          close();
        }
      } else if (key === "Tab") {
        close();
      }
    });

    // A click on the list must not blur the input first (which would close the list).
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    input.addEventListener("blur", close);
    input.addEventListener("focus", function () {
      if (input.value.trim() === shownFor) open();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-suggest-url]"), enhance);
  });
})();
