import dockerfileUtils from 'dockerfile-utils';

/*
 * Dockerfile checks without a Docker engine: dockerfile-utils (the validator behind the VS Code
 * Docker extension, pure JavaScript from npm) reports what the builder would reject, and the
 * structural rules below encode this project's image policy. hadolint is not installable here
 * (neither Debian nor npm carries it without downloading a binary at install time).
 */

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

/** Logical instructions: continuation lines joined, comments and parser directives dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let startLine = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    // Comment lines inside a continued instruction are skipped by the builder too.
    if (pending !== '' && line.startsWith('#')) return;
    if (pending === '') startLine = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = `${pending}${line}`.trim();
    pending = '';
    if (full === '') return;
    const [keyword = '', ...rest] = full.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: startLine });
  });
  return instructions;
}

/** Values of the ARGs declared before the first FROM, which are the ones FROM may use. */
function globalArgs(instructions: readonly Instruction[]): Map<string, string> {
  const args = new Map<string, string>();
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') break;
    if (instruction.keyword !== 'ARG') continue;
    const [name, value] = instruction.args.split('=', 2);
    if (name !== undefined && value !== undefined) args.set(name.trim(), value.trim().replace(/^"|"$/g, ''));
  }
  return args;
}

function substitute(text: string, args: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{?(\w+)\}?/g, (match, name: string) => args.get(name) ?? match);
}

export interface DockerfileFacts {
  readonly stages: readonly { readonly image: string; readonly alias?: string }[];
  readonly finalUser?: string;
  readonly pnpmVersion?: string;
}

export function dockerfileFacts(text: string): DockerfileFacts {
  const instructions = parseDockerfile(text);
  const args = globalArgs(instructions);
  const stages: { image: string; alias?: string }[] = [];
  let finalUser: string | undefined;
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const image = substitute(words[0] ?? '', args);
      const alias = words[1]?.toUpperCase() === 'AS' ? words[2] : undefined;
      stages.push(alias === undefined ? { image } : { image, alias });
      finalUser = undefined;
    } else if (instruction.keyword === 'USER') {
      finalUser = instruction.args.trim();
    }
  }
  const pnpmVersion = args.get('PNPM_VERSION');
  return {
    stages,
    ...(finalUser === undefined ? {} : { finalUser }),
    ...(pnpmVersion === undefined ? {} : { pnpmVersion }),
  };
}

/** Every problem found in a Dockerfile; empty when it may be built and shipped. */
export function lintDockerfile(text: string): string[] {
  const problems = dockerfileUtils
    .validate(text)
    .map((diagnostic) => `line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`);
  const instructions = parseDockerfile(text);
  const facts = dockerfileFacts(text);
  const aliases = new Set(facts.stages.flatMap((stage) => (stage.alias === undefined ? [] : [stage.alias])));

  if (facts.stages.length < 2) {
    problems.push('not a multi-stage build: build tools and sources would ship in the image');
  }
  for (const { image } of facts.stages) {
    if (aliases.has(image)) continue;
    if (/@sha256:[0-9a-f]{64}$/.test(image)) continue;
    const tag = image.slice(image.lastIndexOf('/') + 1).split(':')[1];
    if (tag === undefined || tag === 'latest' || image.includes('$')) {
      problems.push(`base image ${image} is not pinned to a version tag or digest`);
    }
  }

  const user = facts.finalUser;
  const uid = user?.split(':')[0];
  if (uid === undefined) {
    problems.push('the final stage sets no USER: the process would run as root');
  } else if (!/^\d+$/.test(uid)) {
    problems.push(`USER ${user} is not numeric: Kubernetes cannot verify runAsNonRoot for a user name`);
  } else if (Number(uid) === 0) {
    problems.push('the final stage runs as root (USER 0)');
  }

  const lastFrom = instructions.map((instruction) => instruction.keyword).lastIndexOf('FROM');
  const finalStage = instructions.slice(lastFrom + 1);
  for (const instruction of finalStage) {
    if (
      (instruction.keyword === 'ENTRYPOINT' || instruction.keyword === 'CMD') &&
      !instruction.args.startsWith('[')
    ) {
      problems.push(
        `line ${instruction.line}: ${instruction.keyword} in shell form needs a shell at run time`,
      );
    }
  }

  const runs = instructions.filter((instruction) => instruction.keyword === 'RUN').map((r) => r.args);
  if (!runs.some((run) => /\bpnpm\b.*\b(fetch|install)\b.*--frozen-lockfile/.test(run))) {
    problems.push(
      'dependencies are not installed with --frozen-lockfile: the image may differ from the lockfile',
    );
  }
  if (!runs.some((run) => /install\b.*--prod\b/.test(run))) {
    problems.push('no production-only install: devDependencies would ship in the image');
  }
  return problems;
}

function segmentMatches(pattern: string, segment: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
  return regex.test(segment);
}

function globMatches(pattern: readonly string[], path: readonly string[]): boolean {
  const [head, ...rest] = pattern;
  if (head === undefined) return true; // A matched directory excludes everything below it.
  if (head === '**')
    return path.some((_, index) => globMatches(rest, path.slice(index))) || globMatches(rest, []);
  const [first, ...others] = path;
  return first !== undefined && segmentMatches(head, first) && globMatches(rest, others);
}

/**
 * Whether a context-relative path is left out of the build context by .dockerignore rules
 * (`*`, `?`, `**`, and `!` exceptions; the last matching rule wins, as Docker applies them).
 */
export function dockerIgnored(rules: string, path: string): boolean {
  let ignored = false;
  for (const raw of rules.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/^\/+|\/+$/g, '').split('/');
    if (globMatches(pattern, path.split('/'))) ignored = !negated;
  }
  return ignored;
}
