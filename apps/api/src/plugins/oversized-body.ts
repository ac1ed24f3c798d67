import type { FastifyInstance } from 'fastify';

/**
 * Largest declared body that is read and discarded before the 413 answer. Beyond it the server answers and closes
 * at once, and the client may see a reset instead of the answer.
 */
export const OVERSIZED_BODY_DRAIN_BYTES = 32 * 1024 * 1024;

/**
 * Makes the 413 for a body over `bodyLimit` readable. Fastify answers as soon as it sees the Content-Length and
 * closes the connection; a client still sending (Node's fetch posting megabytes) then gets a TCP reset and reports
 * `fetch failed` (EPIPE) instead of the answer. Reading the declared body first lets the client finish sending and
 * read the problem. The read is bounded by {@link OVERSIZED_BODY_DRAIN_BYTES} and by the server's request timeout.
 */
export function installOversizedBodyDrain(app: FastifyInstance, bodyLimit: number): void {
  app.addHook('onRequest', async (request) => {
    const declared = Number(request.headers['content-length']);
    if (!(declared > bodyLimit && declared <= OVERSIZED_BODY_DRAIN_BYTES)) return;
    // Fastify still answers 413 from the Content-Length when it comes to parse the body.
    for await (const chunk of request.raw) void chunk;
  });
}
