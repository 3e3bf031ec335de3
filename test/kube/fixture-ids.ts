/** Deterministic identities of the test fixtures: the same object gets the same UID every run. */
import { createHash } from 'node:crypto';

/** A deterministic UID (UUID-shaped) from any text: stable fixtures, distinct per object. */
export function uidFor(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The UID the default launcher pod fixture of a VMI gets (also its default activePods key). */
export function launcherUid(namespace: string, vmiName: string, generation = 0): string {
  return uidFor(`pod/${namespace}/${vmiName}/${generation}`);
}

/** virt-launcher-<vmi>-<5 chars>, as the generateName suffix makes it. */
export function launcherPodName(vmiName: string, generation = 0): string {
  return `virt-launcher-${vmiName}-${uidFor(`${vmiName}/${generation}`).replace(/[^a-z0-9]/g, '').slice(0, 5)}`;
}
