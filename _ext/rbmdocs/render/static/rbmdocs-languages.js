/* rbmdocs: the language switcher takes the reader to the same place in the other language.
 *
 * A need keeps its ID in every language (IO_4 is IO_4 in Chinese), so the #anchor of the
 * page the reader is on names the same place on the same page in the other language. The
 * links are rewritten as the page opens and whenever the anchor changes, so that a click,
 * a middle click and a copied link all carry it, from a web server or a folder on disk.
 */
(function () {
  function carryAnchor() {
    document.querySelectorAll("a.rbmdocs-language-link").forEach(function (link) {
      var page = link.getAttribute("href").split("#")[0];
      link.setAttribute("href", page + window.location.hash);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", carryAnchor);
  } else {
    carryAnchor();
  }
  window.addEventListener("hashchange", carryAnchor);
  // a click on a link of the page changes the anchor after this runs: read it at the click
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.rbmdocs-language-link");
    if (link) { carryAnchor(); }
  }, true);
})();
