// Applies the stored (or system) colour theme before the first paint, to avoid a flash.
(function () {
  var t = null;
  try {
    t = localStorage.getItem("cartograph-theme");
  } catch (e) {}
  if (t !== "light" && t !== "dark") {
    t = window.matchMedia && window.matchMedia("(prefers-color-scheme: light)").matches ? "light" : "dark";
  }
  document.documentElement.dataset.theme = t;
})();
