/**
 * The scenario model: one zod schema with the defaults of krkn's scenario documentation.
 * Values may arrive as YAML values or as krknctl/krkn-hub strings; the coercers turn the latter
 * into typed values first. Messages complete the sentence "<key>: …".
 */
import { z } from 'zod';
import { coerceBoolean, coerceInteger, coerceIntegerList, coerceList, show } from './coerce.js';
import { OTHER_KRKN_NETWORK_IDS, SCENARIO_ID } from './keys.js';
import { parseLabelSelector } from './label-selector.js';
import {
  ifnameProblem,
  imageProblem,
  regexProblem,
  serviceAccountProblem,
  taintProblem,
  templateExpressionProblem,
} from './validators.js';

/** krkn's default image; it stands for "the step image of this tool". */
export const KRKN_DEFAULT_IMAGE = 'quay.io/krkn-chaos/krkn-network-chaos:latest';
/** The image the generated steps run by default (built from this repository's Dockerfile). */
export const DEFAULT_IMAGE = 'ghcr.io/vmi-network-filter/vmi-network-filter:0.1.0';

export const PROTOCOLS = ['tcp', 'udp'] as const;
export type Protocol = (typeof PROTOCOLS)[number];
export const EXECUTIONS = ['serial', 'parallel'] as const;
export type Execution = (typeof EXECUTIONS)[number];
export const ONSETS = ['immediate', 'synchronized'] as const;
export type Onset = (typeof ONSETS)[number];
/**
 * The most a synchronized start may lie ahead of select: the inject fan-out waits for it, and the
 * engines' bounds on that pod leave this much room.
 */
export const MAX_ARM_BUDGET = 300;

type Check = (value: string) => string | undefined;

/** A string that passes `checks` and can never carry a workflow-engine expression. */
function text(checks: Check[] = []) {
  return z.string({ error: (issue) => `must be a string, not ${show(issue.input)}` }).superRefine((value, ctx) => {
    for (const check of [templateExpressionProblem, ...checks]) {
      const problem = check(value);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return;
      }
    }
  });
}

function integer(min: number) {
  return z.preprocess(
    coerceInteger,
    z
      .number({ error: (issue) => `must be an integer >= ${min}, not ${show(issue.input)}` })
      .int({ error: (issue) => `must be an integer >= ${min}, not ${show(issue.input)}` })
      .min(min, { error: (issue) => `must be an integer >= ${min}, not ${show(issue.input)}` }),
  );
}

function boolean() {
  return z.preprocess(
    coerceBoolean,
    z.boolean({ error: (issue) => `must be true or false, not ${show(issue.input)}` }),
  );
}

function list<T extends z.ZodType>(item: T) {
  return z.preprocess(
    coerceList,
    z.array(item, { error: (issue) => `must be a list or a comma-separated string, not ${show(issue.input)}` }),
  );
}

const port = z
  .number({ error: (issue) => `${show(issue.input)} is not a port; ports are integers from 1 to 65535` })
  .int({ error: (issue) => `${show(issue.input)} is not a port; ports are integers from 1 to 65535` })
  .min(1, { error: (issue) => `${show(issue.input)} is not a port; ports are integers from 1 to 65535` })
  .max(65535, { error: (issue) => `${show(issue.input)} is not a port; ports are integers from 1 to 65535` });

const protocol = z.enum(PROTOCOLS, {
  error: (issue) => `${show(issue.input)} is not a protocol; use tcp, udp or tcp,udp`,
});

function labelSelectorProblem(selector: string): string | undefined {
  try {
    parseLabelSelector(selector);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export const scenarioSchema = z.strictObject({
  id: z
    .literal(SCENARIO_ID, {
      error: (issue) =>
        OTHER_KRKN_NETWORK_IDS.includes(issue.input as string)
          ? `${show(issue.input)} is another krkn scenario, which this tool does not run; it runs "${SCENARIO_ID}" scenarios only (leave the others to krkn, in a file of their own)`
          : `unknown scenario id ${show(issue.input)}; this tool runs "${SCENARIO_ID}" scenarios only`,
    })
    .default(SCENARIO_ID),
  test_duration: integer(1).default(120),
  namespace: text([(v) => (v.trim() === '' ? 'must not be empty: name the namespace (or a regex of namespaces) of the target VMIs' : undefined), regexProblem]),
  target: text([regexProblem]).default('.*'),
  label_selector: text([labelSelectorProblem]).default(''),
  instance_count: integer(0).default(1),
  execution: z
    .enum(EXECUTIONS, { error: (issue) => `must be serial or parallel, not ${show(issue.input)}` })
    .default('serial'),
  ingress: boolean().default(true),
  egress: boolean().default(true),
  interfaces: list(text([ifnameProblem])).default([]),
  ports: z
    .preprocess(
      coerceIntegerList,
      z.array(port, { error: (issue) => `must be a list of ports or a comma-separated string, not ${show(issue.input)}` }),
    )
    .default([]),
  protocols: list(protocol)
    .refine((v) => v.length > 0, { error: 'must name at least one protocol: tcp, udp or tcp,udp' })
    .default(['tcp', 'udp']),
  image: text([imageProblem]).default(DEFAULT_IMAGE),
  taints: list(text([taintProblem])).default([]),
  service_account: text([serviceAccountProblem]).default(''),
  wait_duration: integer(0).default(300),
  expiry_grace: integer(1).default(60),
  onset: z
    .enum(ONSETS, { error: (issue) => `must be immediate or synchronized, not ${show(issue.input)}` })
    .default('immediate'),
  arm_budget: integer(0)
    .refine((v) => v <= MAX_ARM_BUDGET, { error: (issue) => `must be at most ${MAX_ARM_BUDGET} (seconds from select to the start), not ${show(issue.input)}` })
    .default(0),
});

/** A validated, normalized scenario. */
export type Scenario = z.output<typeof scenarioSchema>;

/** Post-parse normalization: krkn's image means ours; lists lose duplicates, keeping order. */
export function normalize(scenario: Scenario): Scenario {
  const unique = <T>(items: readonly T[]): T[] => [...new Set(items)];
  return {
    ...scenario,
    image: scenario.image === KRKN_DEFAULT_IMAGE ? DEFAULT_IMAGE : scenario.image,
    interfaces: unique(scenario.interfaces),
    ports: unique(scenario.ports),
    protocols: unique(scenario.protocols),
    taints: unique(scenario.taints),
  };
}
