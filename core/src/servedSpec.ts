// The contract as a server serves it (`GET /v1/openapi.json` and `/v1/openapi.yaml`): the
// document as loaded, with `servers` naming the server itself. Shared by the reference server and
// the msw handlers; the Python and Erlang skeletons do the same in their own language.

/** The `servers` entry a server puts in the document it serves. */
export function ownServers(url: string): { url: string; description: string }[] {
  return [{ url, description: "This server." }];
}

/**
 * The parsed document with `servers` replaced by the serving server's URL (a shallow copy; the
 * document itself is not changed).
 *
 * @example
 * specWithServer(doc, "http://127.0.0.1:8080").servers; // [{ url: "http://127.0.0.1:8080", description: "This server." }]
 */
export function specWithServer<T extends object>(document: T, url: string): T & { servers: { url: string; description: string }[] } {
  return { ...document, servers: ownServers(url) };
}

/**
 * The YAML text with its top-level `servers:` block replaced by the serving server's URL; every
 * other line (comments included) stays as it is. Without a `servers:` block, one is added before
 * `paths:`.
 *
 * @example
 * yamlWithServer("openapi: 3.1.0\nservers:\n  - url: http://x\npaths: {}\n", "http://127.0.0.1:9000");
 * // "openapi: 3.1.0\nservers:\n  - url: \"http://127.0.0.1:9000\"\n    description: This server.\npaths: {}\n"
 */
export function yamlWithServer(text: string, url: string): string {
  const lines = text.split("\n");
  const block = ["servers:", `  - url: ${JSON.stringify(url)}`, "    description: This server."];
  const start = lines.findIndex((line) => /^servers:\s*(#.*)?$/.test(line));
  if (start < 0) {
    const paths = lines.findIndex((line) => /^paths:/.test(line));
    lines.splice(paths < 0 ? lines.length : paths, 0, ...block);
    return lines.join("\n");
  }
  // The block runs while lines are indented, list items or blank; blank lines before the next key stay.
  let end = start + 1;
  while (end < lines.length && /^([ \t-]|$)/.test(lines[end] ?? "")) end++;
  while (end > start + 1 && (lines[end - 1] ?? "").trim() === "") end--;
  lines.splice(start, end - start, ...block);
  return lines.join("\n");
}
