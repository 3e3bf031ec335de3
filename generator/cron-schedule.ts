/**
 * CronWorkflow schedules and time zones, checked before anything is rendered.
 *
 * Argo's CronWorkflow and Kubernetes' CronJob parse schedules with robfig/cron's
 * `ParseStandard`: five fields (minute hour day-of-month month day-of-week) with lists, ranges,
 * steps, `*`, `?` and the names JAN–DEC, SUN–SAT, or a descriptor (`@yearly`, `@annually`,
 * `@monthly`, `@weekly`, `@daily`, `@midnight`, `@hourly`, `@every <duration>`). The fields are
 * checked with `cron-parser` (a well-kept parser with wider syntax); what it accepts but robfig
 * refuses (a seconds field, `L`, `W`, `#`, day-of-week 7) is refused here first, so a schedule
 * that passes here also passes Argo.
 */
import { CronExpressionParser } from 'cron-parser';

/** The schedule or time zone cannot be used; the message says why. */
export class ScheduleError extends Error {}
ScheduleError.prototype.name = 'ScheduleError';

const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const FIELDS = ['minute', 'hour', 'day-of-month', 'month', 'day-of-week'] as const;
const RANGES = ['0-59', '0-23', '1-31', '1-12 or JAN-DEC', '0-6 or SUN-SAT'];
/** Go's time.ParseDuration units, as robfig's `@every` reads them. */
const GO_DURATION = /^(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/;
const GO_UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

function goDurationSeconds(text: string): number {
  let total = 0;
  for (const [, number, unit] of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(number) * GO_UNIT_SECONDS[unit!]!;
  return total;
}

/** Why robfig refuses one field that cron-parser would accept, or undefined. */
function robfigOnlyProblem(field: string, index: number): string | undefined {
  if (/[LW#]/i.test(field.replace(/[A-Z]{3}/gi, (name) => (/^(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT)$/i.test(name) ? '' : name)))) {
    return 'L, W and # are not part of the cron Argo and Kubernetes read';
  }
  if (index === 4 && /(^|[,-])7($|[,/-])/.test(field)) return '7 is not a day of the week here (0-6 or SUN-SAT; Sunday is 0)';
  return undefined;
}

/** cron-parser's words → ours, for one field. */
function fieldProblem(message: string, field: string, index: number): string {
  const range = /got value (\S+) expected range/.exec(message);
  if (range) return `${range[1]} is out of range ${RANGES[index]}`;
  if (/Invalid characters/.test(message)) return `"${field}" is not a number, a name, *, ?, a list, a range or a step`;
  return `"${field}" is not a valid ${FIELDS[index]} (${RANGES[index]}, with lists, ranges and steps)`;
}

/**
 * The schedule, trimmed, when Argo's and Kubernetes' cron accept it.
 * @throws ScheduleError naming the field at fault and the accepted range.
 */
export function checkCronSchedule(schedule: string): string {
  const text = schedule.trim().replace(/\s+/g, ' ');
  const fail = (why: string): never => {
    throw new ScheduleError(`--schedule "${schedule}": ${why}`);
  };
  if (/^(CRON_)?TZ=/.test(text)) fail('give the time zone with --timezone, not in the schedule');
  if (text.startsWith('@')) {
    const [descriptor, ...rest] = text.split(' ');
    if (descriptor === '@every') {
      const duration = rest.join(' ');
      if (rest.length !== 1 || !GO_DURATION.test(duration)) fail('@every takes one duration such as 90m, 1h30m or 24h');
      if (goDurationSeconds(duration) < 1) fail('@every needs a duration of at least 1s');
      return text;
    }
    if (!DESCRIPTORS.includes(descriptor!) || rest.length > 0) fail(`unknown descriptor; use one of ${DESCRIPTORS.join(', ')} or @every <duration>`);
    return text;
  }
  const fields = text.split(' ');
  if (fields.length !== 5) {
    fail(`has ${fields.length} field${fields.length === 1 ? '' : 's'}; a cron schedule has five (minute hour day-of-month month day-of-week), or is a descriptor such as @daily`);
  }
  const problems: string[] = [];
  fields.forEach((field, index) => {
    const robfig = robfigOnlyProblem(field, index);
    if (robfig) {
      problems.push(`${FIELDS[index]} "${field}": ${robfig}`);
      return;
    }
    // Each field alone, the others "*", so the message names the field at fault.
    const alone = FIELDS.map((_, i) => (i === index ? field : '*')).join(' ');
    try {
      CronExpressionParser.parse(alone);
    } catch (e) {
      problems.push(`${FIELDS[index]} ${fieldProblem((e as Error).message, field, index)}`);
    }
  });
  if (problems.length > 0) fail(problems.join('; '));
  try {
    CronExpressionParser.parse(text);
  } catch {
    // Every field is valid alone: the day of the month never occurs in the months given.
    fail(`day-of-month ${fields[2]} never occurs in month ${fields[3]}, so it would never run`);
  }
  return text;
}

/**
 * The time zone, when it is an IANA name Argo (Go's time.LoadLocation) can load: checked with
 * Intl, case included (the tz database's file names are case-sensitive).
 * @throws ScheduleError with the correctly spelt name when only the case differs.
 */
export function checkTimeZone(zone: string): string {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new ScheduleError(`--timezone "${zone}" is not an IANA time zone name, e.g. Europe/Paris, America/New_York or UTC`);
  }
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) {
    throw new ScheduleError(`--timezone "${zone}" is not an IANA time zone name, e.g. Europe/Paris, America/New_York or UTC`);
  }
  // Intl folds case ("europe/paris" → "Europe/Paris"); Go on Linux reads the file by name.
  if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()) {
    throw new ScheduleError(`--timezone "${zone}": time zone names are case-sensitive; did you mean "${resolved}"?`);
  }
  return zone;
}
