/**
 * A network namespace we act in, named by a path that nsenter can open: a bind mount such as
 * /run/netns/NAME (`--netns`) or a process's `<proc>/<pid>/ns/net` (discovery).
 */
import { statSync } from 'node:fs';
import { runCommand, SpawnError, type RunOptions, type RunOutput } from './spawn.js';

/** The namespace is gone: its file no longer exists, or its last process exited. */
export class NetnsGoneError extends Error {
  constructor(readonly path: string) {
    super(`network namespace ${path} does not exist (any more)`);
  }
}
NetnsGoneError.prototype.name = 'NetnsGoneError';

/** Identity of a namespace: device and inode of its nsfs file (what `ip netns identify` compares). */
export type NetnsId = string;

/**
 * The id of the namespace at `path`, or undefined when there is none (path missing, process gone).
 * stat follows `<proc>/<pid>/ns/net` magic links and /run/netns bind mounts alike.
 */
export function netnsId(path: string): NetnsId | undefined {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/** A network namespace to run programs in. */
export interface Netns {
  /** What nsenter opens. */
  readonly path: string;
  /**
   * Runs `argv` inside the namespace (`nsenter --net=PATH -- argv…`).
   * @throws NetnsGoneError when the namespace vanished; SpawnError when the program failed.
   */
  readonly run: (argv: readonly string[], options?: RunOptions) => Promise<RunOutput>;
}

/** A {@link Netns} for `path`. Nothing is opened until a program is run. */
export function netnsAt(path: string): Netns {
  return {
    path,
    run: async (argv, options) => {
      try {
        return await runCommand(['nsenter', `--net=${path}`, '--', ...argv], options);
      } catch (e) {
        // nsenter itself failing to open the file means the namespace is gone, not that argv failed.
        if (e instanceof SpawnError && netnsId(path) === undefined) throw new NetnsGoneError(path);
        throw e;
      }
    },
  };
}
