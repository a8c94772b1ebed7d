// xsd:dateTime as vSphere sends it ('2010-04-05T12:13:55.316789+02:00') to seconds since the
// epoch, with libvirt's rules (esxVI_DateTime_ConvertToCalendarTime): fractional seconds are
// dropped, a missing zone means UTC, and a negative year maps to 0 (time_t starts in 1970).
import { ConversionError } from '../domain/errors.js';

const DATE_TIME = /^(\d{4,})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{1,2}:\d{2})?$/;

export function dateTimeToEpoch(value: string): number {
  if (value.startsWith('-')) return 0;
  const m = DATE_TIME.exec(value);
  if (!m) throw new ConversionError('invalid-arg', `xsd:dateTime value '${value}' has unexpected format`);
  const [, year, month, day, hour, minute, second, , zone] = m;
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = fields;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    throw new ConversionError('invalid-arg', `xsd:dateTime value '${value}' has unexpected format`);
  }
  let offset = 0;
  if (zone !== undefined && zone !== 'Z') {
    const [hours, minutes] = zone.slice(1).split(':').map(Number) as [number, number];
    offset = (hours * 60 + minutes) * 60 * (zone.startsWith('-') ? -1 : 1);
  }
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear keeps them as given.
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  if (y < 100) date.setUTCFullYear(y, mo - 1, d);
  return Math.floor(date.getTime() / 1000) - offset;
}
