// Search results without the language switcher in their excerpts.
//
// Sphinx's search page shows, under each page found, a piece of that page's main text,
// and the switcher ("English | 中文") is the first thing in it: the excerpt of a page
// found by its title began with the names of the languages. The switcher is taken out
// of the page's text before Sphinx cuts the excerpt; everything else is Sphinx's own.
(() => {
  if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
  const sphinxHtmlToText = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const page = new DOMParser().parseFromString(htmlString, "text/html");
    page.querySelectorAll("nav.rbmdocs-languages").forEach((switcher) => switcher.remove());
    return sphinxHtmlToText(page.documentElement.outerHTML, anchor);
  };
})();
