// Core lists as the kernel and taskset write them: `0`, `0-3`, `0,2,4-5`. One reader and one
// writer for config values, /proc affinities and /sys cpu lists alike.

/** Sorted unique core numbers, or undefined when the text is not a core list. */
export function readCoreList(text: string): number[] | undefined {
  const cores = new Set<number>();
  for (const part of text.trim().split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return undefined;
    for (let c = lo; c <= hi; c++) cores.add(c);
  }
  return [...cores].sort((a, b) => a - b);
}

/** [0, 1, 2, 5] → "0-2,5"; an empty list is "none". */
export function formatCoreList(cores: readonly number[]): string {
  const sorted = [...new Set(cores)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j;
  }
  return out.join(',') || 'none';
}

export function sameCores(a: readonly number[], b: readonly number[]): boolean {
  return formatCoreList(a) === formatCoreList(b);
}
