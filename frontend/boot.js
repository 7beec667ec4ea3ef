// Starts the web application. A file of its own, not an inline script: the
// Content-Security-Policy the server sends allows only the application's own scripts.
import init from "/nuvola_frontend.js";

// Anything the policy blocks is kept here (and logged): the browser journeys read it and
// fail on any violation.
window.__nuvolaCspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const what = `${e.violatedDirective} ${e.blockedURI}`;
  window.__nuvolaCspViolations.push(what);
  console.error(`Content-Security-Policy: blocked ${what}`);
});

init({ module_or_path: "/nuvola_frontend_bg.wasm" });
