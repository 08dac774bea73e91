import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { dockerfileFacts, dockerIgnored, lintDockerfile, parseDockerfile } from './dockerfile.js';
import { DEPLOY_DIR, REPO_ROOT } from './manifests.js';

const dockerfile = readFileSync(join(DEPLOY_DIR, 'Dockerfile'), 'utf8');

const GOOD = `# syntax=docker/dockerfile:1.7
ARG BASE=node:20.20.2-bookworm-slim
FROM \${BASE} AS build
RUN npm install --global pnpm@10.34.8
RUN pnpm install --frozen-lockfile
RUN pnpm --filter x install --prod --frozen-lockfile
FROM \${BASE}
COPY --from=build /out /app
USER 1000:1000
ENTRYPOINT ["node", "main.js"]
`;

function lintEdited(from: string, to: string): string[] {
  const edited = GOOD.replace(from, to);
  if (edited === GOOD) throw new Error(`"${from}" is not in the sample Dockerfile`);
  return lintDockerfile(edited);
}

describe('deploy/Dockerfile', () => {
  it('passes the linter and the image policy', () => {
    expect(lintDockerfile(dockerfile)).toEqual([]);
  });

  it('builds in its own stage and ships from a pinned Node 20 slim image as a numeric non-root user', () => {
    const facts = dockerfileFacts(dockerfile);
    expect(facts.stages.map((stage) => stage.alias)).toEqual(['build', 'runtime']);
    for (const stage of facts.stages) expect(stage.image).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    expect(facts.finalUser).toBe('1000:1000');
  });

  it('installs the pnpm version the repository pins in packageManager', () => {
    const rootPackage = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      packageManager: string;
    };
    expect(`pnpm@${dockerfileFacts(dockerfile).pnpmVersion}`).toBe(rootPackage.packageManager);
  });

  it('runs each service the way its package.json start script does', () => {
    const entrypoint = parseDockerfile(dockerfile).find(
      (instruction) => instruction.keyword === 'ENTRYPOINT',
    );
    expect(JSON.parse(entrypoint?.args ?? '[]')).toEqual(['node', '--import', '@psd2/telemetry/register']);
    for (const service of [
      'registration',
      'authorization',
      'token',
      'revocation',
      'client-registry',
      'payment-consent',
    ]) {
      const start = (
        JSON.parse(readFileSync(join(REPO_ROOT, 'services', service, 'package.json'), 'utf8')) as {
          scripts: { start: string };
        }
      ).scripts.start;
      expect(start).toContain('node --import @psd2/telemetry/register dist/main.js');
    }
  });

  it('is built from a context that leaves out host builds, secrets and VCS data', () => {
    const rules = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8');
    for (const path of [
      'node_modules/x',
      'services/token/dist/main.js',
      'packages/http/node_modules/express/index.js',
      '.git/HEAD',
      '.local/pki/ca.key',
      'packages/test-pki/fixtures/edge.key',
    ]) {
      expect({ path, ignored: dockerIgnored(rules, path) }).toEqual({ path, ignored: true });
    }
  });

  it('keeps in the context everything the frozen install and the build read', () => {
    const rules = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8');
    // Every workspace project: pnpm refuses a frozen install when one named in the lockfile is missing.
    const workspaces = ['packages', 'services'].flatMap((parent) =>
      readdirSync(join(REPO_ROOT, parent)).map((name) => `${parent}/${name}`),
    );
    const needed = [
      'package.json',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      '.npmrc',
      'tsconfig.base.json',
      'services/client-registry/migrations/0000_initial.sql',
      'packages/psu-directory/migrations/0000_initial.sql',
      ...['scripts', 'test', 'bench', 'deploy', ...workspaces].map((dir) => `${dir}/package.json`),
      'services/token/src/main.ts',
    ];
    expect(needed.filter((path) => dockerIgnored(rules, path))).toEqual([]);
  });

  it('reads .dockerignore rules as Docker does', () => {
    expect(dockerIgnored('**/dist', 'a/b/dist/x.js')).toBe(true);
    expect(dockerIgnored('**/dist', 'dist/x.js')).toBe(true);
    expect(dockerIgnored('docs', 'docs/a.md')).toBe(true);
    expect(dockerIgnored('docs', 'packages/docs/a.md')).toBe(false);
    expect(dockerIgnored('**/*.key\n!keep/*.key', 'keep/a.key')).toBe(false);
    expect(dockerIgnored('*.md', 'README.md')).toBe(true);
  });
});

describe('the Dockerfile linter', () => {
  it('accepts the well-formed sample', () => {
    expect(lintDockerfile(GOOD)).toEqual([]);
  });

  it('reports what the builder would reject', () => {
    expect(lintEdited('COPY --from=build /out /app', 'COPY --from=build')).toEqual([
      expect.stringMatching(/^line 8: /),
    ]);
  });

  it('fails a single-stage build', () => {
    const single = GOOD.replace(/FROM \$\{BASE\} AS build\n/, '').replace(
      'COPY --from=build /out /app\n',
      '',
    );
    expect(lintDockerfile(single)).toContain(
      'not a multi-stage build: build tools and sources would ship in the image',
    );
  });

  it.each([
    ['latest', 'node:latest'],
    ['no tag', 'node'],
  ])('fails a base image with %s', (_case, image) => {
    expect(lintEdited('node:20.20.2-bookworm-slim', image)).toEqual([
      `base image ${image} is not pinned to a version tag or digest`,
      `base image ${image} is not pinned to a version tag or digest`,
    ]);
  });

  it('fails an image that runs as root', () => {
    expect(lintEdited('USER 1000:1000\n', '')).toEqual([
      'the final stage sets no USER: the process would run as root',
    ]);
    expect(lintEdited('USER 1000:1000', 'USER 0')).toEqual(['the final stage runs as root (USER 0)']);
    expect(lintEdited('USER 1000:1000', 'USER node')).toEqual([
      'USER node is not numeric: Kubernetes cannot verify runAsNonRoot for a user name',
    ]);
  });

  it('fails an entrypoint that needs a shell', () => {
    expect(lintEdited('ENTRYPOINT ["node", "main.js"]', 'ENTRYPOINT node main.js')).toEqual([
      'line 10: ENTRYPOINT in shell form needs a shell at run time',
    ]);
  });

  it('fails a build that ignores the lockfile or ships devDependencies', () => {
    const loose = GOOD.replace(/--frozen-lockfile/g, '');
    expect(lintDockerfile(loose)).toEqual([
      'dependencies are not installed with --frozen-lockfile: the image may differ from the lockfile',
    ]);
    expect(lintEdited('install --prod --frozen-lockfile', 'install --frozen-lockfile')).toEqual([
      'no production-only install: devDependencies would ship in the image',
    ]);
  });
});
