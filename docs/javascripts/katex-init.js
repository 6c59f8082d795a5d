// Typeset the formulas of every page with KaTeX, shipped with the site (docs/javascripts/katex/), so
// formulas render offline. Learn and notebook pages carry TeX between $...$ and $$...$$ (as Jupyter
// writes it) and, in LaTeX outputs such as cr.explain's, as bare \begin{align*} environments;
// Markdown pages carry it from pymdownx.arithmatex as \(...\) and \[...\]. Code blocks (pre, code)
// are left alone.
(function () {
  function typeset() {
    if (typeof renderMathInElement !== "function") return;
    renderMathInElement(document.body, {
      delimiters: [
        { left: "$$", right: "$$", display: true },
        { left: "\\[", right: "\\]", display: true },
        { left: "\\(", right: "\\)", display: false },
        { left: "$", right: "$", display: false },
        ...["align", "align*", "equation", "equation*", "gather", "gather*"].map((name) => (
          { left: `\\begin{${name}}`, right: `\\end{${name}}`, display: true })),
      ],
      ignoredClasses: ["highlight"],
      throwOnError: false,
    });
  }
  if (typeof document$ !== "undefined" && document$.subscribe) {
    document$.subscribe(typeset); // Material's page-change stream (also fires on the first load)
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", typeset);
  } else {
    typeset();
  }
})();
