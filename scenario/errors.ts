/** Input problems, collected rather than thrown one by one, so a user sees all of them at once. */
import { escapeControls } from './control-characters.js';

export interface Problem {
  /** Where the bad value came from: a file path, "flag --ports", "env PORTS". */
  readonly source: string;
  /** 1-based line in the file, when known. */
  readonly line?: number;
  /** Index of the scenario in a file with several. */
  readonly index?: number;
  /** Scenario key (with list index, e.g. "ports[2]"). */
  readonly key?: string;
  readonly message: string;
}

/** Thrown with every problem found in the input; the CLI prints them and exits 2. */
export class ScenarioError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(formatProblems(problems));
  }
}
ScenarioError.prototype.name = 'ScenarioError';

/** One line per problem: `file:line: scenario[i].key: message`, then a count. */
export function formatProblems(problems: readonly Problem[]): string {
  const lines = problems.map((p) => {
    const where = p.line === undefined ? p.source : `${p.source}:${p.line}`;
    const scenario = p.index === undefined ? '' : `scenario[${p.index}]`;
    // A key is the file's own text when unknown: its control characters are shown escaped.
    const key = p.key === undefined ? '' : `${scenario ? '.' : ''}${escapeControls(p.key)}`;
    const what = scenario + key;
    return what ? `${where}: ${what}: ${p.message}` : `${where}: ${p.message}`;
  });
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return [...lines, `${count} found.`].join('\n');
}
