import { describe, expect, it } from 'vitest';
import { boundRecord, RECORD_MAX_BYTES } from '../../kube/ledger.js';
import { dropsText, verifySummary } from '../../steps/commands/verify.js';
import { dropTimes, parseNftDuration, parseSetTimers, timerStartedAt } from '../../steps/netfilter/index.js';

/** A table as nft 1.0.6 lists it (shape taken from a real listing; values chosen by hand). */
const LISTING = [
  'table inet vnf_0123abcd {',
  '\tcomment "vmi-network-filter run=run-1 expires=1800000420 vmi=ns/vm"',
  '\tset protocols {',
  '\t\ttype inet_proto',
  '\t\tflags timeout',
  '\t\telements = { tcp timeout 6m59s300ms expires 6m40s, udp timeout 6m59s300ms expires 6m40s }',
  '\t}',
  '',
  '\tset first_drop {',
  '\t\ttype inet_proto',
  '\t\tsize 65535',
  '\t\tflags dynamic,timeout',
  '\t\ttimeout 6m59s300ms',
  '\t\telements = { tcp expires 6m50s, udp expires 6m40s300ms }',
  '\t}',
  '',
  '\tset last_drop {',
  '\t\ttype inet_proto',
  '\t\tsize 65535',
  '\t\tflags dynamic,timeout',
  '\t\ttimeout 6m59s300ms',
  '\t\telements = { tcp expires 6m59s, udp expires 6m58s996ms }',
  '\t}',
  '',
  '\tchain forward {',
  '\t\ttype filter hook forward priority filter; policy accept;',
  '\t\tiifname "k6t-eth0" oifname "eth0" meta l4proto @protocols th dport 53 add @first_drop { meta l4proto } update @last_drop { meta l4proto } counter packets 7 bytes 420 drop comment "egress eth0"',
  '\t}',
  '}',
  '',
].join('\n');

describe('nft durations', () => {
  it('should read every unit nft prints, and the empty text as 0', () => {
    expect(parseNftDuration('1m')).toBe(60_000);
    expect(parseNftDuration('59s996ms')).toBe(59_996);
    expect(parseNftDuration('6m59s300ms')).toBe(419_300);
    expect(parseNftDuration('1d2h3m4s5ms')).toBe(93_784_005);
    expect(parseNftDuration('980ms')).toBe(980);
    expect(parseNftDuration('')).toBe(0);
  });

  it('should refuse what is no duration', () => {
    expect(parseNftDuration('59')).toBeUndefined();
    expect(parseNftDuration('expires')).toBeUndefined();
    expect(parseNftDuration('1m 2s')).toBeUndefined();
  });
});

describe('set timers in a text listing', () => {
  it("should give each element its set's timeout and its time left, to the millisecond", () => {
    expect(parseSetTimers(LISTING, 'first_drop')).toEqual([
      { value: 'tcp', timeoutMs: 419_300, expiresMs: 410_000 },
      { value: 'udp', timeoutMs: 419_300, expiresMs: 400_300 },
    ]);
  });

  it("should prefer an element's own timeout, read element lists nft wraps over lines, and tell a missing set from an empty one", () => {
    expect(parseSetTimers(LISTING, 'protocols')).toEqual([
      { value: 'tcp', timeoutMs: 419_300, expiresMs: 400_000 },
      { value: 'udp', timeoutMs: 419_300, expiresMs: 400_000 },
    ]);
    const wrapped = [
      '\tset first_drop {',
      '\t\ttype inet_proto',
      '\t\tflags dynamic,timeout',
      '\t\ttimeout 1m',
      '\t\telements = { icmp expires 59s964ms, tcp timeout 2h3m expires 2h2m59s980ms,',
      '\t\t\t     udp expires 980ms, sctp expires }',
      '\t}',
    ].join('\n');
    expect(parseSetTimers(wrapped, 'first_drop')).toEqual([
      { value: 'icmp', timeoutMs: 60_000, expiresMs: 59_964 },
      { value: 'tcp', timeoutMs: 7_380_000, expiresMs: 7_379_980 },
      { value: 'udp', timeoutMs: 60_000, expiresMs: 980 },
      { value: 'sctp', timeoutMs: 60_000, expiresMs: 0 },
    ]);
    expect(parseSetTimers('\tset first_drop {\n\t\ttype inet_proto\n\t\tflags dynamic,timeout\n\t\ttimeout 1m\n\t}\n', 'first_drop')).toEqual([]);
    expect(parseSetTimers(LISTING, 'missing')).toBeUndefined();
  });
});

describe('the first and last dropped packet', () => {
  // Read at 1_800_000_100_000 ms. first_drop: tcp 419300 − 410000 = 9300 ms ago, udp
  // 419300 − 400300 = 19000 ms ago. last_drop: tcp 300 ms ago, udp 304 ms ago.
  const READ = 1_800_000_100_000;

  it('should date a timer start as the read time less the time the timer ran', () => {
    expect(timerStartedAt({ value: 'udp', timeoutMs: 60_000, expiresMs: 57_172 }, 1_796_335_591_009)).toBe(1_796_335_588_181);
    expect(timerStartedAt({ value: 'udp', expiresMs: 57_172 }, READ)).toBeUndefined();
    expect(timerStartedAt({ value: 'udp', timeoutMs: 60_000 }, READ)).toBeUndefined();
  });

  it('should take the earliest first drop and the latest last drop over the protocols', () => {
    expect(dropTimes(LISTING, READ)).toEqual({ firstDropAtMs: 1_800_000_081_000, lastDropAtMs: 1_800_000_099_700 });
  });

  it('should round a read time taken between two clock readings to the millisecond', () => {
    expect(dropTimes(LISTING, READ + 0.5)).toEqual({ firstDropAtMs: 1_800_000_081_001, lastDropAtMs: 1_800_000_099_701 });
  });

  it('should know nothing when no packet was dropped, or the table has no drop sets (an older inject)', () => {
    const empty = LISTING.replace('\t\telements = { tcp expires 6m50s, udp expires 6m40s300ms }\n', '').replace('\t\telements = { tcp expires 6m59s, udp expires 6m58s996ms }\n', '');
    expect(dropTimes(empty, READ)).toEqual({});
    expect(dropTimes(LISTING.slice(0, LISTING.indexOf('\tset first_drop')), READ)).toEqual({});
  });
});

describe("verify's report of the drops", () => {
  const counters = [{ id: 'egress eth0', family: 'inet', packets: 7, bytes: 420 }];

  it('should give the times in ISO with milliseconds, or say why there are none', () => {
    expect(dropsText({ backend: 'nftables', firstDropAtMs: 1_800_000_081_000, lastDropAtMs: 1_800_000_099_700, counters })).toBe(
      'first dropped packet at 2027-01-15T08:01:21.000Z, last at 2027-01-15T08:01:39.700Z',
    );
    expect(dropsText({ backend: 'nftables', counters: [{ ...counters[0]!, packets: 0 }] })).toBe('no packet dropped yet');
    expect(dropsText({ backend: 'nftables', counters })).toBe('when packets were dropped is not recorded');
    expect(dropsText({ backend: 'iptables', counters })).toBe('iptables counts dropped packets but cannot tell when');
  });

  it('should keep both times in the ledger record, within its bound even with a long detail', () => {
    const detail = `4 rules of run run-1 intact (nftables); ${'they drop traffic '.repeat(30)}`;
    const data = { backend: 'nftables', secondsLeft: 86_399, firstDropAtMs: 1_800_000_081_000, lastDropAtMs: 1_800_000_099_700, counters: [{ ...counters[0]!, packets: 123_456_789 }] };
    const notes = ['first dropped packet at 2027-01-15T08:01:21.000Z, last at 2027-01-15T08:01:39.700Z'];
    const summary = verifySummary({ checks: [{ name: 'netfilter', ok: true, detail, notes, data }, { name: 'cluster', ok: true, detail: 'VMI Running on node-1' }] });
    expect(summary.data).toEqual({ backend: 'nftables', packets: 123_456_789, secondsLeft: 86_399, firstDropAtMs: 1_800_000_081_000, lastDropAtMs: 1_800_000_099_700 });
    expect(summary.detail).toContain('; first dropped packet at 2027-01-15T08:01:21.000Z, last at 2027-01-15T08:01:39.700Z; cluster: VMI Running on node-1');
    const record = boundRecord({ ok: true, at: '2027-01-15T08:01:40.123Z', ...summary });
    expect(JSON.stringify(record).length).toBeLessThanOrEqual(RECORD_MAX_BYTES);
    expect(record.data).toEqual(summary.data);
  });

  it('should leave the times out of the ledger record when they are not known', () => {
    const summary = verifySummary({ checks: [{ name: 'netfilter', ok: true, detail: 'x', data: { backend: 'iptables', secondsLeft: 10, counters } }] });
    expect(summary.data).toEqual({ backend: 'iptables', packets: 7, secondsLeft: 10 });
  });
});
