import { alliance105 } from '../../domain/calls';
import { Call } from '../../domain/call';
import { compressedCall, startingNow, tryOutCalendars } from '../../client/compressed-call';

describe('calls that start now, for trying the service', () => {
  it('moves the whole calendar by one amount: every interval of the file is kept', () => {
    const opens = Date.parse('2027-07-11T01:00:00.000Z');
    const moved = Call.parse(startingNow(alliance105, opens, 'alliance-116'));
    const shift = opens - Date.parse(alliance105.calendar.applicationWindow.opens);
    expect(moved.id).toBe('alliance-116');
    expect(Date.parse(moved.calendar.applicationWindow.opens)).toBe(opens);
    expect(Date.parse(moved.calendar.endorsementDeadline) - Date.parse(alliance105.calendar.endorsementDeadline)).toBe(shift);
    expect(Date.parse(moved.calendar.siteVisitWindow.closes) - Date.parse(alliance105.calendar.siteVisitWindow.closes)).toBe(shift);
    expect(moved.policy).toEqual(alliance105.policy);
  });

  it('compresses to a named calendar that the schema accepts, deadlines seconds apart', () => {
    for (const times of Object.values(tryOutCalendars)) {
      const call = Call.parse(compressedCall(alliance105, Date.now(), times, 'try'));
      expect(Date.parse(call.calendar.endorsementDeadline)).toBeGreaterThan(Date.parse(call.calendar.applicationWindow.closes));
    }
  });
});
