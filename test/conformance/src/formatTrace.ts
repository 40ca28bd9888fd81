/** One request/response pair on the wire, with bodies cut to an excerpt. */
export interface TraceEntry {
  request: { method: string; path: string; headers: Record<string, string>; body?: string | undefined };
  response?: { status: number; headers: Record<string, string>; body: string };
  /** A transport error instead of a response. */
  error?: string;
}

/**
 * Renders a wire trace as indented lines: `> request line`, `> header: value`, the body,
 * then `< status`, `< header: value` and the response body.
 *
 * @example
 * for (const line of formatTrace(result.trace ?? [])) console.log(line);
 */
export function formatTrace(trace: readonly TraceEntry[], indent = "    "): string[] {
  const lines: string[] = [];
  for (const { request, response, error } of trace) {
    lines.push(`${indent}> ${request.method} ${request.path}`);
    for (const [k, v] of Object.entries(request.headers)) lines.push(`${indent}> ${k}: ${v}`);
    if (request.body !== undefined) lines.push(`${indent}> ${request.body}`);
    if (response) {
      lines.push(`${indent}< ${response.status}`);
      for (const [k, v] of Object.entries(response.headers)) lines.push(`${indent}< ${k}: ${v}`);
      if (response.body !== "") lines.push(...response.body.split("\n").map((l) => `${indent}< ${l}`));
    }
    if (error !== undefined) lines.push(`${indent}! ${error}`);
    lines.push(indent.trimEnd());
  }
  return lines;
}
