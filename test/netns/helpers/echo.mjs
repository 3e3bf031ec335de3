#!/usr/bin/env node
// Real-traffic probe for the netns tests (plain JS: runs as the emulated guest, passt relay or
// pod, possibly as an unprivileged uid, without a build step).
//
//   echo.mjs serve NAME PORTS          dual-stack TCP and UDP echo servers on PORTS (comma list);
//                                      each reply starts with "NAME proto/port"; prints "ready"
//   echo.mjs sample HOST PORT FROM_MS UNTIL_MS EVERY_MS
//                                      one UDP datagram (numbered) every EVERY_MS from Unix time
//                                      FROM_MS to UNTIL_MS; prints a JSON list [{at: Unix ms sent,
//                                      passed: echoed within 300 ms}]: a timeline of the fault
//   echo.mjs probe FLOWS_JSON [AT_MS]  runs every flow [{id, proto, host, port, expect}] in
//                                      parallel, each within DEADLINE_MS, prints a JSON result list
//                                      ({id, status, detail, at: start (Unix ms), ms}); with AT_MS,
//                                      not before that Unix time in ms (a process started ahead
//                                      sends on time, whatever its own start-up took)
import dgram from 'node:dgram';
import net from 'node:net';
import process from 'node:process';

const DEADLINE_MS = 1000;

function serve(name, ports) {
  let pending = ports.length * 2;
  const ready = () => {
    if (--pending === 0) process.stdout.write('ready\n');
  };
  for (const port of ports) {
    net
      .createServer((socket) => {
        socket.setTimeout(2000, () => socket.destroy());
        socket.once('data', () => socket.end(`${name} tcp/${port}\n`));
        socket.on('error', () => undefined);
      })
      .listen({ port, host: '::', ipv6Only: false }, ready);
    const udp = dgram.createSocket({ type: 'udp6', ipv6Only: false });
    // A sampler's numbered datagram is echoed with its number.
    udp.on('message', (msg, rinfo) => udp.send(`${name} udp/${port}${/^seq=\d+$/.test(String(msg)) ? ` ${msg}` : ''}`, rinfo.port, rinfo.address));
    udp.bind(port, '::', ready);
  }
}

function probeOne(flow) {
  return new Promise((resolve) => {
    const started = Date.now();
    let done = false;
    const finish = (status, detail, close) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      close();
      resolve({ id: flow.id, status, detail, at: started, ms: Date.now() - started });
    };
    const check = (reply, close) => {
      const text = String(reply).trim();
      if (text.startsWith(`${flow.expect} `)) finish('PASS', text, close);
      else finish('WRONG', `reply from "${text}"`, close);
    };
    let close = () => undefined;
    const timer = setTimeout(() => finish('BLOCKED', 'timeout', close), DEADLINE_MS);
    if (flow.proto === 'tcp') {
      const socket = net.connect({ host: flow.host, port: flow.port });
      close = () => socket.destroy();
      socket.on('connect', () => socket.write('probe\n'));
      socket.on('data', (data) => check(data, close));
      socket.on('error', (e) => finish(e.code === 'ECONNREFUSED' ? 'REFUSED' : 'ERROR', e.code ?? e.message, close));
    } else {
      const socket = dgram.createSocket(flow.host.includes(':') ? 'udp6' : 'udp4');
      close = () => socket.close();
      socket.on('message', (data) => check(data, close));
      socket.on('error', (e) => finish(e.code === 'ECONNREFUSED' ? 'REFUSED' : 'ERROR', e.code ?? e.message, close));
      socket.connect(flow.port, flow.host, () => socket.send('probe'));
    }
  });
}

/** Sends numbered datagrams on a fixed schedule and records which came back (see the header). */
async function sample(host, port, fromMs, untilMs, everyMs) {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const sent = [];
  const echoed = new Set();
  socket.on('message', (data) => {
    const seq = Number(/ seq=(\d+)$/.exec(String(data))?.[1]);
    if (Number.isInteger(seq)) echoed.add(seq);
  });
  await new Promise((resolve) => socket.connect(port, host, resolve));
  await new Promise((r) => setTimeout(r, Math.max(0, fromMs - Date.now())));
  // On a fixed schedule from FROM_MS, not "every EVERY_MS after the last": a late timer does not shift the rest.
  for (let seq = 0; ; seq++) {
    const due = fromMs + seq * everyMs;
    if (due > untilMs) break;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent.push(Date.now());
    socket.send(`seq=${seq}`);
  }
  await new Promise((r) => setTimeout(r, 300));
  socket.close();
  process.stdout.write(`${JSON.stringify(sent.map((at, seq) => ({ at, passed: echoed.has(seq) })))}\n`);
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'serve') {
  serve(args[0], args[1].split(',').map(Number));
} else if (mode === 'sample') {
  await sample(args[0], Number(args[1]), Number(args[2]), Number(args[3]), Number(args[4]));
} else if (mode === 'probe') {
  const flows = JSON.parse(args[0]);
  if (args[1] !== undefined) await new Promise((r) => setTimeout(r, Math.max(0, Number(args[1]) - Date.now())));
  const results = await Promise.all(flows.map(probeOne));
  process.stdout.write(`${JSON.stringify(results)}\n`);
} else {
  process.stderr.write('usage: echo.mjs serve NAME PORTS | probe FLOWS_JSON [AT_MS] | sample HOST PORT FROM_MS UNTIL_MS EVERY_MS\n');
  process.exitCode = 2;
}
