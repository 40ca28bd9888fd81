/**
 * Thrown when a wire request has no equivalent call in the typed SDK (raw bytes, a route the
 * spec does not have, a header the operation does not take…). SDK mode reports such cases as
 * skipped with this message as the reason.
 *
 * @example
 * throw new NotExpressible("sends a raw body (bodyRaw); the SDK only sends JSON it serialises itself");
 */
export class NotExpressible extends Error {
  override readonly name = "NotExpressible";
}
