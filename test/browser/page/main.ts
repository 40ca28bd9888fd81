// The page under test: the SDK in a browser, answered by the msw service worker.
import { createClient, PolybridgeError } from "@polybridge/sdk/browser";
import { createHandlers } from "@polybridge/sdk/msw";
import { setupWorker } from "msw/browser";

/** What the page reports to the test through `window.pageReport`. */
export interface PageReport {
  progress: string[];
  result: unknown;
  jobIds: string[];
  failedCode: string;
  failedDetail: string | undefined;
  error?: string;
}

declare global {
  interface Window {
    pageReport?: PageReport;
  }
}

async function main(): Promise<PageReport> {
  // Default baseUrl "*": the page's own origin (and any other) under /v1.
  const { handlers, mock } = createHandlers({ delayMs: 30, seed: "browser" });
  const worker = setupWorker(...handlers);
  await worker.start({ serviceWorker: { url: "/mockServiceWorker.js" }, onUnhandledRequest: "bypass", quiet: true });

  const client = createClient({ baseUrl: location.origin });
  const progress: string[] = [];
  const job = await client.jobs.submit({ kind: "map", function: "square", input: { items: [1, 2, 3, 4] }, options: { chunkSize: 2, concurrency: 1 } });
  const result = await job.result({ onProgress: (p) => progress.push(`${p.completedItems}/${p.totalItems}`) });

  mock.job({ status: "failed", error: { code: "item_failed", itemIndex: 1, detail: "mocked in the browser" } }, { once: true });
  const doomed = await client.jobs.submit({ kind: "map", function: "square", input: { items: [5, 6] } });
  let failedCode = "none";
  let failedDetail: string | undefined;
  try {
    await doomed.result();
  } catch (e) {
    const err = PolybridgeError.from(e);
    failedCode = err.code;
    failedDetail = err.problem?.detail;
  }
  return { progress, result, jobIds: [job.id, doomed.id], failedCode, failedDetail };
}

main().then(
  (report) => {
    window.pageReport = report;
    document.body.textContent = JSON.stringify(report);
  },
  (error: unknown) => {
    window.pageReport = { progress: [], result: null, jobIds: [], failedCode: "", failedDetail: undefined, error: String(error) };
  },
);
