// text.js's writtenLanguage (the `lang` a message is tagged with), with the cases of the
// server's WrittenLanguageTests: the two must agree.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { writtenLanguage } from "../../Sources/DialogueServer/Web/text.js";

describe("writtenLanguage", () => {
  test("a clear contradiction of scripts overrides the claimed language", () => {
    assert.equal(writtenLanguage("ヴァンドン経済区の投資優遇について説明します。", "en"), "ja");
    assert.equal(writtenLanguage("꽝닌성 산업단지의 임대료는 얼마입니까?", "ja"), "ko");
    assert.equal(writtenLanguage("广宁省的工业园区有哪些优惠政策？", "vi"), "zh");
    assert.equal(writtenLanguage("The industrial park rents land for 50 years.", "ja"), "en");
    assert.equal(writtenLanguage("Khu công nghiệp Đông Mai cho thuê đất 50 năm.", "zh"), "vi");
  });

  test("the claim stands where scripts cannot tell", () => {
    assert.equal(writtenLanguage("Le parc industriel loue des terrains.", "fr"), "fr");
    assert.equal(writtenLanguage("Khu công nghiệp", "en"), "en");
    assert.equal(writtenLanguage("経済区", "ja"), "ja");
    assert.equal(writtenLanguage("2026 — 3,5 %", "ko"), "ko");
    assert.equal(writtenLanguage("", "zh-Hant"), "zh-Hant");
  });

  test("a Japanese answer quoting an English name is Japanese", () => {
    const text = "Van Don Economic Zone（ヴァンドン経済区）は、投資家に土地を貸し出しています。";
    assert.equal(writtenLanguage(text, "ja"), "ja");
    assert.equal(writtenLanguage(text, "en"), "ja");
  });
});
