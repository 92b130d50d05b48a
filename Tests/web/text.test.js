// text.js's writtenLanguage (the `lang` a text is tagged with), over the cases the server's
// WrittenLanguageTests reads too (written-language.json): the two must agree.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { writtenLanguage } from "../../Sources/DialogueServer/Web/text.js";

const { cases } = JSON.parse(readFileSync(new URL("./written-language.json", import.meta.url), "utf8"));

describe("writtenLanguage", () => {
  test("the shared cases are there", () => assert.ok(cases.length >= 10));
  for (const example of cases) {
    test(example.why, () => assert.equal(writtenLanguage(example.text, example.claimed), example.written));
  }
});
