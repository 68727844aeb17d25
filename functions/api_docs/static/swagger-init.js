// The API reference: docs/openapi.json in Swagger UI (vendored, see Makefile's swagger-ui target).
// The document's server is "/"; "Try it out" must call this stage's API, which is where the page is,
// less its docs/ folder.
"use strict";

window.addEventListener("DOMContentLoaded", async () => {
  const apiBase = new URL("..", window.location.href).href.replace(/\/$/, "");
  const response = await fetch("openapi.json");
  const spec = await response.json();
  spec.servers = [{ url: apiBase, description: "This deployment" }];
  window.ui = SwaggerUIBundle({
    spec,
    dom_id: "#swagger-ui",
    deepLinking: true,
    // The key typed into Authorize stays in this page's memory: never stored.
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis],
  });
});
