// Loads the served schema as GraphQL clients do, for the Go tests:
// node graphql-schema-check.mjs BASE KEY
// builds a client schema from the introspection download and from a live
// introspection query (graphql-js buildClientSchema), and a schema from the
// SDL download (buildSchema), and validates each (assertValidSchema).
// Prints {"ok": true} or {"errors": [...]}, one line.
import { buildClientSchema, buildSchema, assertValidSchema, getIntrospectionQuery } from "graphql";

const [base, key] = process.argv.slice(2);
const errors = [];
const check = async (name, load) => {
  try {
    assertValidSchema(await load());
  } catch (e) {
    errors.push(`${name}: ${e.message}`);
  }
};
const json = async (res) => {
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
};
await check("schema.json", async () => buildClientSchema((await json(await fetch(`${base}/graphql/schema.json`))).data));
await check("live introspection", async () => {
  const body = await json(await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-API-Key": key },
    body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true }) }),
  }));
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return buildClientSchema(body.data);
});
await check("schema.graphql", async () => {
  const res = await fetch(`${base}/graphql/schema.graphql`);
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return buildSchema(await res.text());
});
process.stdout.write(JSON.stringify(errors.length ? { errors } : { ok: true }) + "\n");
