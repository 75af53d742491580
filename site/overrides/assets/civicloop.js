/* Click-to-load video: the player (and its host) is requested only after the visitor asks. */
document.addEventListener("click", function (event) {
  var button = event.target.closest(".civicloop-video__play");
  if (!button) return;
  var box = button.closest(".civicloop-video");
  var frame = document.createElement("iframe");
  frame.src = box.dataset.embed + (box.dataset.embed.indexOf("?") < 0 ? "?" : "&") + "autoplay=1";
  frame.title = box.dataset.title;
  frame.allow = "autoplay; fullscreen; picture-in-picture";
  frame.allowFullscreen = true;
  frame.loading = "lazy";
  box.replaceChild(frame, button);
  frame.focus();
});

/* The palette switch looks like a button, so Space must work as Enter does (Material handles
   only Enter; on its radio inputs Space does nothing, the current one being already checked). */
document.addEventListener("keydown", function (event) {
  if (event.key !== " " || !event.target.matches || !event.target.matches(".md-option")) return;
  var form = event.target.closest("[data-md-component='palette']");
  if (!form) return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input.md-option"));
  var next = inputs[(inputs.indexOf(event.target) + 1) % inputs.length];
  event.preventDefault();
  next.click();
  next.focus();
});

/* Material fetches a `sitemap.xml` beside every `<link rel="alternate">` once the document has
   loaded: it expects links to each language's home, whose sitemap maps the current page to its
   translation. The i18n plugin's links are already the page's translation, in the page's folder,
   where there is no sitemap: two 404s on every page (Lighthouse's best practices count them).
   Material reads the links when the document is loaded, after this script has run: they are out
   of its sight (rel cleared) until then, and given back at once, so the HTML, crawlers and any
   later reader see them as written. */
(function () {
  var alternates = document.querySelectorAll("link[rel='alternate'][hreflang]");
  if (!alternates.length) return;
  Array.prototype.forEach.call(alternates, function (link) {
    link.setAttribute("rel", "");
  });
  // Material listened first, so it has looked when this runs (listeners run in order).
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(alternates, function (link) {
      link.setAttribute("rel", "alternate");
    });
  }, { once: true });
})();

/* A recommendations tracker filters in place by status and committee. Without a script, its
   status links jump to each status's section and its committee links open each committee's
   own tracker; with one, two menus show only the rows asked for. */
(function () {
  var tracker = document.querySelector(".civicloop-tracker");
  if (!tracker) return;
  var sections = Array.prototype.map.call(
    tracker.querySelectorAll("h3[id^='status-']"),
    function (heading) {
      return { heading: heading, table: heading.nextElementSibling, status: heading.id.slice(7) };
    }
  );
  var committees = {};
  Array.prototype.forEach.call(tracker.querySelectorAll("tbody tr"), function (row) {
    var link = row.cells.length > 2 && row.cells[1].querySelector("a");
    var found = link && /\/committees\/([^/]+)\//.exec(link.getAttribute("href"));
    row.dataset.committee = found ? found[1] : "";
    if (found) committees[found[1]] = link.textContent;
  });

  function menu(id, label, options) {
    var wrapper = document.createElement("div");
    var name = document.createElement("label");
    var select = document.createElement("select");
    select.id = "civicloop-filter-" + id;
    name.htmlFor = select.id;
    name.textContent = label;
    [["", tracker.dataset.all]].concat(options).forEach(function (option) {
      select.add(new Option(option[1], option[0]));
    });
    wrapper.appendChild(name);
    wrapper.appendChild(select);
    return { wrapper: wrapper, select: select };
  }

  var byStatus = menu("status", tracker.dataset.statusLabel, sections.map(function (s) {
    return [s.status, s.heading.firstChild.textContent.trim()];
  }));
  var byCommittee = menu("committee", tracker.dataset.committeeLabel, Object.keys(committees).map(function (c) {
    return [c, committees[c]];
  }));
  var form = document.createElement("form");
  form.className = "civicloop-tracker__filter";
  form.appendChild(byStatus.wrapper);
  if (Object.keys(committees).length > 1) form.appendChild(byCommittee.wrapper);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  tracker.insertBefore(form, tracker.firstChild);

  form.addEventListener("change", function () {
    var status = byStatus.select.value, committee = byCommittee.select.value;
    sections.forEach(function (section) {
      var shown = 0;
      // style, not `hidden`: the theme's table rules would show them again
      Array.prototype.forEach.call(section.table.querySelectorAll("tbody tr"), function (row) {
        var kept = committee === "" || row.dataset.committee === committee;
        row.style.display = kept ? "" : "none";
        if (kept) shown += 1;
      });
      var visible = (status === "" || status === section.status) && shown > 0;
      section.heading.style.display = visible ? "" : "none";
      section.table.style.display = visible ? "" : "none";
    });
  });
})();
