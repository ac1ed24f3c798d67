import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import type { temporal } from '@temporalio/proto';
import { dur, durMs, int64 } from '../proto/time.js';
import type { Engine } from '../engine/engine.js';
import { systemSearchAttributes, type NamespaceRecord } from '../engine/namespaces.js';
import { RpcError, invalidArgument } from './errors.js';
import { SearchAttributeError, SearchAttributeRegistry, searchAttributeTypeFrom } from '../visibility/index.js';
import type { OperatorServiceHandlers, WorkflowServiceHandlers } from './service-registry.js';
import { DEFAULT_PAYLOAD_LIMITS } from './payload-limits.js';

/** The server version we report; nobody parses it. */
export const SERVER_VERSION = '1.29.0-embedded';

function namespaceInfo(ns: NamespaceRecord): temporal.api.workflowservice.v1.IDescribeNamespaceResponse {
  return {
    namespaceInfo: {
      name: ns.name,
      state: 1, // REGISTERED
      description: ns.description,
      id: ns.id,
      // Everything that would make core start extra pollers or heartbeats stays off.
      capabilities: { eagerWorkflowStart: false, syncUpdate: true, asyncUpdate: true },
      supportsSchedules: false,
      // sdk-core checks its completions against these before sending them, as it does with Temporal's.
      limits: {
        blobSizeLimitError: int64(DEFAULT_PAYLOAD_LIMITS.blobSizeLimitError),
        memoSizeLimitError: int64(DEFAULT_PAYLOAD_LIMITS.memoSizeLimitError),
      },
    },
    config: { workflowExecutionRetentionTtl: dur(ns.retentionMs), historyArchivalState: 1, visibilityArchivalState: 1 },
    replicationConfig: { activeClusterName: 'active', clusters: [{ clusterName: 'active' }], state: 1 },
    isGlobalNamespace: false,
  };
}

/** GetSystemInfo, namespace RPCs and the operator search-attribute RPCs. */
export function systemHandlers(engine: Engine): WorkflowServiceHandlers & OperatorServiceHandlers {
  return {
    GetSystemInfo: () => ({
      serverVersion: SERVER_VERSION,
      capabilities: {
        signalAndQueryHeader: true,
        internalErrorDifferentiation: true,
        activityFailureIncludeHeartbeat: true,
        supportsSchedules: false,
        encodedFailureAttributes: true,
        buildIdBasedVersioning: false,
        upsertMemo: true,
        eagerWorkflowStart: false,
        sdkMetadata: true,
        countGroupByExecutionStatus: false,
        nexus: false,
      },
    }),
    DescribeNamespace: (req) => {
      const ns = req.id
        ? [...engine.namespaces.values()].find((n) => n.id === req.id)
        : engine.namespaces.get(req.namespace ?? '');
      return namespaceInfo(ns ?? engine.namespace(req.namespace || req.id));
    },
    ListNamespaces: () => ({ namespaces: [...engine.namespaces.values()].map(namespaceInfo) }),
    RegisterNamespace: async (req) => {
      if (!req.namespace) throw invalidArgument('Namespace is not set on request.');
      if (engine.namespaces.has(req.namespace))
        throw new RpcError(status.ALREADY_EXISTS, 'Namespace already exists.', {
          type: 'NamespaceAlreadyExistsFailure',
          value: {},
        });
      const ns: NamespaceRecord = {
        name: req.namespace,
        id: randomUUID(),
        description: req.description ?? '',
        retentionMs: durMs(req.workflowExecutionRetentionPeriod) || 24 * 3600_000,
        searchAttributes: {},
      };
      await engine.mutate((tx) => {
        engine.namespaces.set(ns.name, ns);
        tx.puts.push([`ns/${ns.name}`, ns]);
      });
      return {};
    },
    UpdateNamespace: async (req) => {
      const ns = engine.namespace(req.namespace);
      const retentionMs = durMs(req.config?.workflowExecutionRetentionTtl);
      const description = req.updateInfo?.description ?? '';
      await engine.mutate((tx) => {
        // As Temporal does, an empty description or an unset retention leaves the current value.
        if (retentionMs > 0) ns.retentionMs = retentionMs;
        if (description) ns.description = description;
        tx.puts.push([`ns/${ns.name}`, ns]);
      });
      // Closed runs' deletion times follow the new retention.
      if (retentionMs > 0) engine.rearmNamespace(ns.name);
      return namespaceInfo(ns);
    },
    ListSearchAttributes: (req) => ({
      customAttributes: engine.namespace(req.namespace || 'default').searchAttributes,
      systemAttributes: systemSearchAttributes,
      storageSchema: {},
    }),
    AddSearchAttributes: async (req) => {
      const ns = engine.namespace(req.namespace || 'default');
      // Validate with the visibility registry: reserved names, conflicting types, invalid names.
      const registry = new SearchAttributeRegistry(
        Object.fromEntries(
          Object.entries(ns.searchAttributes).flatMap(([k, v]) => {
            const t = searchAttributeTypeFrom(v);
            return t ? [[k, t]] : [];
          }),
        ),
      );
      for (const [name, value] of Object.entries(req.searchAttributes ?? {})) {
        const t = searchAttributeTypeFrom(value);
        if (!t) throw invalidArgument(`unknown search attribute type ${value} for ${name}`);
        try {
          registry.add(name, t);
        } catch (err) {
          if (err instanceof SearchAttributeError) throw invalidArgument(err.message);
          throw err;
        }
      }
      await engine.mutate((tx) => {
        Object.assign(ns.searchAttributes, req.searchAttributes ?? {});
        tx.puts.push([`ns/${ns.name}`, ns]);
      });
      return {};
    },
    RemoveSearchAttributes: async (req) => {
      const ns = engine.namespace(req.namespace || 'default');
      await engine.mutate((tx) => {
        for (const name of req.searchAttributes ?? []) delete ns.searchAttributes[name];
        tx.puts.push([`ns/${ns.name}`, ns]);
      });
      return {};
    },
  };
}
