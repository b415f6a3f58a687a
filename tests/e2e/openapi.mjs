// The API document as a client developer meets it: checked by a standard
// OpenAPI validator, then used by a client generated from it (operation ids
// become methods; parameters go where the document says) to sign in, list
// my enrollments and read a report with a query parameter.
// Driven by tests/browser.rs with BASE set to a server on the demo data.
import assert from "node:assert/strict";
import SwaggerParser from "@apidevtools/swagger-parser";
import { OpenAPIClientAxios } from "openapi-client-axios";

const base = process.env.BASE;
const doc = await (await fetch(`${base}/api/v1/openapi.json`)).json();

// The validator dereferences in place: give it a copy.
await SwaggerParser.validate(structuredClone(doc));
const ids = Object.values(doc.paths).flatMap((item) =>
  Object.values(item).map((op) => op.operationId),
);
assert.equal(new Set(ids).size, ids.length, `operation ids repeat: ${ids}`);
for (const [path, item] of Object.entries(doc.paths)) {
  for (const op of Object.values(item)) {
    for (const p of op.parameters ?? []) {
      if (p.in === "path") {
        assert.ok(path.includes(`{${p.name}}`), `${op.operationId}: ${p.name} is not in ${path}`);
      }
    }
  }
}

const api = new OpenAPIClientAxios({
  definition: doc,
  axiosConfigDefaults: { baseURL: base, validateStatus: () => true },
});
const client = await api.init();
const signedIn = await client.login(null, { username: "secretary", password: "demo" });
assert.equal(signedIn.status, 200, JSON.stringify(signedIn.data));
client.defaults.headers.common.Authorization = `Bearer ${signedIn.data.token}`;

const mine = await client.my_enrollments();
assert.equal(mine.status, 200);
assert.ok(Array.isArray(mine.data) && mine.data.length >= 3, JSON.stringify(mine.data));
assert.ok(mine.data.some((e) => e.module === "handover"), JSON.stringify(mine.data));

// A query parameter, which a wrong document would put in the path.
const one = await client.show({ id: mine.data[0].id, locale: "en" });
assert.equal(one.status, 200, JSON.stringify(one.data));
assert.equal(one.config.url, `/api/v1/enrollments/${mine.data[0].id}`);
assert.deepEqual(one.config.params, { locale: "en" });

console.log(
  `openapi: ${ids.length} operations valid; the generated client signed in and listed ${mine.data.length} enrollments`,
);
