/**
 * `generate argo --kind CronWorkflow --schedule … --timezone …`: schedules as Argo's and
 * Kubernetes' cron (robfig/cron, standard parser) read them, refused with the field at fault.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkCronSchedule, checkTimeZone } from '../../generator/cron-schedule.js';
import { cli } from './run-cli.js';

const cron = (...args: string[]) => cli(['generate', 'argo', '--namespace', 'demo', '--kind', 'CronWorkflow', ...args]);

describe('--schedule', () => {
  it.each([
    '0 3 * * 1',
    '@daily',
    '@hourly',
    '@weekly',
    '@monthly',
    '@yearly',
    '@annually',
    '@midnight',
    '@every 1h30m',
    '0 3 * * MON-FRI',
    '*/15 9-17 * JAN,jul *',
    '5/10 * ? * sun',
    '0 0 1-31/2 * 0-6',
  ])('should accept %j, as Argo does', (schedule) => {
    const r = cron('--schedule', schedule);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(parse(r.stdout).spec.schedules).toEqual([schedule]);
  });

  it.each([
    ['61 3 * * 1', 'minute 61 is out of range 0-59'],
    ['0 24 * * *', 'hour 24 is out of range 0-23'],
    ['0 0 0 * *', 'day-of-month 0 is out of range 1-31'],
    ['0 0 * 13 *', 'month 13 is out of range 1-12 or JAN-DEC'],
    ['0 0 * * 7', 'day-of-week "7": 7 is not a day of the week here (0-6 or SUN-SAT; Sunday is 0)'],
    ['0 0 L * *', 'day-of-month "L": L, W and # are not part of the cron Argo and Kubernetes read'],
    ['0 0 * * MON#2', 'day-of-week "MON#2": L, W and # are not part of the cron Argo and Kubernetes read'],
    ['0 0 31 2 *', 'day-of-month 31 never occurs in month 2, so it would never run'],
    ['0 3 * *', 'has 4 fields; a cron schedule has five (minute hour day-of-month month day-of-week), or is a descriptor such as @daily'],
    ['0 0 3 * * *', 'has 6 fields; a cron schedule has five (minute hour day-of-month month day-of-week), or is a descriptor such as @daily'],
    ['@fortnightly', 'unknown descriptor; use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>'],
    ['@every often', '@every takes one duration such as 90m, 1h30m or 24h'],
    ['@every 500ms', '@every needs a duration of at least 1s'],
    ['CRON_TZ=Europe/Paris 0 3 * * *', 'give the time zone with --timezone, not in the schedule'],
    ['x 3 * * *', 'minute "x" is not a number, a name, *, ?, a list, a range or a step'],
  ])('should refuse %j with exit 2, naming the field', (schedule, why) => {
    expect(cron('--schedule', schedule)).toEqual({ code: 2, stdout: '', stderr: `error: --schedule "${schedule}": ${why}\n` });
  });

  it('should list every bad field at once', () => {
    expect(() => checkCronSchedule('61 25 * * *')).toThrow('--schedule "61 25 * * *": minute 61 is out of range 0-59; hour 25 is out of range 0-23');
  });
});

describe('--timezone', () => {
  it("should render an IANA zone as the CronWorkflow's spec.timezone", () => {
    const r = cron('--schedule', '@daily', '--timezone', 'Europe/Paris');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(parse(r.stdout).spec).toMatchObject({ schedules: ['@daily'], timezone: 'Europe/Paris' });
    expect(parse(cron('--schedule', '@daily').stdout).spec.timezone).toBeUndefined();
  });

  it.each([
    [['--schedule', '@daily', '--timezone', 'Mars/Olympus'], 'error: --timezone "Mars/Olympus" is not an IANA time zone name, e.g. Europe/Paris, America/New_York or UTC\n'],
    [['--schedule', '@daily', '--timezone', 'europe/paris'], 'error: --timezone "europe/paris": time zone names are case-sensitive; did you mean "Europe/Paris"?\n'],
  ])('should refuse %j with exit 2', (args, stderr) => {
    expect(cron(...args)).toEqual({ code: 2, stdout: '', stderr });
  });

  it('should refuse --timezone on other kinds', () => {
    expect(cli(['generate', 'argo', '--namespace', 'demo', '--timezone', 'UTC'])).toEqual({ code: 2, stdout: '', stderr: 'error: --timezone applies to --kind CronWorkflow only\n' });
  });

  it('should accept UTC and the tz database links', () => {
    expect(checkTimeZone('UTC')).toBe('UTC');
    expect(checkTimeZone('America/Argentina/Buenos_Aires')).toBe('America/Argentina/Buenos_Aires');
  });
});
