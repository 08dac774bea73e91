import type { z } from 'zod';

export interface ConfigIssue {
  /** The environment variable at fault, e.g. `PORT`. */
  readonly variable: string;
  /** What the variable must look like; never echoes the value, which may be a secret. */
  readonly message: string;
}

export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(issues.map((issue) => `${issue.variable} ${issue.message}`).join('; '));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

type EnvSchema = z.ZodObject<z.ZodRawShape>;

/**
 * Parses the environment against one process's schema. Empty strings count as unset, because
 * Kubernetes and shells commonly pass `VAR=` for "not configured".
 */
export function parseConfig<S extends EnvSchema>(
  schema: S,
  source: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    variable: String(issue.path[0] ?? '(environment)'),
    message: issue.message,
  }));
  throw new ConfigError(issues);
}

/**
 * The composition root's entry point: a bad configuration stops the process with one line per
 * variable, naming it and the expected form, instead of failing later in some obscure place.
 */
export function loadConfig<S extends EnvSchema>(
  schema: S,
  options: { processName: string; source?: NodeJS.ProcessEnv },
): z.output<S> {
  try {
    return parseConfig(schema, options.source ?? process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const issue of error.issues) {
      process.stderr.write(
        `${options.processName}: configuration error: ${issue.variable} ${issue.message}\n`,
      );
    }
    process.exit(78); // EX_CONFIG from sysexits.h: distinguishes "misconfigured" from a crash.
  }
}
