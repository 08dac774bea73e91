import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

/*
 * The rules that hold the repository's shape (docs/architecture.md), checked on every test run so that
 * they stay true without anyone having to remember them.
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TOP_LEVEL = ['packages', 'services', 'test', 'bench', 'scripts', 'deploy'];
const MAX_LINES = 300;

interface Workspace {
  readonly dir: string;
  readonly name: string;
  readonly dependencies: readonly string[];
}

function workspacesIn(folder: string): Workspace[] {
  return readdirSync(join(root, folder), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const dir = join(folder, entry.name);
      const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
        devDependencies?: Record<string, string>;
      };
      return {
        dir,
        name: manifest.name,
        dependencies: [
          ...Object.keys(manifest.dependencies ?? {}),
          ...Object.keys(manifest.devDependencies ?? {}),
        ],
      };
    });
}

/** Every hand-written TypeScript file below a folder: no build output, dependencies or generated code. */
function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (['node_modules', 'dist', 'gen', 'fixtures'].includes(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) files.push(path);
    }
  };
  walk(folder);
  return files;
}

const isTest = (file: string) => /\.test(-support)?\.ts$|test-support\.ts$/.test(file);
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const importsOf = (file: string) =>
  [...read(file).matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1] as string);

const services = workspacesIn('services');
const packages = workspacesIn('packages');
const serviceNames = new Set(services.map((service) => service.name));

describe('the rules that hold the shape (docs/architecture.md)', () => {
  it('services never import services: they share code through packages', () => {
    const found: string[] = [];
    for (const service of services) {
      for (const dependency of service.dependencies) {
        if (serviceNames.has(dependency) && dependency !== service.name) {
          found.push(`${service.dir}/package.json → ${dependency}`);
        }
      }
      for (const file of sourceFiles(service.dir)) {
        for (const specifier of importsOf(file)) {
          const crossesServices =
            specifier.startsWith('../') &&
            relative(service.dir, join(dirname(file), specifier)).startsWith('..');
          if ((serviceNames.has(specifier) && specifier !== service.name) || crossesServices) {
            found.push(`${file} → ${specifier}`);
          }
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('packages never import services', () => {
    const found: string[] = [];
    for (const pkg of packages) {
      for (const dependency of pkg.dependencies) {
        if (serviceNames.has(dependency)) found.push(`${pkg.dir}/package.json → ${dependency}`);
      }
      for (const file of sourceFiles(pkg.dir)) {
        for (const specifier of importsOf(file)) {
          if (serviceNames.has(specifier) || specifier.includes('services/'))
            found.push(`${file} → ${specifier}`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('only the client registry touches its tables (everyone else goes through its gRPC API)', () => {
    const tableUse =
      /\b(from|into|update|join|table)\s+"?(clients|client_audit|organisation_suspensions|operator_actions)\b/i;
    const found = [...sourceFiles('packages'), ...sourceFiles('services')]
      .filter((file) => !file.startsWith('services/client-registry/') && !isTest(file))
      .filter(
        (file) =>
          tableUse.test(read(file)) || importsOf(file).some((s) => s.includes('client-registry/src/db')),
      );
    expect(found).toEqual([]);
  });

  it("the edge is the only trusted source of the caller's certificate", () => {
    // Only client-authentication reads the header, and only on a connection that presented the edge's
    // client certificate (@psd2/http's listener marks it); the local edge is the one that writes it.
    const readsHeader = /headers\[\s*'x-forwarded-client-cert'\s*\]|get\(\s*'x-forwarded-client-cert'/i;
    const found = [...sourceFiles('packages'), ...sourceFiles('services')]
      .filter((file) => !isTest(file))
      .filter(
        (file) =>
          !file.startsWith('packages/client-authentication/') && !file.startsWith('services/local-edge/'),
      )
      .filter((file) => readsHeader.test(read(file)));
    expect(found).toEqual([]);
  });

  it('no hand-written source file is over 300 lines (generated code and fixtures aside)', () => {
    const long = TOP_LEVEL.flatMap(sourceFiles)
      .map((file) => ({ file, lines: read(file).split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines}`);
    expect(long).toEqual([]);
  });
});
