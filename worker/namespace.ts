import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { allSearchAttributeKeys } from '../domain/search-attributes';

/** Registers the project's search attributes that the namespace lacks; running it twice is harmless. */
export async function registerSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const known = await registeredSearchAttributes(connection, namespace);
  const missing = allSearchAttributeKeys.filter((key) => !known.has(key.name));
  if (missing.length > 0) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!])),
    });
  }
  return missing.map((key) => key.name);
}

const GRPC_UNIMPLEMENTED = 12;

async function registeredSearchAttributes(connection: Connection, namespace: string): Promise<Set<string>> {
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    return new Set(Object.keys(existing.customAttributes ?? {}));
  } catch (error) {
    // The time-skipping test server can add search attributes but cannot list them.
    if ((error as { code?: number }).code === GRPC_UNIMPLEMENTED) return new Set();
    throw error;
  }
}

/** Keeps closed workflows (and so their histories) for `days` instead of the dev server's 24 h. */
export async function setRetention(connection: Connection, namespace: string, days: number): Promise<void> {
  await connection.workflowService.updateNamespace({
    namespace,
    config: { workflowExecutionRetentionTtl: msToTs(days * 24 * 60 * 60 * 1000) },
  });
}

/** How many days the namespace keeps closed workflows. */
export async function retentionDays(connection: Connection, namespace: string): Promise<number> {
  const described = await connection.workflowService.describeNamespace({ namespace });
  return Number(described.config?.workflowExecutionRetentionTtl?.seconds ?? 0) / 86_400;
}
