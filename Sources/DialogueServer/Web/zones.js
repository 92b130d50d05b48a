// Wall times in a time zone, for the meeting-request form: what the investor picks in their
// own zone is sent as the UTC instant it names. No imports: node's test runner loads it as is.

/** The zone's offset from UTC, in minutes, at the instant `utcMillis`. */
function offsetMinutes(zone, utcMillis) {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(utcMillis));
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  const asUTC = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return Math.round((asUTC - utcMillis) / 60000);
}

/** A `datetime-local` value read in `zone`, as an RFC 3339 UTC instant. */
export function wallTimeToUTC(value, zone) {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  // The offset at the wall time's instant, checked once more (a DST change in between).
  let utc = wall - offsetMinutes(zone, wall) * 60000;
  utc = wall - offsetMinutes(zone, utc) * 60000;
  return new Date(utc).toISOString().replace(/\.\d{3}Z$/, "Z");
}
