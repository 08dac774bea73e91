import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isKnownCustomResource } from './custom-resources.js';
import { DEPLOY_DIR, describe, isRecord, type KubeObject } from './manifests.js';

/*
 * Unknown-field detection. The JSON schemas compiled into kubernetes-models accept properties they
 * do not know (as the OpenAPI documents do), while the API server, with kubectl's default strict
 * field validation, refuses them. A misspelt `readinesProbe` or `securityContex` would pass schema
 * validation and be rejected, or worse silently dropped, at apply time. The field names are read
 * from the same package's type declarations (one interface per Kubernetes type), so this follows
 * the schema version the validation uses.
 */

type FieldType =
  | { readonly kind: 'leaf' }
  | { readonly kind: 'object'; readonly file: string }
  | { readonly kind: 'array'; readonly of: FieldType }
  | { readonly kind: 'map'; readonly of: FieldType };

const LEAF: FieldType = { kind: 'leaf' };

const MODELS_DIR = realpathSync(join(DEPLOY_DIR, 'node_modules', 'kubernetes-models'));
/** pnpm installs a package's dependencies beside it, as siblings in the virtual store. */
const SCOPE_DIR = join(MODELS_DIR, '..');

function resolveImport(fromFile: string, specifier: string): string | undefined {
  const base = specifier.startsWith('.') ? join(dirname(fromFile), specifier) : join(SCOPE_DIR, specifier);
  const file = `${base.replace(/\.js$/, '')}.d.ts`;
  return existsSync(file) ? file : undefined;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** The text of a type expression, up to the `;` that ends it at nesting depth 0. */
function readType(body: string, start: number): { text: string; end: number } {
  let depth = 0;
  for (let i = start; i < body.length; i++) {
    const char = body[i];
    if (char === '{' || char === '<' || char === '(') depth++;
    else if (char === '}' || char === '>' || char === ')') depth--;
    else if (char === ';' && depth === 0) return { text: body.slice(start, i).trim(), end: i + 1 };
  }
  return { text: body.slice(start).trim(), end: body.length };
}

interface Declaration {
  readonly fields: ReadonlyMap<string, FieldType>;
}

const declarations = new Map<string, Declaration | undefined>();

/** The first interface a declaration file exports, with the type of each of its properties. */
function loadDeclaration(file: string): Declaration | undefined {
  if (declarations.has(file)) return declarations.get(file);
  declarations.set(file, undefined); // Recursive types (JSONSchemaProps) stop here.
  const text = stripComments(readFileSync(file, 'utf8'));
  const imports = new Map<string, string>();
  for (const match of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    const resolved = resolveImport(file, match[2] ?? '');
    if (resolved === undefined) continue;
    for (const name of (match[1] ?? '').split(',')) imports.set(name.trim(), resolved);
  }
  const header = /export interface \w+[^{]*\{/.exec(text);
  if (header === null) return undefined;

  const typeOf = (expression: string): FieldType => {
    const type = expression.trim();
    const array = /^Array<([\s\S]*)>$/.exec(type);
    if (array) return { kind: 'array', of: typeOf(array[1] ?? '') };
    const map = /^\{\s*\[key: string\]:\s*([\s\S]*?);?\s*\}$/.exec(type);
    if (map) return { kind: 'map', of: typeOf(map[1] ?? '') };
    for (const member of type.split('|').map((part) => part.trim())) {
      const target = imports.get(member);
      if (target !== undefined && loadDeclaration(target) !== undefined)
        return { kind: 'object', file: target };
    }
    return LEAF;
  };

  const fields = new Map<string, FieldType>();
  const body = text.slice(header.index + header[0].length);
  let position = 0;
  let depth = 0;
  const property = /"([^"]+)"\??:\s*/y;
  while (position < body.length) {
    const char = body[position];
    if (char === '}' && depth === 0) break;
    property.lastIndex = position;
    const match = property.exec(body);
    if (match) {
      const type = readType(body, property.lastIndex);
      fields.set(match[1] ?? '', typeOf(type.text));
      position = type.end;
      continue;
    }
    if (char === '{') depth++;
    if (char === '}') depth--;
    position++;
  }
  const declaration = { fields };
  declarations.set(file, declaration);
  return declaration;
}

function walk(value: unknown, type: FieldType, path: string, found: string[]): void {
  if (type.kind === 'leaf' || value === null || value === undefined) return;
  if (type.kind === 'array') {
    if (!Array.isArray(value)) return;
    for (const [index, item] of value.entries()) walk(item, type.of, `${path}/${index}`, found);
    return;
  }
  if (!isRecord(value)) return;
  if (type.kind === 'map') {
    for (const [key, item] of Object.entries(value)) walk(item, type.of, `${path}/${key}`, found);
    return;
  }
  const declaration = loadDeclaration(type.file);
  if (declaration === undefined) return;
  for (const [key, item] of Object.entries(value)) {
    const fieldType = declaration.fields.get(key);
    if (fieldType === undefined) found.push(`${path}/${key} is not a field of this object`);
    else walk(item, fieldType, `${path}/${key}`, found);
  }
}

/** Properties the object's Kubernetes type does not declare, as `Kind/name: /json/pointer ...`. */
export function unknownFields(object: KubeObject): string[] {
  // Known custom resources have no type declaration; their check (schema.ts) refuses unknown keys.
  if (isKnownCustomResource(object)) return [];
  const file = join(MODELS_DIR, object.apiVersion, `${object.kind}.d.ts`);
  if (!existsSync(file))
    return [`${describe(object)}: no type declaration for ${object.apiVersion} ${object.kind}`];
  const found: string[] = [];
  walk(object, { kind: 'object', file }, '', found);
  return found.map((problem) => `${describe(object)}: ${problem}`);
}
