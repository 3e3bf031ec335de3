/** Release versions as the engines write them (`v1.15.1`, `3.6.0`, "devel"): pure. */

/** `[major, minor, patch]` of a `v1.15.1`-style version, or undefined (e.g. "devel", "latest"). */
export function parseVersion(version: string): [number, number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Whether `version` is a release older than `minimum`; false when it says no version. */
export function isOlderThan(version: string, minimum: string): boolean {
  const v = parseVersion(version);
  const min = parseVersion(minimum);
  if (!v || !min) return false;
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i]! < min[i]!;
  return false;
}
