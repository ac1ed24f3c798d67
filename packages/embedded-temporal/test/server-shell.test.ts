import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials, Client, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../src/index.js';
import { decode, encode, type Msg } from '../src/proto/root.js';

let server: EmbeddedTemporal;
let raw: Client;

before(async () => {
  server = await startEmbeddedTemporal({ port: 0 });
  raw = new Client(server.address, credentials.createInsecure());
});
after(async () => {
  raw?.close();
  await server?.stop();
});

/** Calls `service/method` on `client` with raw bytes so the test controls encoding. */
function callOn(client: Client, path: string, body: Uint8Array, deadline?: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(body),
      new Metadata(),
      deadline === undefined ? {} : { deadline },
      (err: ServiceError | null, res?: Buffer) => (err ? reject(err) : resolve(res ?? Buffer.alloc(0))),
    );
  });
}

const call = (path: string, body: Uint8Array): Promise<Buffer> => callOn(raw, path, body);

const WS = '/temporal.api.workflowservice.v1.WorkflowService';

/** Runs `body` with a raw caller whose channel gzips every request, as sdk-core's client does by default. */
async function withGzipClient(
  address: string,
  body: (call: (path: string, bytes: Uint8Array) => Promise<Buffer>) => Promise<void>,
): Promise<void> {
  const GZIP = 2; // grpc-js CompressionAlgorithms.gzip
  const client = new Client(address, credentials.createInsecure(), { 'grpc.default_compression_algorithm': GZIP });
  try {
    await body((path, bytes) => callOn(client, path, bytes));
  } finally {
    client.close();
  }
}

describe('gRPC shell', () => {
  it('reports SERVING on the health service', async () => {
    const res = await call('/grpc.health.v1.Health/Check', encode('grpc.health.v1.HealthCheckRequest', {}));
    assert.equal(decode('grpc.health.v1.HealthCheckResponse', res).status, 1);
  });

  it('advertises sdk_metadata and no versioning in GetSystemInfo', async () => {
    const res = decode(
      'temporal.api.workflowservice.v1.GetSystemInfoResponse',
      await call(`${WS}/GetSystemInfo`, new Uint8Array()),
    );
    assert.equal(res.capabilities.sdkMetadata, true);
    assert.equal(res.capabilities.activityFailureIncludeHeartbeat, true);
    assert.equal(res.capabilities.buildIdBasedVersioning, false);
  });

  it('answers UNIMPLEMENTED naming the method for unsupported RPCs', async () => {
    await assert.rejects(call(`${WS}/CreateSchedule`, new Uint8Array()), (err: ServiceError) => {
      assert.equal(err.code, status.UNIMPLEMENTED);
      assert.match(err.details, /CreateSchedule/);
      return true;
    });
  });

  it('answers INVALID_ARGUMENT for malformed request bytes', async () => {
    await assert.rejects(
      call(`${WS}/DescribeNamespace`, new Uint8Array([0x0a, 0xff, 0xff, 0xff])),
      (err: ServiceError) => {
        assert.equal(err.code, status.INVALID_ARGUMENT);
        return true;
      },
    );
  });

  it('has the default namespace with the pre-registered custom search attributes', async () => {
    const connection = await Connection.connect({ address: server.address });
    try {
      const ns = await connection.workflowService.describeNamespace({ namespace: 'default' });
      assert.equal(ns.namespaceInfo?.name, 'default');
      const sa = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      assert.deepEqual(Object.keys(sa.customAttributes ?? {}).sort(), [
        'CustomBoolField',
        'CustomDatetimeField',
        'CustomDoubleField',
        'CustomIntField',
        'CustomKeywordField',
        'CustomTextField',
      ]);
      const { IndexedValueType } = proto.temporal.api.enums.v1;
      assert.equal(sa.customAttributes?.CustomKeywordField, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
      assert.equal(sa.customAttributes?.CustomTextField, IndexedValueType.INDEXED_VALUE_TYPE_TEXT);
      assert.equal(sa.customAttributes?.CustomIntField, IndexedValueType.INDEXED_VALUE_TYPE_INT);
      assert.equal(sa.customAttributes?.CustomDoubleField, IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE);
      assert.equal(sa.customAttributes?.CustomBoolField, IndexedValueType.INDEXED_VALUE_TYPE_BOOL);
      assert.equal(sa.customAttributes?.CustomDatetimeField, IndexedValueType.INDEXED_VALUE_TYPE_DATETIME);
      assert.equal(sa.systemAttributes?.WorkflowId, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
      assert.equal(sa.systemAttributes?.StartTime, IndexedValueType.INDEXED_VALUE_TYPE_DATETIME);
      assert.equal(sa.systemAttributes?.HistoryLength, IndexedValueType.INDEXED_VALUE_TYPE_INT);
      assert.equal(sa.systemAttributes?.BuildIds, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST);
      await assert.rejects(
        connection.workflowService.describeNamespace({ namespace: 'missing' }),
        (err: { code: number }) => err.code === status.NOT_FOUND,
      );
      await connection.workflowService.registerNamespace({ namespace: 'second' });
      const list = await connection.workflowService.listNamespaces({});
      assert.deepEqual(list.namespaces?.map((n) => n.namespaceInfo?.name).sort(), ['default', 'second']);
    } finally {
      await connection.close();
    }
  });

  it('returns a byte-for-byte empty poll response when no task arrives before the deadline', async () => {
    const req: Msg = { namespace: 'default', taskQueue: { name: 'empty-queue', kind: 1 } };
    const res = await callOn(
      raw,
      `${WS}/PollWorkflowTaskQueue`,
      encode('temporal.api.workflowservice.v1.PollWorkflowTaskQueueRequest', req),
      Date.now() + 1500,
    );
    assert.equal(res.length, 0);
  });

  it('refuses gzip-compressed requests with the UNIMPLEMENTED answer sdk-core falls back on', async () => {
    await withGzipClient(server.address, async (gzip) => {
      await assert.rejects(gzip(`${WS}/GetSystemInfo`, new Uint8Array()), (err: ServiceError) => {
        assert.equal(err.code, status.UNIMPLEMENTED);
        // sdk-core reconnects uncompressed only when the message names one of these.
        assert.match(err.details, /grpc-encoding/);
        return true;
      });
    });
  });

  it('inflates gzip-compressed requests when started with acceptCompressedRequests', async () => {
    const accepting = await startEmbeddedTemporal({ port: 0, host: '127.0.0.1', acceptCompressedRequests: true });
    try {
      await withGzipClient(accepting.address, async (gzip) => {
        const res = decode(
          'temporal.api.workflowservice.v1.GetSystemInfoResponse',
          await gzip(`${WS}/GetSystemInfo`, new Uint8Array()),
        );
        assert.equal(res.capabilities.sdkMetadata, true);
      });
    } finally {
      await accepting.stop();
    }
  });

  it('rejects stale task tokens with NOT_FOUND, never INTERNAL', async () => {
    const req = encode('temporal.api.workflowservice.v1.RespondWorkflowTaskCompletedRequest', {
      namespace: 'default',
      taskToken: Buffer.from('wft:nope:1:1:x'),
    });
    await assert.rejects(
      call(`${WS}/RespondWorkflowTaskCompleted`, req),
      (err: ServiceError) => err.code === status.NOT_FOUND,
    );
  });
});
