// Light or dark, as the system is set: Bootstrap's colour modes follow the `data-bs-theme`
// attribute, not the `prefers-color-scheme` media query, so it is set here, before the page is
// first drawn (a classic script in <head>), and again whenever the system's setting changes.
const darkScheme = window.matchMedia("(prefers-color-scheme: dark)");
const applyScheme = () => {
  document.documentElement.dataset.bsTheme = darkScheme.matches ? "dark" : "light";
};
applyScheme();
darkScheme.addEventListener("change", applyScheme);
