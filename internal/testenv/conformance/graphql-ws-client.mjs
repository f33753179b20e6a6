// A GraphQL subscription through graphql-ws, the npm client frontends use,
// for the Go tests: node graphql-ws-client.mjs URL PAYLOAD QUERY [VARIABLES]
// subscribes once and prints one JSON line per happening: {"connected"},
// {"next": result}, {"error": …}, {"complete"}, {"closed": code, "reason"}.
// It exits when the subscription ends (or when stdin closes).
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, payload, query, variables] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: JSON.parse(payload),
  lazy: false,
  retryAttempts: 0,
  on: {
    connected: () => out({ connected: true }),
    closed: (e) => out({ closed: e.code, reason: e.reason }),
  },
});

const end = () => setTimeout(() => process.exit(0), 50);
client.subscribe({ query, variables: variables ? JSON.parse(variables) : undefined }, {
  next: (result) => out({ next: result }),
  error: (e) => {
    out({ error: e instanceof Error ? e.message : e && e.code !== undefined ? { code: e.code, reason: e.reason } : e });
    end();
  },
  complete: () => {
    out({ complete: true });
    end();
  },
});
process.stdin.on("end", () => client.dispose().then(() => process.exit(0)));
process.stdin.resume();
