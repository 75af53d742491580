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
