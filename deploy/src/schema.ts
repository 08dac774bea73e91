import { customResourceErrors } from './custom-resources.js';
import { describe, type KubeObject } from './manifests.js';

/*
 * Validation against the Kubernetes OpenAPI schemas, as compiled into `kubernetes-models` (one
 * module per apiVersion and kind, each with an ajv validator). An object whose kind has no model
 * fails, unless custom-resources.ts checks that kind itself: nothing reaches a cluster unchecked.
 */

interface Validatable {
  validate(): void;
}

type ModelClass = new (data: object) => Validatable;

/** `apps/v1` + `Deployment` -> `kubernetes-models/apps/v1/Deployment`; the core group is `v1`. */
export function modelModule(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

function isModelClass(value: unknown): value is ModelClass {
  return (
    typeof value === 'function' && typeof (value.prototype as Partial<Validatable>)?.validate === 'function'
  );
}

async function loadModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  let module: Record<string, unknown>;
  try {
    module = (await import(modelModule(apiVersion, kind))) as Record<string, unknown>;
  } catch (error) {
    // Only "there is no such model" means an unknown kind; any other failure is a real error.
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (
      code === 'ERR_MODULE_NOT_FOUND' ||
      code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' ||
      /Cannot find module/.test(message)
    ) {
      return undefined;
    }
    throw error;
  }
  const model = module[kind];
  return isModelClass(model) ? model : undefined;
}

/** Every schema violation of one object, as `Kind/name: /json/pointer message`; empty when valid. */
export async function schemaErrors(object: KubeObject): Promise<string[]> {
  // A known custom resource has no compiled schema: its own strict check stands in (custom-resources.ts).
  const custom = customResourceErrors(object);
  if (custom !== undefined) return custom;
  const Model = await loadModel(object.apiVersion, object.kind);
  if (Model === undefined) return [`${describe(object)}: no schema for ${object.apiVersion} ${object.kind}`];
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    const details = (error as { errors?: unknown }).errors;
    if (!Array.isArray(details)) return [`${describe(object)}: ${String(error)}`];
    return details.map((detail: { instancePath?: string; message?: string }) => {
      return `${describe(object)}: ${detail.instancePath || '/'} ${detail.message ?? 'is invalid'}`;
    });
  }
}

export async function allSchemaErrors(objects: readonly KubeObject[]): Promise<string[]> {
  // One at a time: Jest's ESM loader can fail to link a module imported twice concurrently.
  const errors: string[] = [];
  for (const object of objects) errors.push(...(await schemaErrors(object)));
  return errors;
}
