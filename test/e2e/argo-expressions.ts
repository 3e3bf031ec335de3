/**
 * The three kinds of Argo expressions the generated workflows use, evaluated as Argo does and
 * no further: `{{…}}` simple substitution, DAG `depends` logic, and `when` comparisons. Anything
 * else is an error, so the e2e executor can never silently guess.
 */

/** A variable used in a template that is not in scope. */
export class UnresolvedVariableError extends Error {
  constructor(readonly variable: string, readonly where: string) {
    super(`${where}: unresolved {{${variable}}}`);
  }
}
UnresolvedVariableError.prototype.name = 'UnresolvedVariableError';

/** An expression the executor does not implement. */
export class UnsupportedExpressionError extends Error {
  constructor(readonly expression: string, readonly why: string) {
    super(`unsupported expression ${JSON.stringify(expression)}: ${why}`);
  }
}
UnsupportedExpressionError.prototype.name = 'UnsupportedExpressionError';

/**
 * Replaces every `{{name}}` by `scope[name]` (Argo's simple tags: no expressions, `{{=…}}` is
 * refused).
 * @throws UnresolvedVariableError naming the first variable not in scope
 */
export function substitute(text: string, scope: ReadonlyMap<string, string>, where: string): string {
  return text.replace(/\{\{\s*([^{}]*?)\s*\}\}/g, (_all, name: string) => {
    if (name.startsWith('=')) throw new UnsupportedExpressionError(`{{${name}}}`, 'expression tags are not emulated');
    const value = scope.get(name);
    if (value === undefined) throw new UnresolvedVariableError(name, where);
    return value;
  });
}

/** Node phases, as Argo names them. */
export type Phase = 'Succeeded' | 'Failed' | 'Error' | 'Skipped' | 'Omitted';

// depends results → the phase each one means (Daemoned never happens: nothing here daemons).
const RESULTS: Record<string, (p: Phase) => boolean> = {
  Succeeded: (p) => p === 'Succeeded',
  Failed: (p) => p === 'Failed',
  Errored: (p) => p === 'Error',
  Skipped: (p) => p === 'Skipped',
  Omitted: (p) => p === 'Omitted',
  Daemoned: () => false,
};

type Token = { readonly kind: 'ref'; readonly task: string; readonly result?: string } | { readonly kind: '(' | ')' | '&&' | '||' | '!' };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\|\||&&|[()!])|([A-Za-z0-9][A-Za-z0-9-]*)(?:\.([A-Za-z]+))?)/y;
  let i = 0;
  while (i < expression.length) {
    if (/^\s*$/.test(expression.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(expression);
    if (!m) throw new UnsupportedExpressionError(expression, `cannot read from offset ${i}`);
    i = re.lastIndex;
    if (m[1]) tokens.push({ kind: m[1] as '(' });
    else {
      if (m[3] !== undefined && !(m[3] in RESULTS)) throw new UnsupportedExpressionError(expression, `unknown task result .${m[3]}`);
      tokens.push({ kind: 'ref', task: m[2]!, ...(m[3] === undefined ? {} : { result: m[3] }) });
    }
  }
  return tokens;
}

/** The task names a `depends` expression refers to. */
export function dependsTasks(expression: string): string[] {
  return [...new Set(tokenize(expression).flatMap((t) => (t.kind === 'ref' ? [t.task] : [])))];
}

/**
 * Evaluates `depends` against the phases of finished tasks. A bare `task` means
 * `task.Succeeded || task.Skipped || task.Daemoned`, as in Argo.
 * @throws UnsupportedExpressionError on syntax it does not know, or a task without a phase
 */
export function evaluateDepends(expression: string, phaseOf: (task: string) => Phase | undefined): boolean {
  const tokens = tokenize(expression);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const primary = (): boolean => {
    const t = tokens[pos++];
    if (t === undefined) throw new UnsupportedExpressionError(expression, 'ends early');
    if (t.kind === '!') return !primary();
    if (t.kind === '(') {
      const v = or();
      if (tokens[pos++]?.kind !== ')') throw new UnsupportedExpressionError(expression, 'unbalanced parentheses');
      return v;
    }
    if (t.kind !== 'ref') throw new UnsupportedExpressionError(expression, `unexpected ${t.kind}`);
    const phase = phaseOf(t.task);
    if (phase === undefined) throw new UnsupportedExpressionError(expression, `task ${t.task} has not finished`);
    return t.result === undefined ? phase === 'Succeeded' || phase === 'Skipped' : RESULTS[t.result]!(phase);
  };
  const and = (): boolean => {
    let v = primary();
    while (peek()?.kind === '&&') {
      pos++;
      v = primary() && v;
    }
    return v;
  };
  const or = (): boolean => {
    let v = and();
    while (peek()?.kind === '||') {
      pos++;
      v = and() || v;
    }
    return v;
  };
  const value = or();
  if (pos !== tokens.length) throw new UnsupportedExpressionError(expression, 'trailing tokens');
  return value;
}

/**
 * Evaluates a substituted `when`: exactly `'a' == 'b'` or `'a' != 'b'` (what the generator emits).
 * @throws UnsupportedExpressionError for anything else
 */
export function evaluateWhen(expression: string): boolean {
  // Comparisons joined by || (what the templates emit); quoted operands hold no '|' here.
  return expression.split('||').some((term) => {
    const m = /^\s*'([^']*)'\s*(==|!=)\s*'([^']*)'\s*$/.exec(term);
    if (!m) throw new UnsupportedExpressionError(expression, "only 'a' == 'b' and 'a' != 'b', joined by ||, are emulated");
    return (m[1] === m[3]) === (m[2] === '==');
  });
}
