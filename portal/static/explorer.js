// The GraphQL explorer: GraphiQL served by the binary, talking to the
// endpoint this page was opened from (sandbox or live). The portal's
// toggle switches to the other endpoint; on live, the red bar shows and
// every mutation asks first, as the console's writes do.
import { ask } from "./dom.js";
import { initEnv, onEnv } from "./env.js";

const start = () => {
  const endpoint = window.location.pathname.replace(/\/$/, "");
  const env = endpoint.startsWith("/api/sandbox") ? "sandbox" : "live";
  const prefix = env === "sandbox" ? "cien_test_" : "cien_live_";
  document.getElementById("endpoint").textContent = endpoint;
  document.getElementById("sdl").href = endpoint + "/schema.graphql";
  document.getElementById("key-prefix").textContent = prefix;
  const whereKeys = (env === "sandbox" ? "The server prints a sandbox key when it first starts; " :
    "Live keys come from cienerp key create -env live or POST /api/settings/integration-keys; ") +
    "a key typed in the portal's console carries over.";
  document.getElementById("key-where").textContent = whereKeys;
  sessionStorage.setItem("cien-portal-env", env);
  initEnv();
  onEnv((to) => { window.location.href = to === "live" ? "/api/graphql" : "/api/sandbox/graphql"; });

  // The schema comes from the server's introspection result, which needs
  // no key and exists where introspection is off (live by default): Docs
  // and autocomplete work before a key is pasted.
  let schema = null;
  const introspection = () => schema || (schema = fetch(endpoint + "/schema.json").then((r) => r.json()));
  const hint = document.getElementById("key-hint");
  const hasCredential = (headers) => Object.entries(headers || {}).some(([k, v]) =>
    (k.toLowerCase() === "x-api-key" || k.toLowerCase() === "authorization") && String(v).trim() !== "");

  // Subscriptions go over a WebSocket to the same endpoint (graphql-ws),
  // with the Headers tab as connection_init's payload; each result is
  // shown as it comes, and a socket the server closes says why.
  const socketURL = (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + endpoint;
  const operationType = (params, opts) => {
    const defs = ((opts && opts.documentAST) || {}).definitions || [];
    const op = defs.find((d) => d.kind === "OperationDefinition" && (!params.operationName || (d.name && d.name.value === params.operationName)));
    if (op) return op.operation;
    const m = /^\s*(query|mutation|subscription)\b/.exec(params.query || "");
    return m ? m[1] : "query";
  };
  const subscribe = (params, headers) => ({
    subscribe(observer) {
      const client = graphqlWs.createClient({ url: socketURL, connectionParams: headers, retryAttempts: 0, lazy: true });
      const stop = client.subscribe(params, {
        next: (result) => observer.next(result),
        error: (e) => {
          const message = e && e.code !== undefined ? "The socket closed (" + e.code + "): " + (e.reason || "no reason given") :
            Array.isArray(e) ? e.map((x) => x.message).join("; ") : String((e && e.message) || e);
          observer.next({ errors: [{ message }] });
          observer.complete();
        },
        complete: () => observer.complete(),
      });
      return { unsubscribe: () => { stop(); client.dispose(); } };
    },
  });

  const fetcher = async (params, opts) => {
    if ((params.operationName || "").startsWith("IntrospectionQuery")) return introspection();
    const headers = (opts && opts.headers) || {};
    if (!hasCredential(headers)) {
      hint.hidden = false;
      return { errors: [{ message: "Paste your key in the Headers tab first: {\"X-API-Key\": \"" + prefix + "…\"}. " + whereKeys }] };
    }
    hint.hidden = true;
    const type = operationType(params, opts);
    if (type === "subscription") return subscribe(params, headers);
    if (type === "mutation" && env === "live" &&
      !(await ask("Run this mutation on live data?", ["It changes real records of the live environment (" + endpoint + ")."], "Run on live", true))) {
      return { errors: [{ message: "Cancelled: nothing was sent to live." }] };
    }
    const res = await fetch(endpoint, {
      method: "POST",
      headers: Object.assign({ "Content-Type": "application/json", Accept: "application/json" }, headers),
      body: JSON.stringify(params),
    });
    const text = await res.text();
    try {
      return JSON.parse(text);
    } catch (e) {
      return { errors: [{ message: "HTTP " + res.status + ": " + text.slice(0, 200) }] };
    }
  };

  // The key typed in the portal's console for this environment carries
  // over; without one the Headers tab holds an empty key to fill in.
  const key = sessionStorage.getItem("cien-portal-key-" + env) || "";
  hint.hidden = key !== "";
  const query = new URLSearchParams(window.location.search).get("query");
  if (query) {
    // A link that carries a query opens it, not the tabs of the last visit.
    localStorage.removeItem("graphiql:tabState");
    localStorage.removeItem("graphiql:query");
  }
  const root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher,
    defaultHeaders: JSON.stringify({ "X-API-Key": key }, null, 2),
    defaultEditorToolsVisibility: key === "" ? "headers" : undefined,
    query: query || undefined,
    defaultQuery: "# Tickets of this environment, newest first.\n{\n  tickets(first: 20, orderBy: {field: CREATED_AT, direction: DESC}) {\n    totalCount\n    edges { node { id displayNumber title status priority createdAt } }\n  }\n}\n",
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
  }));
};
// GraphiQL's scripts are deferred; this module runs after them.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
