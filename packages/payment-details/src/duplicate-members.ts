/*
 * JSON.parse keeps the last of two members with one name; another reader (the TPP's logs, an auditor's
 * tool) may keep the first. Authorization details the customer approves must read one way only
 * (RFC 8259 §4: names "SHOULD be unique"), so a duplicate is refused. Hand-written: the input is
 * already known to be JSON and at most MAX_AUTHORIZATION_DETAILS_BYTES, and no maintained parser we use
 * reports duplicates.
 */

/** Whether some object in `json` (valid JSON) has a member name twice. */
export function hasDuplicateMember(json: string): boolean {
  // One set of names per open object; null for an open array.
  const open: (Set<string> | null)[] = [];
  let expectName = false;
  for (let index = 0; index < json.length; index += 1) {
    const char = json[index];
    if (char === '"') {
      const end = stringEnd(json, index);
      const top = open.at(-1);
      if (expectName && top) {
        const name = JSON.parse(json.slice(index, end + 1)) as string;
        if (top.has(name)) return true;
        top.add(name);
      }
      expectName = false;
      index = end;
    } else if (char === '{') {
      open.push(new Set());
      expectName = true;
    } else if (char === '[') {
      open.push(null);
    } else if (char === '}' || char === ']') {
      open.pop();
    } else if (char === ',') {
      expectName = open.at(-1) instanceof Set;
    }
  }
  return false;
}

/** The index of the quote closing the string that opens at `start`. */
function stringEnd(json: string, start: number): number {
  let index = start + 1;
  while (json[index] !== '"') index += json[index] === '\\' ? 2 : 1;
  return index;
}
