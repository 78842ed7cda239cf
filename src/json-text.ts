// Reading JSON input files the way users write them: a UTF-8 byte-order mark (what some Windows
// editors save) is dropped rather than refused as an invisible character, and a key given twice in
// one object is an error, since JSON.parse silently keeps the last one and a hardware model or spec
// would then differ from what its author reads. It runs on text JSON.parse has already accepted.

/** The text without a leading UTF-8 byte-order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

interface Frame {
  isObject: boolean;
  keys: Map<string, number>;
  expectKey: boolean;
}

/** Reads a JSON string token starting at the quote at `start`; returns its value and the index after it. */
function readString(text: string, start: number): { value: string; end: number } {
  let i = start + 1;
  while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
  return { value: JSON.parse(text.slice(start, i + 1)) as string, end: i + 1 };
}

const lineAt = (text: string, index: number): number => text.slice(0, index).split('\n').length;

/** One line per key that appears twice in the same object: the key, its line and the first one's line. */
export function duplicateKeyProblems(text: string): string[] {
  const problems: string[] = [];
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack.at(-1);
    if (c === '{' || c === '[') stack.push({ isObject: c === '{', keys: new Map(), expectKey: c === '{' });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top?.isObject) top.expectKey = true;
    else if (c === '"') {
      const { value, end } = readString(text, i);
      if (top?.isObject && top.expectKey) {
        const line = lineAt(text, i);
        const first = top.keys.get(value);
        if (first !== undefined) {
          problems.push(
            `duplicate key "${value}" at line ${line} (first at line ${first}); allowed: each key once in an object`,
          );
        } else top.keys.set(value, line);
        top.expectKey = false;
      }
      i = end - 1;
    }
  }
  return problems;
}
