/**
 * A line diff (longest common subsequence) of two texts, for showing what a
 * contract update changes before it is sent. Contracts are a few hundred
 * lines, so the quadratic table is small.
 */
export function lineDiff(before: string, after: string, context = 2): string {
  const a = before.split("\n");
  const b = after.split("\n");
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: { tag: " " | "-" | "+"; text: string }[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ tag: " ", text: a[i]! });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) {
      ops.push({ tag: "+", text: b[j]! });
      j++;
    } else {
      ops.push({ tag: "-", text: a[i]! });
      i++;
    }
  }
  const keep = ops.map((op, k) => ops.slice(Math.max(0, k - context), k + context + 1).some((o) => o.tag !== " "));
  const lines: string[] = [];
  ops.forEach((op, k) => {
    if (keep[k]) lines.push(`${op.tag} ${op.text}`);
    else if (keep[k - 1]) lines.push("  ...");
  });
  return lines.join("\n");
}
