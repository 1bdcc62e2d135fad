/*
 * What API Gateway writes to the stage's access log, one JSON line per request: the route key
 * (the route's template, `POST /v1/recipients/erase`, `GET /v1/messages/{id}`, never the path
 * as sent), the status and the request id, which finds the request in the functions' logs.
 * Nothing else. SST's default format adds `$context.path` (the path as sent: an address in
 * `DELETE /v1/recipients/alice@example.com`), the caller's IP address and user agent; a query
 * string (`?recipient=`, `?msg_id=`) is not in the route key either. Pure: no SST globals, so
 * packages/settings' tests can read it (infra-access-log.test.ts).
 */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  routeKey: "$context.routeKey",
  status: "$context.status",
});
