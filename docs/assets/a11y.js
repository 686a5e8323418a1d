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
