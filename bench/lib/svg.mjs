// A small grouped bar chart as SVG, written by the benchmarks under docs/charts/: one group per
// scenario, one bar per system, the value printed above each bar.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const COLORS = { shoal: '#1f77b4', docker: '#ff7f0e' };
const FALLBACK = ['#2ca02c', '#d62728', '#9467bd'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * @param {object} chart
 * @param {string} chart.title
 * @param {string} chart.unit           axis label, e.g. "ops/s"
 * @param {string[]} chart.series       system names, e.g. ["shoal", "docker"]
 * @param {{label: string, values: number[]}[]} chart.groups  one value per series
 * @param {string} [chart.note]         a line under the chart (e.g. "higher is better")
 */
export function barChart({ title, unit, series, groups, note }) {
  const barW = 46, gap = 10, groupGap = 40, left = 70, top = 50, plotH = 240;
  const groupW = series.length * barW + (series.length - 1) * gap;
  const width = left + groups.length * (groupW + groupGap) + 20;
  const height = top + plotH + 80;
  const max = Math.max(1e-9, ...groups.flatMap((g) => g.values.filter(Number.isFinite)));
  const color = (i) => COLORS[series[i]] ?? FALLBACK[i % FALLBACK.length];
  const fmt = (v) => (!Number.isFinite(v) ? 'n/a' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="16" y="${top + plotH / 2}" transform="rotate(-90 16 ${top + plotH / 2})" text-anchor="middle">${esc(unit)}</text>`,
    `<line x1="${left - 6}" y1="${top + plotH}" x2="${width - 10}" y2="${top + plotH}" stroke="#333"/>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4;
    const y = top + plotH - (plotH * t) / 4;
    out.push(`<line x1="${left - 6}" y1="${y}" x2="${width - 10}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 10}" y="${y + 4}" text-anchor="end" fill="#555">${fmt(v)}</text>`);
  }
  groups.forEach((g, gi) => {
    const x0 = left + gi * (groupW + groupGap) + groupGap / 2;
    g.values.forEach((v, si) => {
      const h = Number.isFinite(v) ? (plotH * v) / max : 0;
      const x = x0 + si * (barW + gap);
      out.push(`<rect x="${x}" y="${top + plotH - h}" width="${barW}" height="${h}" fill="${color(si)}"/>`);
      out.push(`<text x="${x + barW / 2}" y="${top + plotH - h - 4}" text-anchor="middle">${fmt(v)}</text>`);
    });
    out.push(`<text x="${x0 + groupW / 2}" y="${top + plotH + 18}" text-anchor="middle">${esc(g.label)}</text>`);
  });
  series.forEach((s, si) => {
    const x = left + si * 110;
    out.push(`<rect x="${x}" y="${top + plotH + 34}" width="12" height="12" fill="${color(si)}"/>`);
    out.push(`<text x="${x + 18}" y="${top + plotH + 44}">${esc(s)}</text>`);
  });
  if (note) out.push(`<text x="${left}" y="${top + plotH + 68}" fill="#555">${esc(note)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export function writeChart(path, chart) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, barChart(chart));
}
