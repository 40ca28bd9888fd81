// Compile-time checks of the override API (run by sdk/test/typeTests.test.ts).
import { expectTypeOf } from "vitest";
import { createHandlers, type ErrorCodeFor, type ErrorStatus } from "../../src/msw/index.js";

const { mock } = createHandlers();

// Statuses come from the generated operation table.
expectTypeOf<404 | 409>().toExtend<ErrorStatus<"getJobResult">>();
expectTypeOf<ErrorCodeFor<503>>().toEqualTypeOf<"queue_full" | "shutting_down">();
expectTypeOf<ErrorCodeFor<409>>().toEqualTypeOf<"result_not_ready" | "job_failed" | "job_dismissed" | "job_already_finished">();

mock.error("submitJob", 503, { code: "queue_full", retryAfter: 2, once: true });
mock.error("getJobResult", 409, { code: "result_not_ready" });
mock.error("callFunction", 504);
// @ts-expect-error 418: no operation declares it and no code has it
mock.error("submitJob", 418);
// @ts-expect-error job_failed is a 409 code, not a 503 one
mock.error("submitJob", 503, { code: "job_failed" });
// @ts-expect-error no such operation
mock.error("deleteEverything", 500);

mock.reply("getHealth", { status: "ok", version: "1", uptimeSeconds: 1, workers: 1, jobs: { queued: 0, running: 0, stored: 0 } });
// @ts-expect-error a health body must have a status
mock.reply("getHealth", { version: "1" });

mock.job({ status: "failed", error: { code: "item_failed", itemIndex: 2, detail: "boom" } });
mock.job({ status: "successful", result: { kind: "map", items: [1] } });
// @ts-expect-error a job has no status "done"
mock.job({ status: "done" });
