/**
 * `step sweep`: remove the rule sets of every run whose expiry has passed (the leftovers of runs
 * whose rollback never ran), in the namespaces named by --netns and/or every virt-launcher
 * namespace on the node (--all-launchers). Nothing unexpired, nothing foreign is touched.
 */
import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { Io } from '../../core/io.js';
import { commOf, listPids, netnsAt, netnsId, pinnedNamespaces, podUidOf, processInfo, sweepNetns, type NetnsId } from '../netfilter/index.js';
import { runStep } from './node-step.js';
import { NOW_FLAG, parseNow } from './now-option.js';

interface SweepFlags {
  readonly netns: string[];
  readonly allLaunchers?: boolean;
  readonly netnsDir?: string;
  readonly proc: string;
  readonly now?: string;
  readonly out?: string;
}

/**
 * One namespace path per virt-launcher pod of the node: processes in a pod cgroup whose command
 * is virt-launcher*, outside the host's namespace.
 */
export function launcherNamespaces(proc: string): string[] {
  const host = netnsId(`${proc}/1/ns/net`);
  const seen = new Map<NetnsId, string>();
  for (const pid of listPids(proc)) {
    if (!/^virt-launcher/.test(commOf(proc, pid) ?? '') || podUidOf(proc, pid) === undefined) continue;
    const info = processInfo(proc, pid);
    if (info.netns !== undefined && info.netns !== host && !seen.has(info.netns)) seen.set(info.netns, info.netnsPath);
  }
  return [...seen.values()];
}

/** The `sweep` step. Exit 0 swept (or nothing to sweep), 1 runtime failure, 2 bad input. */
export function sweepCommand(io: Io): Command {
  return new Command('sweep')
    .description('remove the rules of runs whose expiry has passed')
    .option('--netns <path>', 'a network namespace to sweep (repeatable)', (value: string, all: string[]) => [...all, value], [] as string[])
    .option('--all-launchers', "sweep every virt-launcher pod's namespace found in --proc")
    .option('--netns-dir <dir>', "sweep every network namespace the runtime pins in DIR (the node's /var/run/netns): no host /proc needed; only expired objects of ours are touched")
    .option('--proc <dir>', "the host's proc tree", '/proc')
    .option(NOW_FLAG, 'Unix time to compare expiries with (default: now)')
    .option('--out <file>', 'write the result JSON to FILE')
    .action((flags: SweepFlags) =>
      runStep(io, 'sweep', flags.out, async ({ log }) => {
        if (flags.netns.length === 0 && !flags.allLaunchers && flags.netnsDir === undefined) throw new UsageError('sweep needs --netns PATH (repeatable), --netns-dir DIR or --all-launchers');
        const now = parseNow(flags.now);
        const pinned = flags.netnsDir === undefined ? [] : pinnedNamespaces(flags.netnsDir).map((n) => n.path);
        const paths = [...new Set([...flags.netns, ...pinned, ...(flags.allLaunchers ? launcherNamespaces(flags.proc) : [])])];
        const namespaces = [];
        for (const path of paths) {
          const report = await sweepNetns(netnsAt(path), now);
          for (const run of report.removed) log('info', `removed expired run ${run.runId}`, { netns: path, expiresAt: run.expiresAt, objects: run.objects });
          for (const object of report.untagged) log('warn', `kept ${object}: no readable tag`, { netns: path });
          for (const { object, reason } of report.foreign) log('warn', `left ${object} alone: not created by vmi-network-filter (${reason})`, { netns: path });
          namespaces.push({ netns: path, ...report });
        }
        log('info', `swept ${paths.length} namespaces`, { now, removed: namespaces.reduce((n, r) => n + r.removed.length, 0) });
        return { ok: true, now, namespaces };
      }),
    );
}
