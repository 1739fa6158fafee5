import { Call } from '../../domain/call';
import call105 from '../../domain/calls/alliance-105.json';
import { alliance105 } from '../../domain/calls';
import { addDuration, parseDuration, subtractDuration } from '../../domain/duration';
import { formatRocDate, formatRocDateChinese, Instant, parseRocDate, rocYearOf } from '../../domain/roc-date';

describe('the call of ROC year 105', () => {
  it('validates, with its deadlines at 17:00 Taipei time', () => {
    expect(Call.safeParse(call105).success).toBe(true);
    expect(alliance105.calendar.applicationWindow.closes).toBe('2016-09-12T09:00:00.000Z');
    expect(alliance105.calendar.endorsementDeadline).toBe('2016-09-19T09:00:00.000Z');
    expect(alliance105.calendar.firstProjectYearStarts).toBe('2017-01-31T16:00:00.000Z');
    expect(alliance105.policy.yearlyCapNtd).toBe(3_000_000);
  });

  it('refuses a calendar whose endorsement deadline comes before applications close', () => {
    const bad = structuredClone(call105);
    bad.calendar.endorsementDeadline = '105.09.01 17:00';
    const result = Call.safeParse(bad);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/applicationWindow.closes to come before/);
  });

  it('derives the first tranche windows of the 105 call from the policy too', () => {
    const start = alliance105.calendar.firstProjectYearStarts;
    const [first, second] = alliance105.policy.trancheWindows;
    expect(addDuration(start, first!.closesAfter).toISOString()).toBe(alliance105.calendar.firstYearTrancheWindows[0]!.closes);
    expect(addDuration(start, second!.opensAfter).toISOString()).toBe(alliance105.calendar.firstYearTrancheWindows[1]!.opens);
    expect(addDuration(start, second!.closesAfter).toISOString()).toBe(alliance105.calendar.firstYearTrancheWindows[1]!.closes);
  });
});

describe('ROC dates', () => {
  it.each([
    ['105.09.12', '2016-09-11T16:00:00.000Z'],
    ['105.09.12 17:00', '2016-09-12T09:00:00.000Z'],
    ['105年9月12日', '2016-09-11T16:00:00.000Z'],
    ['105年9月19日下午5時', '2016-09-19T09:00:00.000Z'],
    ['105.10.31 24:00', '2016-10-31T16:00:00.000Z'],
  ])('parses %s', (text, iso) => expect(parseRocDate(text).toISOString()).toBe(iso));

  it.each(['2016-09-12', '105.02.30', '105.09.12 25:00', '105/09/12'])('refuses %s with what to write instead', (text) => {
    expect(() => parseRocDate(text)).toThrow(/ROC date|no such day/);
  });

  it('formats both ways and round-trips', () => {
    const deadline = '2016-09-12T09:00:00.000Z';
    expect(formatRocDate(deadline)).toBe('105.09.12 17:00');
    expect(formatRocDateChinese(deadline)).toBe('105年9月12日下午5時');
    expect(formatRocDate('2016-09-11T16:00:00.000Z')).toBe('105.09.12');
    // A compressed call's deadlines seconds apart print apart.
    expect(formatRocDate('2016-09-12T09:00:30.000Z')).toBe('105.09.12 17:00:30');
    expect(formatRocDate('2016-09-12T09:00:40.000Z', { withTime: true })).toBe('105.09.12 17:00:40');
    expect(parseRocDate(formatRocDateChinese(deadline)).toISOString()).toBe(deadline);
    expect(rocYearOf('2017-01-31T16:00:00.000Z')).toBe(106);
  });

  it('accepts ISO instants with an offset in data files and refuses bare dates', () => {
    expect(Instant.parse('2016-09-12T17:00:00+08:00')).toBe('2016-09-12T09:00:00.000Z');
    expect(Instant.safeParse('2016-09-12').success).toBe(false);
  });
});

describe('ISO-8601 durations', () => {
  it('reads calendar and clock parts, down to seconds', () => {
    expect(parseDuration('P1Y2M3DT4H5M6S')).toEqual({ years: 1, months: 2, weeks: 0, days: 3, hours: 4, minutes: 5, seconds: 6 });
    expect(parseDuration('PT5S').seconds).toBe(5);
    expect(() => parseDuration('3 months')).toThrow(/ISO-8601/);
  });

  it('adds months on the Taipei calendar, clamping to the month end', () => {
    const yearEnd = '2018-01-31T16:00:00.000Z'; // 107.02.01 00:00, end of project year 1 of a 106 start
    expect(formatRocDate(subtractDuration(yearEnd, 'P3M'))).toBe('106.11.01');
    expect(formatRocDate(addDuration(parseRocDate('106.01.31'), 'P1M'))).toBe('106.02.28');
    expect(addDuration('2016-01-01T00:00:00.000Z', 'PT5S').toISOString()).toBe('2016-01-01T00:00:05.000Z');
  });
});
