// Points Swagger UI at this server's OpenAPI document (no outside URLs),
// in the mode chosen in the portal (its base URL first, so "Try it out"
// goes there) and with the portal console's key for that mode.
window.onload = async function () {
  const env = sessionStorage.getItem("cien-portal-env") === "live" ? "live" : "sandbox";
  const key = sessionStorage.getItem("cien-portal-key-" + env) || "";
  const back = document.createElement("p");
  back.id = "portal-link";
  back.innerHTML = '<a href="/#console">← Developer portal</a> · mode: <strong></strong> (switch it at the top of the portal)';
  back.querySelector("strong").textContent = env;
  document.body.prepend(back);

  const doc = await (await fetch("/api/openapi.json")).json();
  const first = (servers) => {
    const mine = (s) => (env === "sandbox") === s.url.startsWith("/api/sandbox");
    return servers.filter(mine).concat(servers.filter((s) => !mine(s)));
  };
  doc.servers = first(doc.servers);
  for (const item of Object.values(doc.paths)) if (item.servers) item.servers = first(item.servers);
  window.ui = SwaggerUIBundle({
    spec: doc,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
    validatorUrl: null,
    persistAuthorization: false,
    onComplete: () => { if (key) window.ui.preauthorizeApiKey("ApiKeyAuth", key); },
  });
};
