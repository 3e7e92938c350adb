/**
 * Regexes from rule lists run on every item, so their cost must be bounded. JavaScript's engine
 * backtracks; the patterns that make it explode are nested quantifiers ((a+)+), quantified
 * groups that can match the empty string, backreferences and lookarounds. Those are refused at
 * load time, patterns are length-capped, and matching reads a capped prefix of the text.
 */
export class UnsafeRegexError extends Error {
  override readonly name = 'UnsafeRegexError';
}

export const MAX_PATTERN_LENGTH = 500;
export const MAX_MATCH_INPUT = 16_384;

export function compileSafeRegex(pattern: string, flags = 'iu'): RegExp {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new UnsafeRegexError(`pattern longer than ${MAX_PATTERN_LENGTH} characters`);
  if (/\\[1-9]|\\k</.test(pattern)) throw new UnsafeRegexError('backreferences are not allowed');
  if (/\(\?<?[=!]/.test(pattern)) throw new UnsafeRegexError('lookarounds are not allowed');
  if (!/^[imsu]*$/.test(flags)) throw new UnsafeRegexError(`flags ${flags} not allowed (use i, m, s, u)`);
  checkStarHeight(pattern);
  try {
    return new RegExp(pattern, flags.includes('u') ? flags : `${flags}u`);
  } catch (e) {
    throw new UnsafeRegexError(`invalid pattern: ${(e as Error).message}`);
  }
}

const QUANT = /^(?:[*+?]|\{\d+(?:,\d*)?\})/;

/** Refuses a quantifier on a group that itself contains a quantifier (star height > 1). */
function checkStarHeight(p: string): void {
  const stack: { quantified: boolean }[] = [{ quantified: false }];
  let inClass = false;
  for (let i = 0; i < p.length; i++) {
    const ch = p[i];
    if (ch === '\\') {
      i++;
      const q = QUANT.exec(p.slice(i + 1));
      if (q) stack[stack.length - 1]!.quantified = true;
      continue;
    }
    if (inClass) {
      if (ch === ']') {
        inClass = false;
        if (QUANT.exec(p.slice(i + 1))) stack[stack.length - 1]!.quantified = true;
      }
      continue;
    }
    if (ch === '[') inClass = true;
    else if (ch === '(') stack.push({ quantified: false });
    else if (ch === ')') {
      const inner = stack.pop();
      if (!inner || stack.length === 0) throw new UnsafeRegexError('unbalanced parentheses');
      const q = QUANT.exec(p.slice(i + 1));
      if (q && inner.quantified) throw new UnsafeRegexError('nested quantifiers (a quantified group containing a quantifier) are not allowed');
      if (q || inner.quantified) stack[stack.length - 1]!.quantified = true;
    } else if (QUANT.test(p.slice(i, i + 1)) && i > 0) {
      stack[stack.length - 1]!.quantified = true;
    }
  }
  if (stack.length !== 1) throw new UnsafeRegexError('unbalanced parentheses');
}
