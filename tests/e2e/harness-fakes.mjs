// The fake services asked directly, beside what the window shows: set up (tables, dataflows,
// failed runs, faults) through their control routes, read back (the connections they hold, the
// requests they received), and changed as another client of Flow Service would.
import assert from "node:assert/strict";

const CONNECTIONS = "/data/foundation/flowservice/connections";

/** Calls the fakes' control route `/__fake/<pathname>`: a GET without `body`, a POST with it.
 * Returns its JSON (null for 204). */
export async function fakeControl(app, pathname, body) {
  const response = await fetch(`${app.fakeUrl}/__fake/${pathname}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.ok, `${pathname}: HTTP ${String(response.status)}`);
  return response.status === 204 ? null : response.json();
}

/** The connection `id` as the fake Flow Service holds it (with its secrets and etag). */
export async function storedConnection(app, id) {
  return (await fakeControl(app, "connections")).find((c) => c.id === id);
}

/** Every connection create the fake Flow Service received, oldest first. */
export async function connectionPosts(app) {
  const requests = await (await fetch(`${app.fakeUrl}/__fake/requests`)).json();
  return requests.filter((r) => r.method === "POST" && r.path === CONNECTIONS);
}

/** The PATCHes of the connection `id`, leaving out the one that took its create's marker off. */
export async function connectionPatches(app, id) {
  const requests = await fakeControl(app, "requests");
  return requests.filter(
    (r) =>
      r.method === "PATCH" &&
      r.path === `${CONNECTIONS}/${id}` &&
      !r.body.includes('"/description"'),
  );
}

/** PATCHes the connection `id` with JSON Patch `operations` at its current etag, as another
 * client of Flow Service would (with the fake account's own token), and returns the response. */
export async function patchElsewhere(app, id, operations) {
  const config = await fakeControl(app, "config");
  const token = await (
    await fetch(`${app.fakeUrl}/ims/token/v3`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: config.clientId,
        client_secret: config.clientSecret,
        scope: "openid,AdobeID",
      }),
    })
  ).json();
  return fetch(`${app.fakeUrl}${CONNECTIONS}/${id}`, {
    method: "PATCH",
    headers: {
      authorization: `Bearer ${token.access_token}`,
      "x-api-key": config.clientId,
      "x-gw-ims-org-id": config.orgId,
      "x-sandbox-name": "prod",
      "content-type": "application/json",
      "if-match": (await storedConnection(app, id)).etag,
    },
    body: JSON.stringify(operations),
  });
}
