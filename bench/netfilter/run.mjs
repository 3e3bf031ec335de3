#!/usr/bin/env node
// Apply/remove latency of the node engine's backends against one `iptables` process per rule
// (krkn's way), measured in the same run, in a scratch network namespace (run as root:
// `npm run build && node bench/netfilter/run.mjs [--reps N]`).
//
// Rule set: 4 ports × 2 protocols × 2 directions × 2 families (masquerade binding), i.e. 32
// rules one process each for the reference; our backends: one transaction (nftables: one for
// both families; iptables: one per family, in parallel). Every command of both sides enters the
// namespace with nsenter, as in production. Goals (issue 3): apply ≤ 10 ms and remove ≤ 25 ms
// median; removal ≥ 10× faster than one process per rule; half-installed window 0.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const engine = join(root, 'dist', 'steps', 'netfilter', 'index.js');
if (!existsSync(engine)) {
  console.error('bench: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const { applyPlan, netnsAt, planRules, removeRun, runCommand, unixNow } = await import(pathToFileURL(engine).href);

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] || 30);
const PORTS = [53, 80, 443, 8080];
const PROTOCOLS = ['tcp', 'udp'];
const name = `vnfb-${process.pid}`;
const path = `/run/netns/${name}`;
execFileSync('ip', ['netns', 'add', name]);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];
const ms = (x) => x.toFixed(1);

/** A Netns that records when each transaction (restore / nft -f) completed. */
function recordingNetns(commits) {
  const inner = netnsAt(path);
  return {
    path,
    run: async (argv, options) => {
      const out = await inner.run(argv, options);
      if (/-restore$/.test(argv[0]) || (argv[0] === 'nft' && argv[1] === '-f')) commits.push(performance.now());
      return out;
    },
  };
}

// krkn: `iptables -I <chain> 1 … -j DROP` per rule and family, then `iptables -D <chain> 1` per rule.
const krknRules = [];
for (const tool of ['iptables', 'ip6tables']) {
  for (const [chain, iface] of [['FORWARD', '-i k6t-eth0 -o eth0'], ['FORWARD', '-i eth0 -o k6t-eth0']]) {
    for (const port of PORTS) {
      for (const proto of PROTOCOLS) krknRules.push([tool, '-I', chain, '1', ...iface.split(' '), '-p', proto, '--dport', String(port), '-m', 'state', '--state', 'NEW,RELATED,ESTABLISHED', '-j', 'DROP']);
    }
  }
}
async function krknApply() {
  const done = [];
  for (const argv of krknRules) {
    await runCommand(['nsenter', `--net=${path}`, '--', ...argv]);
    done.push(performance.now());
  }
  return done;
}
async function krknRemove() {
  for (const [tool, , chain] of krknRules) await runCommand(['nsenter', `--net=${path}`, '--', tool, '-D', chain, '1']);
}

const results = {};
const record = (key, value) => (results[key] ??= []).push(value);
try {
  // Warm up caches (binaries, kernel modules, the iptables filter tables).
  await runCommand(['nsenter', `--net=${path}`, '--', 'iptables', '-S']);
  await runCommand(['nsenter', `--net=${path}`, '--', 'ip6tables', '-S']);
  for (let i = 0; i < reps; i++) {
    const started = performance.now();
    await runCommand(['nsenter', `--net=${path}`, '--', 'true']);
    record('spawn nsenter true (one process)', performance.now() - started);

    for (const backend of ['nftables', 'iptables']) {
      const runId = `bench-${backend}-${i}`;
      const now = unixNow();
      const plan = planRules({
        binding: 'masquerade',
        attachments: [{ podIface: 'eth0', bridge: 'k6t-eth0', tap: 'tap0' }],
        ingress: true,
        egress: true,
        ports: PORTS,
        protocols: PROTOCOLS,
        tag: { runId, expiresAt: now + 420, vmi: 'bench/vm' },
      });
      const commits = [];
      const t0 = performance.now();
      await applyPlan(recordingNetns(commits), plan, backend, now);
      record(`${backend} apply`, performance.now() - t0);
      record(`${backend} half-installed window (between its transactions)`, commits.length > 1 ? Math.max(...commits) - Math.min(...commits) : 0);
      const t1 = performance.now();
      const removal = await removeRun(netnsAt(path), plan.names);
      record(`${backend} remove (rollback: both backends checked)`, performance.now() - t1);
      if (removal.removed.length === 0) throw new Error(`${backend}: nothing removed`);
    }

    const t2 = performance.now();
    const done = await krknApply();
    record('one process per rule: apply (32 rules)', performance.now() - t2);
    record('one process per rule: half-installed window', done[done.length - 1] - done[0]);
    const t3 = performance.now();
    await krknRemove();
    record('one process per rule: remove (32 rules)', performance.now() - t3);
  }
  const left = execFileSync('nsenter', [`--net=${path}`, '--', 'nft', 'list', 'ruleset'], { encoding: 'utf8' });
  if (/vnf_|VNF-|DROP|drop/.test(left)) throw new Error(`leftovers after the bench:\n${left}`);
} finally {
  execFileSync('ip', ['netns', 'del', name]);
}

const rows = Object.entries(results).map(([key, xs]) => ({ key, median: median(xs), p90: p90(xs), min: Math.min(...xs), max: Math.max(...xs) }));
const get = (key) => rows.find((r) => r.key === key).median;
console.log(`# netfilter bench: ${reps} reps, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, node ${process.version}`);
console.log('| operation | median ms | p90 ms | min ms | max ms |');
console.log('|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.key} | ${ms(r.median)} | ${ms(r.p90)} | ${ms(r.min)} | ${ms(r.max)} |`);
console.log('');
for (const backend of ['nftables', 'iptables']) {
  const apply = get(`${backend} apply`);
  const remove = get(`${backend} remove (rollback: both backends checked)`);
  console.log(
    `${backend}: apply ${ms(apply)} ms (goal ≤ 10: ${apply <= 10 ? 'met' : 'missed'}), remove ${ms(remove)} ms (goal ≤ 25: ${remove <= 25 ? 'met' : 'missed'}); ` +
      `vs one process per rule: apply ${ms(get('one process per rule: apply (32 rules)') / apply)}× faster, remove ${ms(get('one process per rule: remove (32 rules)') / remove)}× faster (goal ≥ 10×)`,
  );
}
