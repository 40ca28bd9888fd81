import { fileURLToPath } from "node:url";

/** The checkout's server templates: the source the CLI's build copies into cli/templates/. */
export const checkoutTemplates: string = fileURLToPath(new URL("../../server-template/", import.meta.url));

/** A TypeScript project made inside the monorepo installs this checkout's (built) server. */
export const checkoutServerDep = `file:${fileURLToPath(new URL("../../server/", import.meta.url))}`;
