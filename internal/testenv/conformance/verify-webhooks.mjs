// Verifies recorded webhook deliveries as a real receiver would, with the
// standardwebhooks library: node verify-webhooks.mjs FILE, where FILE is
// JSON {"secrets": ["whsec_…"], "requests": [{"headers": {…}, "body": "…"}]}.
// Prints one line per request and secret: "ok <webhook-id>" or "bad <reason>".
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";

const { secrets, requests } = JSON.parse(readFileSync(process.argv[2], "utf8"));
for (const r of requests) {
  for (const secret of secrets) {
    try {
      const payload = new Webhook(secret.replace(/^whsec_/, "")).verify(r.body, r.headers);
      console.log(`ok ${r.headers["webhook-id"]} ${payload.type}`);
    } catch (e) {
      console.log(`bad ${e.message}`);
    }
  }
}
