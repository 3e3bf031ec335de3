/**
 * Kubernetes label selectors (the string form of `kubectl -l` and `?labelSelector=`), parsed as
 * k8s.io/apimachinery/pkg/labels.Parse does, so a selector we accept is one the API server accepts.
 * The parser also gives a matcher, used by the test API server and by client-side checks.
 */

export type Operator = 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  readonly values: readonly string[];
}

export class LabelSelectorError extends Error {
  constructor(
    readonly selector: string,
    readonly reason: string,
  ) {
    super(`invalid label selector "${selector}": ${reason}`);
  }
}
LabelSelectorError.prototype.name = 'LabelSelectorError';

const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key, or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return `key prefix "${prefix}" must be a DNS subdomain (lowercase letters, digits, '-' and '.')`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `key "${key}" must be 1-63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) {
    return `value "${value}" must be at most 63 characters of letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

type Token = { kind: 'word'; text: string } | { kind: 'op'; text: string };

function tokenize(selector: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < selector.length) {
    const c = selector[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ('(),'.includes(c)) {
      tokens.push({ kind: 'op', text: c });
      i++;
    } else if ('=!<>'.includes(c)) {
      const two = selector.slice(i, i + 2);
      const op = two === '==' || two === '!=' ? two : c;
      tokens.push({ kind: 'op', text: op });
      i += op.length;
    } else {
      let j = i;
      while (j < selector.length && !/[\s(),=!<>]/.test(selector[j]!)) j++;
      tokens.push({ kind: 'word', text: selector.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

/**
 * Parses a label selector. The empty string selects everything.
 * @throws LabelSelectorError naming the first problem.
 */
export function parseLabelSelector(selector: string): Requirement[] {
  const tokens = tokenize(selector);
  const fail = (reason: string): never => {
    throw new LabelSelectorError(selector, reason);
  };
  const requirements: Requirement[] = [];
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const word = (what: string): string => {
    const t = tokens[pos];
    if (t?.kind !== 'word') return fail(`expected ${what}${t ? ` but found "${t.text}"` : ' at the end'}`);
    pos++;
    return t.text;
  };
  const checkKey = (key: string): string => {
    const problem = labelKeyProblem(key);
    return problem ? fail(problem) : key;
  };
  const checkValue = (value: string): string => {
    const problem = labelValueProblem(value);
    return problem ? fail(problem) : value;
  };

  while (pos < tokens.length) {
    const first = peek()!;
    if (first.kind === 'op' && first.text === '!') {
      pos++;
      requirements.push({ key: checkKey(word('a label key after "!"')), operator: '!exists', values: [] });
    } else {
      const key = checkKey(word('a label key'));
      const next = peek();
      if (next === undefined || (next.kind === 'op' && next.text === ',')) {
        requirements.push({ key, operator: 'exists', values: [] });
      } else if (next.kind === 'op' && ['=', '==', '!='].includes(next.text)) {
        pos++;
        const t = peek();
        const value = t?.kind === 'word' ? (pos++, t.text) : '';
        requirements.push({ key, operator: next.text === '!=' ? '!=' : '=', values: [checkValue(value)] });
      } else if (next.kind === 'op' && (next.text === '>' || next.text === '<')) {
        pos++;
        const value = word('an integer');
        if (!/^-?\d+$/.test(value)) fail(`"${value}" after "${next.text}" must be an integer`);
        requirements.push({ key, operator: next.text === '>' ? 'gt' : 'lt', values: [value] });
      } else if (next.kind === 'word' && (next.text === 'in' || next.text === 'notin')) {
        pos++;
        const open = peek();
        if (open?.kind !== 'op' || open.text !== '(') fail(`expected "(" after "${next.text}"`);
        pos++;
        const values: string[] = [];
        for (;;) {
          const t = peek();
          if (t?.kind === 'word') {
            values.push(checkValue(t.text));
            pos++;
          } else {
            values.push('');
          }
          const sep = peek();
          if (sep?.kind === 'op' && sep.text === ',') {
            pos++;
            continue;
          }
          if (sep?.kind === 'op' && sep.text === ')') {
            pos++;
            break;
          }
          fail(`expected "," or ")" in the value list of "${key}"`);
        }
        requirements.push({ key, operator: next.text as 'in' | 'notin', values });
      } else {
        fail(`unexpected "${next.text}" after key "${key}"`);
      }
    }
    const sep = peek();
    if (sep === undefined) break;
    if (sep.kind !== 'op' || sep.text !== ',') fail(`expected "," between requirements but found "${sep.text}"`);
    pos++;
    if (pos === tokens.length) fail('trailing ","');
  }
  return requirements;
}

/** True when `labels` satisfy every requirement (Kubernetes semantics: `!=` and `notin` match absent keys). */
export function matchesLabels(requirements: readonly Requirement[], labels: Readonly<Record<string, string>>): boolean {
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = labels[r.key];
    switch (r.operator) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case '=':
      case 'in':
        return has && r.values.includes(value!);
      case '!=':
      case 'notin':
        return !has || !r.values.includes(value!);
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(value!)) return false;
        const n = Number(value);
        const bound = Number(r.values[0]);
        return r.operator === 'gt' ? n > bound : n < bound;
      }
    }
  });
}
