// Operation ids through the graphql-ws npm client, for the Go tests:
// node graphql-ws-ops.mjs URL PAYLOAD QUERY MODE
//   duplicate: two subscriptions under one id (a fixed generateID), as a
//              client with a broken id generator would send; prints
//              {"closed": code, "reason"} when the server closes.
//   complete:  one subscription; prints {"next": result} per event, and on
//              a stdin line "complete" unsubscribes (the client sends
//              complete) and prints {"completed": true}.
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { createInterface } from "node:readline";

const [url, payload, query, mode] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: JSON.parse(payload),
  lazy: false,
  retryAttempts: 0,
  generateID: () => "op-1",
  on: {
    connected: () => out({ connected: true }),
    closed: (e) => {
      out({ closed: e.code, reason: e.reason });
      setTimeout(() => process.exit(0), 50);
    },
  },
});

const sink = (n) => ({
  next: (result) => out({ next: result, sub: n }),
  error: (e) => out({ error: e instanceof Error ? e.message : e && e.code !== undefined ? { code: e.code, reason: e.reason } : e, sub: n }),
  complete: () => out({ complete: true, sub: n }),
});

const unsubscribe = client.subscribe({ query }, sink(1));
if (mode === "duplicate") {
  setTimeout(() => client.subscribe({ query }, sink(2)), 200);
}
createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "complete") {
    unsubscribe();
    out({ completed: true });
  }
});
process.stdin.on("end", () => client.dispose().then(() => process.exit(0)));
