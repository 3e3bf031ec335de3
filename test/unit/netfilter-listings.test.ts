import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIptablesSave, parseNftJson, parseTableComment, parseTableList, parseTag, removalScript, runNames } from '../../steps/netfilter/index.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/netfilter/${name}`, import.meta.url), 'utf8');

describe('parseIptablesSave', () => {
  const saved = parseIptablesSave(fixture('iptables-save-masquerade-run-and-foreign-rule.txt'));

  it('should list chains and rules with counters, comments and targets', () => {
    expect(saved.chains).toEqual(['INPUT', 'FORWARD', 'OUTPUT', 'VNF-86854da2088a-FWD']);
    expect(saved.rules[0]).toEqual({
      chain: 'FORWARD',
      spec: '-p tcp -m tcp --dport 8443 -m comment --comment "foreign rule" -j ACCEPT',
      packets: 0,
      bytes: 0,
      comment: 'foreign rule',
      target: 'ACCEPT',
    });
    expect(saved.rules[1]?.target).toBe('VNF-86854da2088a-FWD');
    expect(parseTag(saved.rules[1]!.comment!)).toEqual({ runId: 'rec-ipt', expiresAt: 1795289009, vmi: 'ns1/vm-a' });
    expect(saved.rules.slice(2).map((r) => r.comment)).toEqual(['egress eth0', 'egress eth0', 'ingress eth0', 'ingress eth0']);
  });

  it('should read counters, unquoted comments and only the filter table', () => {
    const text = '*nat\n:PREROUTING ACCEPT [0:0]\n[9:9] -A PREROUTING -j DNAT\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n[12:3400] -A INPUT -m comment --comment plain -j DROP\nCOMMIT\n';
    expect(parseIptablesSave(text)).toEqual({ chains: ['INPUT'], rules: [{ chain: 'INPUT', spec: '-m comment --comment plain -j DROP', packets: 12, bytes: 3400, comment: 'plain', target: 'DROP' }] });
  });
});

describe('nft listings', () => {
  it('should read rules with comments, counters and verdicts, and set elements with their lifetime', () => {
    const listing = parseNftJson(fixture('nft-list-table-masquerade-run.json'));
    expect(listing.tables).toEqual([{ family: 'inet', name: 'vnf_a1d1759c2f6d' }]);
    expect(listing.chains).toEqual([{ family: 'inet', table: 'vnf_a1d1759c2f6d', name: 'forward', hook: 'forward', policy: 'accept' }]);
    expect(listing.rules.map((r) => [r.comment, r.verdict, r.packets])).toEqual([
      ['egress eth0', 'drop', 0],
      ['ingress eth0', 'drop', 0],
    ]);
    expect(listing.sets[0]?.elements.map((e) => e.value)).toEqual(['tcp', 'udp']);
    expect(listing.sets[0]?.elements.every((e) => typeof e.expires === 'number' && e.expires > 0)).toBe(true);
  });

  it('should list tables and read a table\'s comment from the text output', () => {
    expect(parseTableList(fixture('nft-list-tables-with-nat-and-run.txt'))).toEqual([
      { family: 'ip', name: 'nat' },
      { family: 'ip6', name: 'nat' },
      { family: 'ip', name: 'filter' },
      { family: 'ip6', name: 'filter' },
      { family: 'inet', name: 'vnf_a1d1759c2f6d' },
    ]);
    expect(parseTag(parseTableComment(fixture('nft-list-table-masquerade-run.txt'))!)).toMatchObject({ runId: 'rec-nft', vmi: 'ns1/vm-a' });
    expect(parseTableComment('table inet x {\n\tchain c {\n\t\tcounter comment "not the table\'s"\n\t}\n}\n')).toBeUndefined();
  });
});

describe('removalScript', () => {
  const listing = parseNftJson(fixture('nft-ruleset-two-runs-both-backends-and-foreign.json'));
  const jumpHandle = (family: string, target: string): number => listing.rules.find((r) => r.family === family && r.chain === 'FORWARD' && r.jumpTarget === target)!.handle!;

  it('should delete exactly one run\'s objects of both backends and families, jumps by handle first', () => {
    const a = runNames('run-a');
    const chain = a.chain('forward');
    expect(chain).toBe('VNF-66b1eb530fb7-FWD');
    expect(removalScript(listing, [a])).toEqual({
      text: [
        `delete rule ip filter FORWARD handle ${jumpHandle('ip', chain)}`,
        `delete rule ip6 filter FORWARD handle ${jumpHandle('ip6', chain)}`,
        `flush chain ip filter ${chain}`,
        `delete chain ip filter ${chain}`,
        `flush chain ip6 filter ${chain}`,
        `delete chain ip6 filter ${chain}`,
        `delete table inet ${a.table}`,
        '',
      ].join('\n'),
      objects: [`inet ${a.table}`, `ipv4 ${chain}`, `ipv6 ${chain}`],
    });
  });

  it('should leave the other run, the foreign rule and the NAT tables out', () => {
    const chain = runNames('run-b').chain('forward');
    const text = removalScript(listing, [runNames('run-b')]).text;
    expect(text).not.toContain('66b1eb530fb7');
    expect(text).not.toContain('nat');
    expect(listing.rules.some((r) => r.chain === 'FORWARD' && r.verdict === 'accept')).toBe(true);
    expect(text.split('\n').filter((l) => l.startsWith('delete rule'))).toEqual([
      `delete rule ip filter FORWARD handle ${jumpHandle('ip', chain)}`,
      `delete rule ip6 filter FORWARD handle ${jumpHandle('ip6', chain)}`,
    ]);
    expect(text).not.toContain('delete table');
  });

  it('should be empty for a run that is not there', () => {
    expect(removalScript(listing, [runNames('never')])).toEqual({ text: '', objects: [] });
  });

  it('should delete a built-in chain and table iptables-nft made for a jump only when nothing else is left in them', () => {
    const a = runNames('run-a');
    const b = runNames('run-b');
    // FORWARD holds run-b's jump and a foreign accept too: kept, whatever the tags say.
    expect(removalScript(listing, [a], [{ family: 'ip', chain: 'FORWARD', made: 'table' }]).text).not.toMatch(/delete (chain ip filter FORWARD|table ip filter)/);
    // Both runs gone: ip's FORWARD keeps the foreign accept, ip6's is left empty and goes.
    const both = removalScript(listing, [a, b], [
      { family: 'ip', chain: 'FORWARD', made: 'table' },
      { family: 'ip6', chain: 'FORWARD', made: 'chain' },
    ]).text;
    expect(both).not.toMatch(/delete (chain ip filter FORWARD|table ip filter)/);
    expect(both).toContain('delete chain ip6 filter FORWARD\n');
  });

  it('should delete the filter table made for a jump once it holds nothing else', () => {
    const a = runNames('run-a');
    const chain = a.chain('forward');
    const only = parseNftJson(
      JSON.stringify({
        nftables: [
          { table: { family: 'ip', name: 'filter', handle: 1 } },
          { chain: { family: 'ip', table: 'filter', name: chain, handle: 1 } },
          { chain: { family: 'ip', table: 'filter', name: 'FORWARD', handle: 2, type: 'filter', hook: 'forward', prio: 0, policy: 'accept' } },
          { rule: { family: 'ip', table: 'filter', chain: 'FORWARD', handle: 3, expr: [{ counter: { packets: 0, bytes: 0 } }, { jump: { target: chain } }] } },
        ],
      }),
    );
    expect(removalScript(only, [a], [{ family: 'ip', chain: 'FORWARD', made: 'table' }]).text).toBe(
      ['delete rule ip filter FORWARD handle 3', `flush chain ip filter ${chain}`, `delete chain ip filter ${chain}`, 'delete table ip filter', ''].join('\n'),
    );
    expect(removalScript(only, [a], [{ family: 'ip', chain: 'FORWARD', made: 'chain' }]).text).toBe(
      ['delete rule ip filter FORWARD handle 3', `flush chain ip filter ${chain}`, `delete chain ip filter ${chain}`, 'delete chain ip filter FORWARD', ''].join('\n'),
    );
    // No record: the chain and table existed before.
    expect(removalScript(only, [a]).text).not.toContain('FORWARD\n');
    expect(removalScript(only, [a]).text).not.toContain('delete table');
  });
});
