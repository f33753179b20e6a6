// Runs the graphql-http audit suite (GraphQL over HTTP) against the URL in
// argv[2], sending the integration key in argv[3], and prints one JSON
// line per result: {status: ok|warn|error, id, name, reason}.
import { serverAudits } from 'graphql-http';

const [url, key] = process.argv.slice(2);
const fetchWithKey = (input, init = {}) => {
  const headers = new Headers(init.headers);
  headers.set('X-API-Key', key);
  return fetch(input, { ...init, headers });
};
const audits = serverAudits({ url, fetchFn: fetchWithKey });
for (const audit of audits) {
  const result = await audit.fn();
  const out = { status: result.status, id: audit.id, name: audit.name };
  if (result.status !== 'ok') {
    out.reason = result.reason;
    if (result.response) {
      out.got = { status: result.response.status, contentType: result.response.headers.get('content-type') };
    }
  }
  console.log(JSON.stringify(out));
}
