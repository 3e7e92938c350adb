import { describe, expect, it } from 'vitest';
import { cleanText, clipText } from '../../shared/text/clean-text.js';
import { normalizeText, tokenize } from '../../shared/text/normalize-text.js';

describe('normalizeText: each evasion maps to the plain form', () => {
  it.each([
    ['Cyrillic word with Latin look-alikes', 'kокaин', 'кокаин'],
    ['Cyrillic word, upper case, Latin K O A H', 'KOKAИH', 'кокаин'],
    ['Latin word with Cyrillic look-alikes', 'cоcаinе', 'cocaine'],
    ['Latin word, upper case, Cyrillic С and Е', 'CОCAINЕ', 'cocaine'],
    ['Latin word with one Cyrillic о', 'cоke', 'coke'],
    ['Greek look-alikes in a Latin word', 'cοcαine', 'cocaine'],
    ['zero-width joiners and spaces', 'c\u200bo\u200dk\u2060e\ufeff', 'coke'],
    ['soft hyphen and bidi marks', 'co\u00adk\u202ee', 'coke'],
    ['leet', 'c0c4in3', 'cocaine'],
    ['leet symbols', 'c@$h', 'cash'],
    ['spaced letters, wider gap between words', 'b u y  c o k e', 'buy coke'],
    ['dotted letters', 'c.o.k.e', 'coke'],
    ['dashed Cyrillic letters', 'к-о-к-с', 'кокс'],
    ['full-width letters', 'Ｂｕｙ ｃｏｋｅ', 'buy coke'],
    ['mathematical bold letters', '𝐛𝐮𝐲 𝐜𝐨𝐤𝐞', 'buy coke'],
    ['circled letters', 'ⓒⓞⓚⓔ', 'coke'],
    ['stretched letters', 'freeeeee', 'free'],
    ['accents and case', 'ÉCSTASY', 'ecstasy'],
  ])('%s: %s', (_why, input, plain) => {
    expect(normalizeText(input)).toBe(plain);
  });

  it('leaves one-script words in their script', () => {
    expect(normalizeText('Купить кокаин в Москве')).toBe('купить кокаин в москве');
    expect(normalizeText('cocaine')).toBe('cocaine');
    // Cyrillic-only look-alike letters (а, с, е, о, р) must not become Latin.
    expect(normalizeText('сорт аре')).toBe('сорт аре');
  });

  it('folds a whole look-alike word toward the script of the text around it', () => {
    // Every letter of "сосаіпе" is Cyrillic, and every one has a Latin twin: in English text it is cocaine.
    expect(normalizeText('fresh сосаіпе and mdma')).toBe('fresh cocaine and mdma');
    // All letters ambiguous and mixed: the text decides (й folds to и with the other accents).
    expect(normalizeText('fresh сосаіne today')).toBe('fresh cocaine today');
    expect(normalizeText('свежий сосаіne сегодня')).toBe('свежии сосаіпе сегодня');
    // A Latin brand inside Russian text stays Latin.
    expect(normalizeText('продам iphone дешево')).toBe('продам iphone дешево');
  });

  it('uses Cyrillic leet inside Cyrillic words', () => {
    expect(normalizeText('3акладки')).toBe('закладки');
    expect(normalizeText('к0кс')).toBe('кокс');
  });

  it('replaces URLs, handles, e-mails and numbers by markers that keep their shape', () => {
    expect(tokenize('see https://www.shop.example.ru/coke_msk?x=1')).toEqual(['see', '<url>', 'shop.example.ru', 'example.ru', 'shop', 'example', 'coke', 'msk']);
    expect(tokenize('t.me/weed_bot')).toEqual(['<url>', 't.me', 'weed', 'bot']);
    expect(tokenize('t.me/vid3o_l0gin')).toEqual(['<url>', 't.me', 'video', 'login']);
    expect(tokenize('@coke_dealer')).toEqual(['<handle>', 'coke', 'dealer']);
    expect(tokenize('mail john.doe@gmail.com')).toEqual(['mail', '<email>', 'gmail.com', 'gmail']);
    expect(tokenize('call +7 999 123-45-67 or 89991234567 for 500$ 100g 2024')).toEqual(['call', '<phone>', 'or', '<phone>', 'for', '<num>', '$', '<num>', 'g', '<num>']);
    expect(tokenize('123456')).toEqual(['<longnum>']);
  });

  it('drops punctuation at the edges of a word, keeps emoji and links, and folds the word as if it stood alone', () => {
    expect(tokenize('«Привет», (world)! end. — ok?')).toEqual(['привет', 'world', 'end', 'ok']);
    expect(tokenize('heyyy, cоke. kокаин;')).toEqual(tokenize('heyyy cоke kокаин'));
    expect(tokenize('hello🔥, “t.me/weed_bot”, shop.com.')).toEqual(['hello', '🔥', '<url>', 't.me', 'weed', 'bot', '<url>', 'shop.com', 'shop']);
    expect(tokenize("don't, c0ke, wow!")).toEqual(['dont', 'coke', 'wow']);
    // One letter between punctuation may be one of s p a c e d letters.
    expect(tokenize('b, u, y, c, o, k, e')).toEqual(tokenize('b u y c o k e'));
  });

  it('folds Arabic-Indic and Persian digits and letter variants', () => {
    expect(tokenize('٣٠٠ ۳۰۰')).toEqual(['<num>', '<num>']);
    expect(cleanText('ی ک')).toBe('ي ك');
    expect(cleanText('می\u200cخواهم')).toBe('ميخواهم');
  });

  it('keeps emoji as tokens and drops variation selectors', () => {
    expect(tokenize('gras ❄️💊')).toEqual(['gras', '❄', '💊']);
  });

  it('keeps Korean syllables intact and composes jamo written one by one', () => {
    expect(normalizeText('마약 팝니다')).toBe('마약 팝니다');
    expect(normalizeText('ㅋㅗㅋㅏㅇㅣㄴ')).toBe('코카인');
    expect(normalizeText('ㅁㅏㅇㅑㄱ ㅍㅏㅂㄴㅣㄷㅏ')).toBe('마약 팝니다');
    // Initial-consonant abbreviations have no vowels to compose with: they stay jamo (NFKD's leads).
    expect(normalizeText('ㅈㄱㅁㄴ')).toBe('\u110c\u1100\u1106\u1102');
  });

  it('drops the invisible Hangul fillers without touching the rest of the text', () => {
    // A filler is itself jamo-range but folds away; it must not set off composition elsewhere.
    for (const filler of ['\u115f', '\u1160', '\u3164']) {
      expect(normalizeText(`\u0b92\u0bd7 hello ${filler}`)).toBe(normalizeText('\u0b92\u0bd7 hello'));
      expect(normalizeText(`마${filler}약`)).toBe('마약');
    }
  });

  it('clips long texts to head and tail', () => {
    const text = `${'a'.repeat(100)}PAYLOAD`;
    const clipped = clipText(text, 30);
    expect(clipped.length).toBe(30);
    expect(clipped.endsWith('PAYLOAD')).toBe(true);
    expect(clipped.startsWith('a'.repeat(20))).toBe(true);
  });
});

describe('tokenize: scripts written without spaces, and vowel signs', () => {
  it('keeps Indic vowel signs and viramas in their words, and reads precomposed and spelled-out letters alike', () => {
    expect(tokenize('कोकीन बेचना है')).toEqual(['कोकीन', 'बेचना', 'है']);
    expect(tokenize('বিনামূল্যে বিটকয়েন')).toEqual(['বিনামূল্যে', 'বিটকয়েন']);
    // Bengali ো (U+09CB) is ে + া; Devanagari क़ (U+0958) is क + ़.
    expect(tokenize('\u09cb \u0958')).toEqual(tokenize('\u09c7\u09be \u0915\u093c'));
  });

  it('reads the digits of every script as numbers', () => {
    expect(tokenize('५०० रुपये ৫০০ টাকা ๕๐๐ บาท ٥٠٠ ۵۰۰')).toEqual(['<num>', 'रुपये', '<num>', 'টাকা', '<num>', 'บาท', '<num>', '<num>']);
    expect(tokenize('कॉल ९८७६५४३२१०')).toEqual(tokenize('कॉल 9876543210'));
  });

  it('cuts Chinese and Japanese into character bigrams and single ideographs, leaving Latin words and numbers between them whole', () => {
    expect(tokenize('出售冰毒，货到付款')).toEqual(['出售', '售冰', '冰毒', '出', '售', '冰', '毒', '货到', '到付', '付款', '货', '到', '付', '款']);
    expect(tokenize('出售iPhone15全新')).toEqual(['出售', '出', '售', 'iphone', '<num>', '全新', '全', '新']);
    expect(tokenize('毒 ハイ')).toEqual(['毒', 'ハイ']);
    // Kana alone mean nothing: only the ideographs of a mixed run stand alone.
    expect(tokenize('高額報酬！バイト')).toEqual(['高額', '額報', '報酬', '高', '額', '報', '酬', 'ハイ', 'イト']);
    expect(tokenize('出 售 冰 毒')).toEqual(tokenize('出售冰毒'));
    // Half-width katakana read as full-width.
    expect(tokenize('ｱｲｽ')).toEqual(tokenize('アイス'));
  });

  it('cuts long Thai runs into pieces that never start with a vowel or tone mark', () => {
    const run = 'ขายยาบ้าส่งฟรีทั่วประเทศติดต่อไลน์ไอดีด้านล่างนี้เลยครับ';
    const pieces = tokenize(run);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(run);
    for (const p of pieces) {
      expect(p.length).toBeLessThanOrEqual(24);
      expect(p).not.toMatch(/^\p{M}/u);
    }
    expect(tokenize('ส่งฟรี')).toEqual(['ส่งฟรี']);
  });
});
