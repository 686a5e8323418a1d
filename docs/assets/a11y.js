// Material adds a <nav class="md-code__nav"> (the copy button) to every code block; unnamed, several
// of them are indistinguishable landmarks to a screen reader (axe: landmark-unique). Name each one.
document$.subscribe(() => {
  const label = document.documentElement.lang.startsWith("zh") ? "代码块" : "Code block";
  const name = () => document.querySelectorAll(".md-code__nav:not([aria-label])").forEach((nav) => {
    nav.setAttribute("aria-label", `${label} ${nav.closest("pre")?.id.replace("__code_", "") ?? ""}`.trim());
  });
  name();
  new MutationObserver(name).observe(document.querySelector(".md-content"), {childList: true, subtree: true});
});

// A formula or a `.wide` figure wider than the page scrolls in its own box (site.css); a keyboard
// user must be able to reach it to scroll it (axe: scrollable-region-focusable). Watched, since the
// column's width can change after load (the window, a scroll bar appearing).
const focusIfScrolling = (box) => {
  if (box.scrollWidth > box.clientWidth) box.setAttribute("tabindex", "0");
  else box.removeAttribute("tabindex");
};
const wideBoxes = new ResizeObserver((entries) => entries.forEach((e) => focusIfScrolling(e.target)));
const scrolling = ".md-typeset mjx-container[display], .md-typeset figure > p:has(> img.wide)";
document$.subscribe(() => document.querySelectorAll(scrolling).forEach((box) => {
  focusIfScrolling(box);
  wideBoxes.observe(box);
}));
