import type { Language } from "./knownLanguages.js";

/** What a README needs to know about a new project. */
export interface ReadmeFacts {
  name: string;
  lang: Language;
  port: number;
  /** The template's own README (already renamed, port already set): when present, it is the README. */
  templateReadme?: string;
}

interface LanguageGuide {
  title: string;
  setup?: string;
  start: string;
  functionsFile: (name: string) => string;
  test: string;
}

const GUIDES: Record<Language, LanguageGuide> = {
  ts: {
    title: "TypeScript (Node 20+, on @polybridge/server)",
    setup: "npm install",
    start: "npm run build && npm start",
    functionsFile: () => "src/functions.ts",
    test: "npm test",
  },
  python: {
    title: "Python 3.11+ (standard library only)",
    start: "python3 server.py",
    functionsFile: () => "functions.py",
    test: "python3 -m unittest",
  },
  erlang: {
    title: "Erlang/OTP 25+ on MochiWeb",
    start: "bin/start",
    functionsFile: (name) => `src/${name}_functions.erl`,
    test: "make test",
  },
};

/**
 * The README of a project made by `polybridge new`. A template's own README (which says how to
 * start it, where functions go, how to test it and how to run the conformance suite) is used as
 * it is, under the project's title, so no section appears twice; a template without one gets
 * those four sections generated.
 *
 * @example
 * renderProjectReadme({ name: "calc", lang: "python", port: 9000 }).startsWith("# calc"); // true
 */
export function renderProjectReadme(facts: ReadmeFacts): string {
  const guide = GUIDES[facts.lang];
  if (facts.templateReadme) return `# ${facts.name}\n\n${facts.templateReadme.replace(/^# .*\n+/, "").trimEnd()}\n`;
  const url = `http://127.0.0.1:${facts.port}`;
  const lines = [
    `# ${facts.name}`,
    "",
    `A polybridge compute server in ${guide.title}, made by \`polybridge new\`.`,
    "",
    "## Quick start",
    "",
    "```sh",
    ...(guide.setup ? [guide.setup] : []),
    `${guide.start}                # listens on ${url} (PORT / --port and HOST / --host override)`,
    `curl -s -X POST ${url}/v1/functions/square/call -H 'content-type: application/json' -d '{"input": 12}'`,
    "```",
    "",
    `It prints \`polybridge listening on http://HOST:PORT\` once it accepts connections; SIGTERM lets running jobs finish, then it exits 0.`,
    "",
    "## Add a function",
    "",
    `Edit **\`${guide.functionsFile(facts.name)}\`**: it is the one file that holds your functions. Keep the seven`,
    "conformance functions (`echo`, `square`, `isEven`, `sum`, `tokenize`, `fail`, `sleep`): every",
    "polybridge server serves them, and the conformance suite checks them.",
    "",
    "## Test",
    "",
    "```sh",
    `${guide.test}                # this project's own tests`,
    `${guide.start} &`,
    `npx @polybridge/cli conformance --url ${url}`,
    "```",
    "",
    "The conformance suite checks the protocol (spec/openapi.yaml) the same way against every language.",
    "",
  ];
  return lines.join("\n");
}
