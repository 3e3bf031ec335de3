import { createHash } from 'node:crypto';

const MAX_NAME = 63;
const HASH_LENGTH = 8;

/**
 * A DNS-1123 label (<= 63 characters) made of `prefix` and a short hash of `content`: the same
 * content always gets the same name, and different content a different one. The prefix is
 * trimmed, not the hash, so uniqueness survives long prefixes.
 */
export function stableName(prefix: string, content: unknown): string {
  const hash = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, HASH_LENGTH);
  const clean = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_NAME - HASH_LENGTH - 1)
    .replace(/-+$/, '');
  return clean ? `${clean}-${hash}` : hash;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Why `name` cannot be a metadata.name (or a generateName prefix), or undefined. */
export function resourceNameProblem(name: string, generate: boolean): string | undefined {
  const body = generate ? name.replace(/-$/, '') : name;
  const limit = generate ? MAX_NAME - 5 : MAX_NAME;
  if (body.length === 0 || body.length > limit || !DNS1123_LABEL.test(body)) {
    return `"${name}" is not a valid ${generate ? 'generateName prefix' : 'name'}: lowercase letters, digits and '-', at most ${limit} characters, starting and ending with a letter or digit`;
  }
  return undefined;
}
