// The meeting-request form's one computation: a wall time in the investor's zone to UTC.
import { test } from "node:test";
import assert from "node:assert/strict";
import { wallTimeToUTC } from "../../Sources/DialogueServer/Web/zones.js";

test("wall times in the investor's zone become UTC instants", () => {
  assert.equal(wallTimeToUTC("2027-01-15T09:00", "Asia/Tokyo"), "2027-01-15T00:00:00Z");
  assert.equal(wallTimeToUTC("2027-01-15T09:00", "Asia/Ho_Chi_Minh"), "2027-01-15T02:00:00Z");
  assert.equal(wallTimeToUTC("2027-01-15T09:00", "America/New_York"), "2027-01-15T14:00:00Z");
  assert.equal(wallTimeToUTC("2027-07-15T09:00", "America/New_York"), "2027-07-15T13:00:00Z"); // summer time
  assert.equal(wallTimeToUTC("2027-01-15T09:00", "Asia/Kathmandu"), "2027-01-15T03:15:00Z");
  assert.equal(wallTimeToUTC("not a time", "UTC"), null);
});
