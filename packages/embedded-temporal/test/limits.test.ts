import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { startEmbeddedTemporal, type EmbeddedTemporal } from '../src/index.js';
import { CommandType } from '../src/proto/enums.js';
import { encode, enumValues } from '../src/proto/root.js';
import { defaultPayloadConverter } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time.js';
import { eventually, runWorker, startTestEnv, uniqueId } from './helpers.js';

const MiB = 1024 * 1024;
const wftFailedCause = enumValues('temporal.api.enums.v1.WorkflowTaskFailedCause');
const ns = 'default';

/** One JSON-ish payload of `bytes` data bytes. */
const payload = (bytes: number): temporal.api.common.v1.IPayload => ({
  metadata: { encoding: Buffer.from('binary/plain') },
  data: Buffer.alloc(bytes, 0x61),
});
const payloads = (bytes: number): temporal.api.common.v1.IPayloads => ({ payloads: [payload(bytes)] });

/** Asserts that `call` fails with gRPC `code` and a message matching `message`. */
async function rejectsWith(call: Promise<unknown>, code: status, message: RegExp): Promise<void> {
  await assert.rejects(call, (err: { code?: number; details?: string }) => {
    assert.equal(err.code, code, `code ${err.code}: ${err.details}`);
    assert.match(err.details ?? '', message);
    return true;
  });
}

let server: EmbeddedTemporal;
let connection: Connection;
let svc: Connection['workflowService'];

before(async () => {
  server = await startEmbeddedTemporal({ port: 0 });
  connection = await Connection.connect({ address: server.address });
  svc = connection.workflowService;
});
after(async () => {
  await connection?.close();
  await server?.stop();
});

async function startRaw(workflowId: string, taskQueue: string): Promise<void> {
  await svc.startWorkflowExecution({
    namespace: ns,
    workflowId,
    workflowType: { name: 'raw' },
    taskQueue: { name: taskQueue },
    requestId: workflowId,
  });
}

const pollWft = (taskQueue: string) =>
  svc.pollWorkflowTaskQueue({ namespace: ns, taskQueue: { name: taskQueue, kind: 1 }, identity: 'raw' });

async function history(workflowId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const res = await svc.getWorkflowExecutionHistory({ namespace: ns, execution: { workflowId } });
  return res.history?.events ?? [];
}

describe('gRPC message size', () => {
  it('refuses a request over 4 MiB with RESOURCE_EXHAUSTED before reading it', async () => {
    // The TS client retries RESOURCE_EXHAUSTED; a connection without retries shows the server's answer at once.
    const once = await Connection.connect({ address: server.address, interceptors: [] });
    try {
      await rejectsWith(
        once.workflowService.startWorkflowExecution({
          namespace: ns,
          workflowId: uniqueId('huge'),
          workflowType: { name: 'raw' },
          taskQueue: { name: 'huge' },
          input: payloads(4 * MiB + 1024),
        }),
        status.RESOURCE_EXHAUSTED,
        /larger than max/,
      );
    } finally {
      await once.close();
    }
  });

  it('takes its limit from maxReceiveMessageSize', async () => {
    const small = await startEmbeddedTemporal({ port: 0, host: '127.0.0.1', maxReceiveMessageSize: 64 * 1024 });
    const once = await Connection.connect({ address: small.address, interceptors: [] });
    try {
      const workflowId = uniqueId('small-limit');
      await once.workflowService.startWorkflowExecution({
        namespace: ns,
        workflowId,
        workflowType: { name: 'raw' },
        taskQueue: { name: 'small' },
        input: payloads(60 * 1024),
      });
      await rejectsWith(
        once.workflowService.signalWorkflowExecution({
          namespace: ns,
          workflowExecution: { workflowId },
          signalName: 's',
          input: payloads(70 * 1024),
        }),
        status.RESOURCE_EXHAUSTED,
        /larger than max \(\d+ vs 65536\)/,
      );
    } finally {
      await once.close();
      await small.stop();
    }
  });
});

describe('payload size limits (2 MiB, as Temporal)', () => {
  it('advertises the blob and memo limits in DescribeNamespace, where sdk-core reads them', async () => {
    const res = await svc.describeNamespace({ namespace: ns });
    assert.equal(Number(res.namespaceInfo?.limits?.blobSizeLimitError), 2 * MiB);
    assert.equal(Number(res.namespaceInfo?.limits?.memoSizeLimitError), 2 * MiB);
  });

  it('refuses start, signal-with-start and signal payloads over 2 MiB with INVALID_ARGUMENT', async () => {
    const start = (workflowId: string, extra: object) =>
      svc.startWorkflowExecution({
        namespace: ns,
        workflowId,
        workflowType: { name: 'raw' },
        taskQueue: { name: 'blob' },
        ...extra,
      });
    await rejectsWith(
      start(uniqueId('big-input'), { input: payloads(2 * MiB) }),
      status.INVALID_ARGUMENT,
      /^Blob data size exceeds limit\.$/,
    );
    await rejectsWith(
      start(uniqueId('big-memo'), { memo: { fields: { m: payload(2 * MiB) } } }),
      status.INVALID_ARGUMENT,
      /^Memo size exceeds limit\.$/,
    );
    await rejectsWith(
      svc.signalWithStartWorkflowExecution({
        namespace: ns,
        workflowId: uniqueId('big-sws'),
        workflowType: { name: 'raw' },
        taskQueue: { name: 'blob' },
        signalName: 's',
        signalInput: payloads(2 * MiB),
      }),
      status.INVALID_ARGUMENT,
      /^Blob data size exceeds limit\.$/,
    );
    // Just under the limit is accepted: the whole encoded Payloads counts, not only the data.
    const workflowId = uniqueId('near-limit');
    await start(workflowId, { input: payloads(2 * MiB - 100) });
    await rejectsWith(
      svc.signalWorkflowExecution({
        namespace: ns,
        workflowExecution: { workflowId },
        signalName: 's',
        input: payloads(2 * MiB),
      }),
      status.INVALID_ARGUMENT,
      /^Blob data size exceeds limit\.$/,
    );
    const events = await history(workflowId);
    assert.equal(events.filter((e) => e.workflowExecutionSignaledEventAttributes).length, 0);
  });

  it('fails an activity attempt whose result, failure, cancellation or heartbeat details are over 2 MiB with a non-retryable server failure', async () => {
    const taskQueue = uniqueId('big-activity');
    const workflowId = uniqueId('big-activity');
    await startRaw(workflowId, taskQueue);
    const wft = await pollWft(taskQueue);
    const schedule = (activityId: string) => ({
      commandType: CommandType.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
      scheduleActivityTaskCommandAttributes: {
        activityId,
        activityType: { name: 'act' },
        taskQueue: { name: taskQueue },
        startToCloseTimeout: msToTs('60s'),
        retryPolicy: { maximumAttempts: 5 },
      },
    });
    await svc.respondWorkflowTaskCompleted({
      namespace: ns,
      taskToken: wft.taskToken,
      commands: [schedule('result'), schedule('failure'), schedule('heartbeat'), schedule('canceled')],
    });
    const tokens = new Map<string, Uint8Array>();
    while (tokens.size < 4) {
      const task = await svc.pollActivityTaskQueue({ namespace: ns, taskQueue: { name: taskQueue }, identity: 'raw' });
      tokens.set(task.activityId, task.taskToken);
    }
    await svc.respondActivityTaskCompleted({
      namespace: ns,
      taskToken: tokens.get('result'),
      result: payloads(2 * MiB),
    });
    const failed = await svc.respondActivityTaskFailed({
      namespace: ns,
      taskToken: tokens.get('failure'),
      failure: { message: 'boom', stackTrace: 'x'.repeat(2 * MiB), applicationFailureInfo: { type: 'Big' } },
    });
    assert.deepEqual(
      failed.failures?.map((f) => f.message),
      ['Failure exceeds size limit.'],
    );
    const beat = await svc.recordActivityTaskHeartbeat({
      namespace: ns,
      taskToken: tokens.get('heartbeat'),
      details: payloads(2 * MiB),
    });
    assert.equal(beat.cancelRequested, true);
    await svc.respondActivityTaskCanceled({
      namespace: ns,
      taskToken: tokens.get('canceled'),
      details: payloads(2 * MiB),
    });

    const failures = (await history(workflowId))
      .map((e) => e.activityTaskFailedEventAttributes?.failure)
      .filter((f) => f !== undefined && f !== null);
    assert.deepEqual(failures.map((f) => [f.message, f.serverFailureInfo?.nonRetryable]).sort(), [
      ['Cancel details exceed size limit.', true],
      ['Complete result exceeds size limit.', true],
      ['Failure exceeds size limit.', true],
      ['Heartbeat details exceed size limit.', true],
    ]);
    const replaced = failures.find((f) => f.message === 'Failure exceeds size limit.');
    assert.equal(replaced?.cause?.message, 'boom', 'the original failure is kept, cut short, as the cause');
  });

  it('fails the workflow task and terminates the workflow when a command payload is over 2 MiB', async () => {
    const taskQueue = uniqueId('big-result');
    const workflowId = uniqueId('big-result');
    await startRaw(workflowId, taskQueue);
    const wft = await pollWft(taskQueue);
    const message =
      'WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES: ' +
      'CompleteWorkflowExecutionCommandAttributes.Result exceeds size limit.';
    await rejectsWith(
      svc.respondWorkflowTaskCompleted({
        namespace: ns,
        taskToken: wft.taskToken,
        commands: [
          {
            commandType: CommandType.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
            completeWorkflowExecutionCommandAttributes: { result: payloads(2 * MiB) },
          },
        ],
      }),
      status.INVALID_ARGUMENT,
      new RegExp(`^${message.replace(/\./g, '\\.')}$`),
    );
    const described = await svc.describeWorkflowExecution({ namespace: ns, execution: { workflowId } });
    assert.equal(described.workflowExecutionInfo?.status, 5 /* TERMINATED */);
    const events = await history(workflowId);
    const taskFailed = events.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes;
    // Temporal records a too-large workflow result under this cause.
    assert.equal(taskFailed?.cause, wftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES);
    assert.equal(taskFailed?.failure?.message, message);
    const terminated = events.at(-1)?.workflowExecutionTerminatedEventAttributes;
    assert.equal(terminated?.reason, message);
    assert.equal(terminated?.identity, 'history-service');
  });
  it('terminates the workflow when the worker fails its task with GRPC_MESSAGE_TOO_LARGE', async () => {
    // What sdk-core sends when Temporal refused its completion as over the gRPC message limit.
    const taskQueue = uniqueId('grpc-too-large');
    const workflowId = uniqueId('grpc-too-large');
    await startRaw(workflowId, taskQueue);
    const wft = await pollWft(taskQueue);
    await svc.respondWorkflowTaskFailed({
      namespace: ns,
      taskToken: wft.taskToken,
      cause: wftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_GRPC_MESSAGE_TOO_LARGE,
      failure: { message: 'GrpcMessageTooLarge' },
      identity: 'raw',
    });
    const events = await history(workflowId);
    assert.equal(
      events.at(-2)?.workflowTaskFailedEventAttributes?.cause,
      wftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
    );
    const terminated = events.at(-1)?.workflowExecutionTerminatedEventAttributes;
    assert.equal(terminated?.reason, 'WORKFLOW_TASK_FAILED_CAUSE_GRPC_MESSAGE_TOO_LARGE');
    assert.equal(terminated?.identity, 'history-service');
  });
});

describe('payload size limits with the SDK worker', () => {
  it('has sdk-core fail a workflow task whose result would be over the advertised 2 MiB itself', async (t) => {
    const env = await startTestEnv();
    t.after(() => env.close());
    const size = (value: string) =>
      encode('temporal.api.common.v1.Payloads', { payloads: [defaultPayloadConverter.toPayload(value)] }).length;
    // The longest name whose start input fits; `hello ${name}`, the workflow's result, then does not.
    let n = 2 * MiB;
    while (size('x'.repeat(n)) > 2 * MiB) n--;
    const name = 'x'.repeat(n);
    assert.ok(size(`hello ${name}`) > 2 * MiB);

    const { taskQueue, stop } = await runWorker(env, {});
    try {
      const handle = await env.client.start('hello', {
        taskQueue,
        workflowId: uniqueId('sdk-big-result'),
        args: [name],
      });
      const failed = await eventually(async () => {
        const events = (await handle.fetchHistory()).events ?? [];
        return events.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes ?? undefined;
      });
      assert.ok(failed);
      // Core's own check (cause PAYLOADS_TOO_LARGE); the server's would have terminated the workflow instead.
      assert.equal(failed.cause, wftFailedCause.WORKFLOW_TASK_FAILED_CAUSE_PAYLOADS_TOO_LARGE);
      assert.match(failed.failure?.message ?? '', /exceeded the error limit/);
      await handle.terminate('test done');
    } finally {
      await stop();
    }
  });
});

describe('visibility limits', () => {
  it('caps a ListWorkflowExecutions page at 1000, whatever page size is asked for', async () => {
    const taskQueue = uniqueId('page-cap');
    for (let i = 0; i < 1001; i += 100) {
      const batch = Array.from({ length: Math.min(100, 1001 - i) }, (_, j) =>
        startRaw(`${taskQueue}-${i + j}`, taskQueue),
      );
      await Promise.all(batch);
    }
    const query = `TaskQueue = '${taskQueue}'`;
    for (const pageSize of [5000, 0]) {
      const first = await svc.listWorkflowExecutions({ namespace: ns, query, pageSize });
      assert.equal(first.executions?.length, 1000, `pageSize ${pageSize}`);
      assert.ok(first.nextPageToken?.length, 'a next page token points at the rest');
      const rest = await svc.listWorkflowExecutions({
        namespace: ns,
        query,
        pageSize,
        nextPageToken: first.nextPageToken,
      });
      assert.equal(rest.executions?.length, 1);
    }
  });

  it('answers INVALID_ARGUMENT, not INTERNAL, for a query over 32 KiB or nested over 100 deep', async () => {
    const list = (query: string) => svc.listWorkflowExecutions({ namespace: ns, query });
    const count = (query: string) => svc.countWorkflowExecutions({ namespace: ns, query });
    const term = `WorkflowId = 'x'`;
    const nested = (depth: number) => `${'('.repeat(depth)}${term}${')'.repeat(depth)}`;
    await list(nested(100));
    await rejectsWith(list(nested(101)), status.INVALID_ARGUMENT, /^invalid query: max nesting level reached/);
    await rejectsWith(count(`${'NOT '.repeat(101)}${term}`), status.INVALID_ARGUMENT, /max nesting level reached/);
    // Deep enough to overflow a recursive-descent parser's stack if nothing stopped it.
    await rejectsWith(list(`${'NOT '.repeat(8000)}${term}`), status.INVALID_ARGUMENT, /max nesting level reached/);

    // The longest accepted query, a flat chain of ORs, is parsed and evaluated without running out of stack.
    const chain = (bytes: number) => {
      const terms = [term];
      while ((terms.length + 1) * (term.length + 4) < bytes) terms.push(term);
      return terms.join(' OR ').padEnd(bytes, ' ');
    };
    assert.deepEqual((await list(chain(32 * 1024))).executions, []);
    await rejectsWith(
      count(chain(32 * 1024 + 1)),
      status.INVALID_ARGUMENT,
      /^invalid query: query is 32769 bytes long, the limit is 32768$/,
    );
  });
});
