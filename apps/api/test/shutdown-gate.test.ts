import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { stubGateway, testApp } from './support.js';

describe('shutdown gate', () => {
  test('while closing, a request on a kept-alive connection gets a 503 SHUTTING_DOWN problem and the one in flight finishes', async (t) => {
    const app = testApp(t, stubGateway());
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let inFlight!: () => void;
    const started = new Promise<void>((resolve) => (inFlight = resolve));
    app.get('/slow', async () => {
      inFlight();
      await released;
      return { done: true };
    });
    let closing!: () => void;
    const closeBegan = new Promise<void>((resolve) => (closing = resolve));
    app.addHook('preClose', async () => closing());
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;

    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('utf8')));
    const socketClosed = once(socket, 'close');
    socket.write('GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await started;

    const closed = app.close();
    await closeBegan;
    // Pipelined behind the request in flight on the same connection, so it reaches the closing server.
    const secondParsed = once(app.server, 'request');
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await secondParsed;
    release();
    await socketClosed;
    await closed;

    const answers = [...received.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    assert.deepEqual(answers, [200, 503], received);
    const second = received.slice(received.lastIndexOf('HTTP/1.1'));
    assert.match(second, /content-type: application\/problem\+json/i);
    assert.match(second, /retry-after: 1/i);
    assert.match(second, /connection: close/i);
    assert.match(second, /"code":"SHUTTING_DOWN"/);
  });
});
