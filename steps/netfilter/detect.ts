/**
 * Detection inside the launcher namespace: the VM's attachments, which of them the run
 * filters, and (passt, slirp) the relay process whose uid scopes the rules.
 */
import { resolveAttachments, type Attachment, type Selection } from './attachments.js';
import { isRelayBinding, type FilterableBinding } from './binding.js';
import { readNetnsFacts, type NetnsFacts } from './facts.js';
import type { Located } from './locate.js';
import { findRelay, type Relay } from './relay.js';
import { findSocketRelay } from './socket-relay.js';

/** Everything detected about the VM in its launcher namespace. */
export interface Detection {
  readonly facts: NetnsFacts;
  /** Every attachment found, primary first. */
  readonly found: readonly Attachment[];
  readonly selection: Selection;
  readonly relay?: Relay;
}

/** Options of {@link detect}. */
export interface DetectOptions {
  readonly binding: FilterableBinding;
  /** Proc root, to find the relay process; without one the relay is found by its sockets. */
  readonly proc?: string;
  /** Interface names the scenario names (override detection); empty = the primary one. */
  readonly interfaces: readonly string[];
}

/**
 * Detects the VM's interfaces in `located`.
 * @throws DetectionError, RelayError, NetnsGoneError, SpawnError, ProcTreeError.
 */
export async function detect(located: Located, options: DetectOptions): Promise<Detection> {
  const facts = located.facts ?? (await readNetnsFacts(located.netns));
  const { found, selection } = resolveAttachments(options.binding, facts.links, facts.defaultDevices, options.interfaces);
  const { binding, proc } = options;
  const relay = !isRelayBinding(binding) ? undefined : (located.relay ?? (proc !== undefined ? findRelay(proc, located.id, binding) : await findSocketRelay(located.netns, binding)));
  return { facts, found, selection, ...(relay ? { relay } : {}) };
}
