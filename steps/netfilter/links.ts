/**
 * Parsing what `ip -json` prints about links and default routes (iproute2's JSON keys), pure so
 * detection can be unit-tested on recorded output.
 */

/** One network device of a namespace. */
export interface LinkRecord {
  readonly name: string;
  /** The bridge this device is a port of. */
  readonly master?: string;
  /** `linkinfo.info_kind` from `ip -d`: bridge, veth, tun, … */
  readonly kind?: string;
}

/** `ip` printed something that is not the JSON we asked for. */
export class IpOutputError extends Error {
  constructor(readonly command: string, readonly output: string) {
    super(`unexpected output of ${command}: ${output.slice(0, 200)}`);
  }
}
IpOutputError.prototype.name = 'IpOutputError';

function parseArray(command: string, json: string): Record<string, unknown>[] {
  let value: unknown;
  try {
    // `ip -j` prints nothing at all (not "[]") for an empty route table on some versions.
    value = json.trim() === '' ? [] : JSON.parse(json);
  } catch {
    throw new IpOutputError(command, json);
  }
  if (!Array.isArray(value)) throw new IpOutputError(command, json);
  return value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
}

/** The links in the output of `ip -json -details link show`. */
export function parseLinks(json: string): LinkRecord[] {
  return parseArray('ip -j -d link show', json).flatMap((l) => {
    if (typeof l.ifname !== 'string') return [];
    const info = l.linkinfo as { info_kind?: unknown } | undefined;
    return [
      {
        name: l.ifname,
        ...(typeof l.master === 'string' ? { master: l.master } : {}),
        ...(typeof info?.info_kind === 'string' ? { kind: info.info_kind } : {}),
      },
    ];
  });
}

/** The devices of the default routes in the output of `ip -json [-6] route show default`. */
export function parseDefaultRouteDevices(json: string): string[] {
  return parseArray('ip -j route show default', json).flatMap((r) => (typeof r.dev === 'string' ? [r.dev] : []));
}

/** The local addresses in the output of `ip -json addr show`, every device, both families. */
export function parseAddresses(json: string): string[] {
  return parseArray('ip -j addr show', json).flatMap((l) =>
    (Array.isArray(l.addr_info) ? (l.addr_info as unknown[]) : []).flatMap((a) => {
      const local = (a as { local?: unknown } | null)?.local;
      return typeof local === 'string' ? [local] : [];
    }),
  );
}
