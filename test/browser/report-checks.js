// What an architect would object to on a report page, found in the page itself: an axis without a
// label or a numeric axis whose label has no unit, a ratio tick with an SI prefix, two texts that
// overlap (SVG texts by their rotated outlines, HTML text by its line boxes), an SVG text cut off by
// its chart. A plain browser script (the project's TypeScript has no DOM types): the browser tests add
// it to the page and call window.alrflowPageProblems(), which returns { axes, texts, problems }.
'use strict';

window.alrflowPageProblems = function alrflowPageProblems() {
  const problems = [];
  const describe = (el) => `${el.closest('[id]')?.id ?? '?'}: "${(el.textContent ?? '').trim().slice(0, 40)}"`;
  // Axes: every tick belongs to a labelled axis; a numeric axis says its unit; ratio ticks are plain numbers.
  const axes = [...document.querySelectorAll('svg g.axis')];
  for (const tick of document.querySelectorAll('svg g.tick'))
    if (!tick.closest('g.axis')) problems.push(`unlabelled axis: tick ${describe(tick)}`);
  for (const axis of axes) {
    const label = axis.getAttribute('data-label') ?? '';
    const svg = axis.closest('svg');
    const shown = [...svg.querySelectorAll('text.axis-label')].map((t) => (t.textContent ?? '').replace(/\s/g, ''));
    if (label === '' || !shown.some((t) => label.replace(/\s/g, '').startsWith(t) || t === label.replace(/\s/g, '')))
      problems.push(`axis without a drawn label in ${describe(svg)}`);
    if (axis.getAttribute('data-axis') === 'numeric' && !/\([^()]*\S[^()]*\)$/.test(label))
      problems.push(`numeric axis label without a unit: "${label}"`);
    if (axis.getAttribute('data-unit') === 'ratio') {
      for (const t of axis.querySelectorAll('.tick text'))
        if (!/^-?[0-9.]+$/.test(t.textContent ?? ''))
          problems.push(`ratio tick not a plain number: "${t.textContent}"`);
    }
  }
  // Text outlines in page coordinates: SVG texts by their (possibly rotated) boxes, HTML text by its line boxes.
  const items = [];
  for (const t of document.querySelectorAll('svg text')) {
    if ((t.textContent ?? '').trim() === '' || t.getClientRects().length === 0) continue;
    const b = t.getBBox();
    const m = t.getScreenCTM();
    if (m === null || b.width === 0) continue;
    const corners = [
      [b.x, b.y],
      [b.x + b.width, b.y],
      [b.x + b.width, b.y + b.height],
      [b.x, b.y + b.height],
    ].map(([x, y]) => ({
      x: m.a * x + m.c * y + m.e + window.scrollX,
      y: m.b * x + m.d * y + m.f + window.scrollY,
    }));
    items.push({ name: describe(t), quad: corners, svg: t.ownerSVGElement ?? undefined });
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n !== null; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (parent === null || (n.textContent ?? '').trim() === '' || parent.closest('svg, script, style, select'))
      continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const r of range.getClientRects()) {
      if (r.width === 0 || r.height === 0) continue;
      const [x0, y0, x1, y1] = [
        r.left + window.scrollX,
        r.top + window.scrollY,
        r.right + window.scrollX,
        r.bottom + window.scrollY,
      ];
      items.push({
        name: describe(parent),
        quad: [
          { x: x0, y: y0 },
          { x: x1, y: y0 },
          { x: x1, y: y1 },
          { x: x0, y: y1 },
        ],
      });
    }
  }
  // Separating axes: two convex quads overlap when no edge normal separates them (by more than 1 px of slack).
  const depth = (p, q) => {
    let least = Infinity;
    for (const poly of [p, q]) {
      for (let i = 0; i < 4; i++) {
        const a = poly[i];
        const b = poly[(i + 1) % 4];
        const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
        const nx = (a.y - b.y) / len;
        const ny = (b.x - a.x) / len;
        const proj = (s) => s.map((v) => v.x * nx + v.y * ny);
        const overlap =
          Math.min(Math.max(...proj(p)), Math.max(...proj(q))) - Math.max(Math.min(...proj(p)), Math.min(...proj(q)));
        least = Math.min(least, overlap);
      }
    }
    return least;
  };
  const box = (q) => [
    Math.min(...q.map((v) => v.x)),
    Math.min(...q.map((v) => v.y)),
    Math.max(...q.map((v) => v.x)),
    Math.max(...q.map((v) => v.y)),
  ];
  const boxes = items.map((it) => box(it.quad));
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      if (a[0] >= b[2] || b[0] >= a[2] || a[1] >= b[3] || b[1] >= a[3]) continue;
      if (depth(items[i].quad, items[j].quad) > 1)
        problems.push(`texts overlap: ${items[i].name} and ${items[j].name}`);
    }
  }
  // Cut off: an SVG text must lie inside its svg's box.
  for (const [i, it] of items.entries()) {
    if (it.svg === undefined) continue;
    const r = it.svg.getBoundingClientRect();
    const [x0, y0, x1, y1] = boxes[i];
    const [sx0, sy0] = [r.left + window.scrollX, r.top + window.scrollY];
    if (x0 < sx0 - 0.5 || y0 < sy0 - 0.5 || x1 > sx0 + r.width + 0.5 || y1 > sy0 + r.height + 0.5)
      problems.push(`text cut off by its chart: ${it.name}`);
  }
  return { axes: axes.length, texts: items.length, problems };
};
