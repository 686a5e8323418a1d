// Material for MkDocs' MathJax recipe for arithmatex `generic: true`, with one change.
// Material's snippet re-typesets on every `document$` emission, including the first page load,
// where it runs before or against MathJax's own start-up typeset and breaks that page.
// MathJax typesets the first page itself (startup.typeset), so only later emissions
// (instant navigation swapping the page content) re-typeset here.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
  },
};

let firstPage = true;
document$.subscribe(() => {
  if (firstPage) {
    firstPage = false;
    return;
  }
  MathJax.startup.output.clearCache();
  MathJax.typesetClear();
  MathJax.texReset();
  MathJax.typesetPromise();
});
