// Points Swagger UI at this server's OpenAPI document (no outside URLs),
// in the mode chosen with the portal's toggle (shown here too: its base
// URL first, so "Try it out" goes there) and with the portal console's key
// for that mode. On live, the red bar shows and every write asks first.
window.onload = async function () {
  const [{ ask }, { currentEnv, initEnv, onEnv }] = await Promise.all([import("/portal/dom.js"), import("/portal/env.js")]);
  const css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = "/portal/envbar.css";
  document.head.append(css);
  const header = document.createElement("header");
  header.className = "top";
  header.innerHTML = '<span id="portal-link"><a href="/#console">← Developer portal</a> · API reference in <strong></strong></span>';
  document.body.prepend(header);
  initEnv();
  onEnv(() => window.location.reload());
  const env = currentEnv();
  header.querySelector("strong").textContent = env;
  const key = sessionStorage.getItem("cien-portal-key-" + env) || "";

  const doc = await (await fetch("/api/openapi.json")).json();
  const first = (servers) => {
    const mine = (s) => (env === "sandbox") === s.url.startsWith("/api/sandbox");
    return servers.filter(mine).concat(servers.filter((s) => !mine(s)));
  };
  doc.servers = first(doc.servers);
  for (const item of Object.values(doc.paths)) if (item.servers) item.servers = first(item.servers);
  const live = (url) => { const p = new URL(url, window.location.href).pathname; return p.startsWith("/api/") && !p.startsWith("/api/sandbox/"); };
  window.ui = SwaggerUIBundle({
    spec: doc,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
    validatorUrl: null,
    persistAuthorization: false,
    // A write to live asks first. Cancelled, nothing is sent: the request
    // becomes a read of a local blob that says so, which Swagger UI shows
    // as the answer (a thrown error breaks its response panel).
    requestInterceptor: async (req) => {
      if (["GET", "HEAD", "OPTIONS"].includes(String(req.method).toUpperCase()) || !live(req.url)) return req;
      if (await ask("Send a write to live data?", [req.method + " " + req.url + " changes live data."], "Send to live", true)) return req;
      const note = JSON.stringify({ status: "cancelled", message: "Cancelled: nothing was sent to live." });
      return { url: URL.createObjectURL(new Blob([note], { type: "application/json" })), method: "GET", headers: {} };
    },
    responseInterceptor: (res) => {
      if (String(res.url).startsWith("blob:")) res.status = "cancelled";
      return res;
    },
    onComplete: () => { if (key) window.ui.preauthorizeApiKey("ApiKeyAuth", key); },
  });
};
