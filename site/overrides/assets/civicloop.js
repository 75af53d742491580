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

/* A recommendations tracker filters in place by status and committee. Without a script, its
   status links jump to each status's section and its committee links open each committee's
   own tracker; with one, two menus show only what is asked for. The site's tracker has a
   heading per status and, under it, one per committee (linked to its tracker) with its table. */
(function () {
  var tracker = document.querySelector(".civicloop-tracker");
  if (!tracker) return;
  var sections = [], committees = {}, section = null, committee = "";
  Array.prototype.forEach.call(tracker.children, function (element) {
    if (element.tagName === "H2" && element.id.indexOf("status-") === 0) {
      section = { heading: element, status: element.id.slice(7), blocks: [] };
      sections.push(section);
      committee = "";
    } else if (section && element.tagName === "H3") {
      var link = element.querySelector("a[href*='/committees/'], a[href^='committees/']");
      var found = link && /committees\/([^/]+)\//.exec(link.getAttribute("href"));
      committee = found ? found[1] : "";
      if (found) committees[committee] = link.textContent;
      section.blocks.push({ committee: committee, elements: [element] });
    } else if (section && (element.tagName === "TABLE" || element.querySelector("table"))) {
      if (!section.blocks.length || section.blocks[section.blocks.length - 1].elements.length > 1) {
        section.blocks.push({ committee: committee, elements: [] });
      }
      section.blocks[section.blocks.length - 1].elements.push(element);
    }
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
  var byCommittee = menu("committee", tracker.dataset.committeeLabel,
    Object.keys(committees).sort().map(function (c) { return [c, committees[c]]; }));
  // the page holds the form's place already (its height reserved), so nothing moves
  var form = tracker.querySelector(".civicloop-tracker__filter");
  form.appendChild(byStatus.wrapper);
  if (Object.keys(committees).length > 1) form.appendChild(byCommittee.wrapper);
  form.addEventListener("submit", function (event) { event.preventDefault(); });

  function show(element, shown) {
    // a table the theme has since wrapped (to scroll it) goes with its wrapper
    var target = element.closest(".md-typeset__scrollwrap") || element;
    target.style.display = shown ? "" : "none";  // the theme's rules would override `hidden`
  }
  form.addEventListener("change", function () {
    var status = byStatus.select.value, wanted = byCommittee.select.value;
    sections.forEach(function (s) {
      var any = false;
      s.blocks.forEach(function (block) {
        var shown = (status === "" || status === s.status)
          && (wanted === "" || block.committee === wanted);
        block.elements.forEach(function (element) { show(element, shown); });
        any = any || shown;
      });
      show(s.heading, any);
    });
  });
})();
