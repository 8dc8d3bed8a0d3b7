// A fuzz report as the lines a person reads (test output, the soak command, docs/reliability.md).
import type { FuzzReport } from './runner.js';

export function formatReport(r: FuzzReport): string {
  const statuses = Object.entries(r.byStatus).sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}:${n}`).join(' ');
  const categories = Object.entries(r.byCategory).sort(([a], [b]) => a.localeCompare(b)).map(([c, n]) => `${c}:${n}`).join(' ');
  const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MiB`;
  const groups = new Map<string, { count: number; example: string }>();
  for (const f of r.findings) {
    const key = `${f.status} ${f.problem.replace(/\d+/g, 'N').slice(0, 100)}`;
    const g = groups.get(key) ?? { count: 0, example: `#${f.n} [${f.category}] ${f.target}: ${f.label.slice(0, 140)}` };
    g.count++;
    groups.set(key, g);
  }
  return [
    `fuzz seed=${r.seed} (replay with SEED=${r.seed}) cases=${r.cases} in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  statuses: ${statuses}`,
    `  categories: ${categories}`,
    `  accepted writes: ${r.accepted}; 5xx: ${r.responses5xx} (500: ${r.responses500}); slowest reply ${r.slowestReplyMs} ms`,
    `  crashes: ${r.crashes}; hangs: ${r.hangs}; findings: ${r.findings.length}; stored-object problems: ${r.storedProblems.length}`,
    `  RSS manager ${mb(r.rssKb.manager.before)} → max ${mb(r.rssKb.manager.max)} → ${mb(r.rssKb.manager.after)}; spare ${mb(r.rssKb.spare.before)} → max ${mb(r.rssKb.spare.max)} → ${mb(r.rssKb.spare.after)}`,
    ...[...groups].map(([key, g]) => `  finding ×${g.count}: ${key}\n      e.g. ${g.example}`),
    ...r.storedProblems.slice(0, 30).map((p) => `  stored: ${p}`),
  ].join('\n');
}
