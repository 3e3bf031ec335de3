/**
 * Runs the real @ibm/tekton-lint CLI (offline: no external tasks configured) over YAML texts and
 * returns its problems. Its two rules that predate Tekton v1's matrix and array results are
 * replaced by corrected copies (tekton-lint-v1-rules.mjs); every other rule keeps its default.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

export interface LintProblem {
  readonly level: 'error' | 'warning';
  readonly rule: string;
  readonly message: string;
  /** The file, as named in the `files` argument. */
  readonly path: string;
}

const LINT_BIN = join(dirname(createRequire(import.meta.url).resolve('@ibm/tekton-lint')), 'lint.js');
const V1_RULES = fileURLToPath(new URL('./tekton-lint-v1-rules.mjs', import.meta.url));

const CONFIG = `rules:
  no-missing-param: "off"
  no-undefined-result: "off"
custom:
  v1: ${JSON.stringify(V1_RULES)}
`;

/**
 * Lints `files` (name → YAML text) together, as one set of resources.
 * @throws Error when the linter does not run or prints something that is not its JSON report.
 */
export function tektonLint(files: Readonly<Record<string, string>>): LintProblem[] {
  const dir = mkdtempSync(join(tmpdir(), 'vnf-tekton-lint-'));
  try {
    writeFileSync(join(dir, '.tektonlintrc.yaml'), CONFIG);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    // HOME and TL_CACHE_DIR: its cache of external tasks (none here) stays in the temp folder.
    const run = spawnSync(process.execPath, [LINT_BIN, '--format', 'json', '--color', 'false', '--config', dir, ...Object.keys(files)], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: dir, TL_CACHE_DIR: join(dir, 'cache') },
    });
    if (run.error) throw run.error;
    let problems: { level: LintProblem['level']; rule: string; message: string; path: string }[];
    try {
      problems = JSON.parse(run.stdout) as typeof problems;
    } catch {
      throw new Error(`tekton-lint exited ${run.status} without a JSON report:\n${run.stdout}\n${run.stderr}`);
    }
    return problems.map(({ level, rule, message, path }) => ({ level, rule, message, path }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
