// The GraphQL explorer: GraphiQL served by the binary, talking to the
// endpoint this page was opened from (sandbox or live).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const endpoint = window.location.pathname.replace(/\/$/, "");
  document.getElementById("endpoint").textContent = endpoint;
  document.getElementById("sdl").href = endpoint + "/schema.graphql";
  const fetcher = async (params, opts) => {
    const headers = Object.assign({ "Content-Type": "application/json" }, (opts && opts.headers) || {});
    const res = await fetch(endpoint, { method: "POST", headers, body: JSON.stringify(params) });
    return res.json();
  };
  // The key typed in the portal's console for this environment carries over.
  const env = endpoint.startsWith("/api/sandbox") ? "sandbox" : "live";
  const key = sessionStorage.getItem("cien-portal-key-" + env) || (env === "sandbox" ? "cien_test_…" : "cien_live_…");
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher,
    defaultHeaders: JSON.stringify({ "X-API-Key": key }, null, 2),
    defaultQuery: "# Tickets of this environment, newest first.\n{\n  tickets(first: 20) {\n    totalCount\n    edges { node { id title status priority createdAt } }\n  }\n}\n",
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
  }));
});
