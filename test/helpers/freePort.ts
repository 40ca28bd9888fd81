import { createServer } from "node:net";

/**
 * A free TCP port on 127.0.0.1, closed again before it is returned: for servers that cannot be
 * asked for an ephemeral port themselves (redis-server, epmd, Verdaccio, a README's fixed ports).
 *
 * @example
 * const port = await freePort();
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
