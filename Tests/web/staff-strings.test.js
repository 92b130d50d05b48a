// The staff pages' words (console, review, barometer) in the six interface languages: every
// language has every English key, nothing more, and the same {placeholders}.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, test } from "node:test";

const WEB = new URL("../../Sources/DialogueServer/Web/", import.meta.url);

/** A page's English and Vietnamese tables: its module without the imports of the others
 *  (absolute paths a browser resolves, node does not). */
async function ownTables(file) {
  const source = readFileSync(new URL(file, WEB), "utf8")
    .replace(/^import .*$/gm, "")
    .replace(/^\s+(fr|ja|ko|zh): \w+\.\w+,$/gm, "");
  const { STRINGS } = await import("data:text/javascript," + encodeURIComponent(source));
  return STRINGS;
}

const placeholders = (text) => [...String(text).matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

const PAGES = [
  ["console-strings.js", "consolePage"],
  ["review-strings.js", "reviewPage"],
  ["barometer-strings.js", "barometerPage"],
];

describe("staff pages in six languages", () => {
  for (const [file, exported] of PAGES) {
    test(`${file}: every language has the English keys and placeholders`, async () => {
      const own = await ownTables(file);
      const tables = { vi: own.vi };
      for (const lang of ["fr", "ja", "ko", "zh"]) {
        tables[lang] = (await import(new URL(`staff-${lang}.js`, WEB)))[exported];
      }
      const keys = Object.keys(own.en).sort();
      for (const [lang, table] of Object.entries(tables)) {
        assert.deepEqual(Object.keys(table).sort(), keys, `${file} ${lang}: keys differ from English`);
        for (const key of keys) {
          assert.equal(typeof table[key], "string", `${file} ${lang}.${key}`);
          assert.ok(table[key].trim(), `${file} ${lang}.${key} is empty`);
          assert.deepEqual(placeholders(table[key]), placeholders(own.en[key]), `${file} ${lang}.${key}: placeholders`);
        }
      }
    });
  }
});

test("no page calls the officer \"đồng chí\" (an agency says \"cán bộ\")", () => {
  for (const name of readdirSync(WEB)) {
    if (!/\.(js|html)$/.test(name)) continue;
    const text = readFileSync(new URL(name, WEB), "utf8").normalize("NFC").toLowerCase();
    assert.ok(!text.includes("đồng chí".normalize("NFC")), `${name} says "đồng chí"`);
  }
});
