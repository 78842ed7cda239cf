// Client script, part 1 (plain browser JavaScript, inlined into the report page after d3): shared
// helpers and the SVG charts (memory, bar lists, grouped bars, lines, scatter, tables). It only draws
// the shapes the layout functions computed in Node; it computes no statistics of its own.
/* global d3 */
'use strict';

const alrflow = (window.alrflow = window.alrflow || {});

alrflow.format = function format(unit, value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  switch (unit) {
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let v = value;
      let i = 0;
      while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i += 1; }
      return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
    }
    case 'cycles': return `${d3.format('.3~s')(value)} cycles`;
    case 'fraction': return d3.format('.1%')(value);
    case 'ratio': return `${d3.format('.3~r')(value)}×`;
    case 'per-second': return `${d3.format('.3~s')(value)}/s`;
    default: return d3.format('.4~g')(value);
  }
};

alrflow.axisFormat = function axisFormat(unit) {
  if (unit === 'bytes') return (v) => alrflow.format('bytes', v);
  if (unit === 'fraction') return d3.format('.0%');
  return d3.format('~s');
};

alrflow.section = function section(id, title) {
  const el = d3.select('#alrflow-main').append('section').attr('id', id);
  el.append('h2').text(title);
  return el;
};

/** One tooltip div for the whole page; elements with a data-tip attribute show it on hover. */
alrflow.tooltip = d3.select('body').append('div').attr('id', 'tooltip').attr('class', 'tooltip').style('display', 'none');
alrflow.showTip = function showTip(text, clientX, clientY) {
  alrflow.tooltip.style('display', 'block').text(text)
    .style('left', `${clientX + window.scrollX + 12}px`).style('top', `${clientY + window.scrollY + 12}px`);
};
alrflow.hideTip = function hideTip() { alrflow.tooltip.style('display', 'none'); };
d3.select(document).on('mouseover.tip', (event) => {
  const target = event.target.closest && event.target.closest('[data-tip]');
  if (target) alrflow.showTip(target.getAttribute('data-tip'), event.clientX, event.clientY);
}).on('mouseout.tip', (event) => {
  if (event.target.closest && event.target.closest('[data-tip]')) alrflow.hideTip();
});

alrflow.svg = function svg(parent, width, height) {
  return parent.append('svg').attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
};

alrflow.legend = function legend(parent, names, colour) {
  const div = parent.append('div').attr('class', 'legend');
  for (const name of names) {
    const item = div.append('span').attr('class', 'legend-item');
    item.append('span').attr('class', 'swatch').style('background', colour(name));
    item.append('span').text(name);
  }
};

alrflow.memoryPanel = function memoryPanel(parent, level, totalCycles, classColour) {
  const panel = parent.append('div').attr('class', 'memory-level').attr('data-level', level.level).attr('data-instances', level.instances.length);
  const head = panel.append('h3').text(level.level);
  const chart = panel.append('div');
  let current = level.instances[0];
  const draw = (inst) => {
    current = inst;
    chart.selectAll('*').remove();
    const w = 560; const h = 220; const m = { l: 70, r: 10, t: 10, b: 28 };
    const x = d3.scaleLinear(alrflow.visibleCycles || [0, totalCycles], [m.l, w - m.r]);
    const y = d3.scaleLinear([0, inst.yMaxBytes], [h - m.b, m.t]);
    panel.attr('data-visible-start', Math.round(x.domain()[0])).attr('data-visible-end', Math.round(x.domain()[1]));
    const svg = alrflow.svg(chart, w, h);
    const clip = `clip-${level.level.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
    svg.append('clipPath').attr('id', clip).append('rect').attr('x', m.l).attr('y', 0).attr('width', w - m.l - m.r).attr('height', h);
    const bands = svg.append('g').attr('clip-path', `url(#${clip})`);
    inst.classes.forEach((cls, k) => {
      const area = d3.area().curve(d3.curveStepAfter).x((_, i) => x(inst.cycles[i]))
        .y0((_, i) => y(k === 0 ? 0 : inst.tops[k - 1][i])).y1((_, i) => y(inst.tops[k][i]));
      bands.append('path').attr('class', 'mem-band').attr('fill', classColour(cls)).attr('d', area(inst.cycles))
        .attr('data-tip', `${inst.label}: ${cls}`);
    });
    if (inst.capacityOnScale) {
      svg.append('line').attr('class', 'capacity').attr('x1', m.l).attr('x2', w - m.r).attr('y1', y(inst.capacityBytes)).attr('y2', y(inst.capacityBytes));
    }
    svg.append('g').attr('transform', `translate(0,${h - m.b})`).call(d3.axisBottom(x).ticks(6).tickFormat(d3.format('~s')));
    svg.append('g').attr('transform', `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(5).tickFormat(alrflow.axisFormat('bytes')));
    const notes = [`peak ${alrflow.format('bytes', inst.peakBytes)} of ${alrflow.format('bytes', inst.capacityBytes)}${inst.capacityOnScale ? ' (dashed line)' : ' (capacity off scale)'}`];
    if (inst.overflowReported) notes.push('OVERFLOW reported by the simulator');
    if (inst.exceedsCapacity && !inst.overflowReported) notes.push('WARNING: samples exceed capacity but the report does not flag an overflow');
    chart.append('p').attr('class', inst.exceedsCapacity || inst.overflowReported ? 'note overflow' : 'note').text(notes.join('; '));
  };
  if (level.instances.length > 1) {
    const select = head.append('select').on('change', (event) => draw(level.instances[Number(event.target.value)]));
    select.selectAll('option').data(level.instances).join('option').attr('value', (_, i) => i).text((d) => d.label);
  }
  // The memory charts follow the Gantt's zoom, so a peak can be matched to the tasks that caused it.
  // Redrawn once the zoom settles, so scrolling through the Gantt stays smooth.
  let timer = 0;
  document.addEventListener('alrflow:zoom', () => { clearTimeout(timer); timer = setTimeout(() => draw(current), 80); });
  draw(level.instances[0]);
};

alrflow.barList = function barList(parent, panel) {
  const w = 600; const rowH = 18; const m = { l: 150, r: 100, t: 4, b: 24 };
  const h = m.t + m.b + rowH * panel.bars.length;
  const max = Math.max(panel.maxValue ?? 0, d3.max(panel.bars, (b) => b.value) ?? 0, 1e-12);
  const x = d3.scaleLinear([0, max], [m.l, w - m.r]);
  const div = parent.append('div').attr('class', 'bar-list').attr('id', panel.id).attr('data-bars', panel.bars.length);
  div.append('h3').text(panel.title);
  const svg = alrflow.svg(div, w, h);
  const g = svg.selectAll('g.bar').data(panel.bars).join('g').attr('class', 'bar').attr('transform', (_, i) => `translate(0,${m.t + i * rowH})`)
    .attr('data-tip', (b) => `${b.label}: ${alrflow.format(panel.unit, b.value)}`);
  g.append('text').attr('x', m.l - 6).attr('y', rowH * 0.7).attr('text-anchor', 'end').text((b) => b.label);
  g.append('rect').attr('x', m.l).attr('y', 2).attr('height', rowH - 4).attr('width', (b) => x(b.value) - m.l).attr('fill', '#4e79a7');
  g.append('text').attr('x', (b) => x(b.value) + 4).attr('y', rowH * 0.7).text((b) => alrflow.format(panel.unit, b.value));
  svg.append('g').attr('transform', `translate(0,${h - m.b})`).call(d3.axisBottom(x).ticks(5).tickFormat(alrflow.axisFormat(panel.unit)));
};

alrflow.groupedBars = function groupedBars(parent, panel) {
  const w = Math.max(560, 90 * panel.groups.length); const h = 260; const m = { l: 70, r: 10, t: 10, b: 60 };
  const x0 = d3.scaleBand(panel.groups, [m.l, w - m.r]).paddingInner(0.2);
  const x1 = d3.scaleBand(panel.series, [0, x0.bandwidth()]).padding(0.05);
  const max = d3.max(panel.values.flat(), (v) => v ?? 0) ?? 0;
  const y = d3.scaleLinear([0, Math.max(max, panel.reference ?? 0) * 1.1 || 1], [h - m.b, m.t]);
  const colour = d3.scaleOrdinal(panel.series, d3.schemeTableau10);
  const div = parent.append('div').attr('class', 'grouped-bars').attr('id', panel.id);
  div.append('h3').text(panel.title);
  alrflow.legend(div, panel.series, colour);
  const svg = alrflow.svg(div, w, h);
  const cells = panel.groups.flatMap((g, gi) => panel.series.map((s, si) => ({ g, s, v: panel.values[gi][si] }))).filter((c) => c.v !== null);
  svg.selectAll('rect').data(cells).join('rect').attr('x', (c) => x0(c.g) + x1(c.s)).attr('width', x1.bandwidth())
    .attr('y', (c) => y(c.v)).attr('height', (c) => y(0) - y(c.v)).attr('fill', (c) => colour(c.s))
    .attr('data-tip', (c) => `${c.g} / ${c.s}: ${alrflow.format(panel.unit, c.v)}`);
  if (panel.reference !== undefined) svg.append('line').attr('class', 'reference').attr('x1', m.l).attr('x2', w - m.r).attr('y1', y(panel.reference)).attr('y2', y(panel.reference));
  svg.append('g').attr('transform', `translate(0,${h - m.b})`).call(d3.axisBottom(x0)).selectAll('text').attr('transform', 'rotate(-20)').attr('text-anchor', 'end');
  svg.append('g').attr('transform', `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(5).tickFormat(alrflow.axisFormat(panel.unit)));
};

alrflow.lines = function lines(parent, panel) {
  const w = 560; const h = 240; const m = { l: 60, r: 10, t: 10, b: 40 };
  const pts = panel.series.flatMap((s) => s.points);
  const x = d3.scaleLinear(d3.extent(pts, (p) => p[0]).map((v) => v ?? 0), [m.l, w - m.r]);
  const y = d3.scaleLinear(panel.yDomain ?? d3.extent(pts, (p) => p[1]).map((v) => v ?? 0), [h - m.b, m.t]).nice();
  const colour = d3.scaleOrdinal(panel.series.map((s) => s.name), d3.schemeTableau10);
  const div = parent.append('div').attr('class', 'line-panel').attr('id', panel.id).attr('data-series', panel.series.length);
  div.append('h3').text(panel.title);
  alrflow.legend(div, panel.series.map((s) => s.name), colour);
  const svg = alrflow.svg(div, w, h);
  const line = d3.line().x((p) => x(p[0])).y((p) => y(p[1]));
  for (const s of panel.series) {
    svg.append('path').attr('class', 'series-line').attr('fill', 'none').attr('stroke', colour(s.name)).attr('stroke-width', 1.5).attr('d', line(s.points));
    svg.append('g').selectAll('circle').data(s.points).join('circle').attr('r', 2.5).attr('cx', (p) => x(p[0])).attr('cy', (p) => y(p[1]))
      .attr('fill', colour(s.name)).attr('data-tip', (p) => `${s.name}: ${panel.xTicks ? panel.xTicks[p[0]] : p[0]} → ${alrflow.format(panel.unit, p[1])}`);
  }
  const xAxis = d3.axisBottom(x);
  if (panel.xTicks) xAxis.tickValues(d3.range(panel.xTicks.length)).tickFormat((i) => panel.xTicks[i] ?? '');
  svg.append('g').attr('transform', `translate(0,${h - m.b})`).call(xAxis);
  svg.append('g').attr('transform', `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(5));
  svg.append('text').attr('x', (m.l + w) / 2).attr('y', h - 6).attr('text-anchor', 'middle').text(panel.xLabel);
};

alrflow.scatter = function scatter(parent, panel) {
  const w = 600; const h = 320; const m = { l: 70, r: 10, t: 10, b: 40 };
  const x = d3.scaleLinear(d3.extent(panel.points, (p) => p.x).map((v) => v ?? 0), [m.l, w - m.r]).nice();
  const y = d3.scaleLinear(d3.extent(panel.points, (p) => p.y).map((v) => v ?? 0), [h - m.b, m.t]).nice();
  const div = parent.append('div').attr('class', 'scatter').attr('id', panel.id).attr('data-points', panel.points.length).attr('data-front', panel.front.length);
  div.append('h3').text(panel.title);
  const svg = alrflow.svg(div, w, h);
  svg.append('path').attr('class', 'front').attr('d', d3.line().x((i) => x(panel.points[i].x)).y((i) => y(panel.points[i].y))(panel.front));
  svg.selectAll('circle').data(panel.points).join('circle').attr('r', (p) => (p.highlighted ? 5 : 3)).attr('cx', (p) => x(p.x)).attr('cy', (p) => y(p.y))
    .attr('class', (p) => (p.highlighted ? 'pareto' : 'dominated')).attr('data-tip', (p) => p.label);
  svg.append('g').attr('transform', `translate(0,${h - m.b})`).call(d3.axisBottom(x).ticks(6).tickFormat(alrflow.axisFormat(panel.xUnit)));
  svg.append('g').attr('transform', `translate(${m.l},0)`).call(d3.axisLeft(y).ticks(5).tickFormat(alrflow.axisFormat(panel.yUnit)));
  svg.append('text').attr('x', (m.l + w) / 2).attr('y', h - 6).attr('text-anchor', 'middle').text(`${panel.xLabel} (front: larger dots)`);
};

alrflow.table = function table(parent, panel) {
  const div = parent.append('div').attr('class', 'table').attr('id', panel.id);
  div.append('h3').text(panel.title);
  const t = div.append('table');
  t.append('thead').append('tr').selectAll('th').data(panel.columns).join('th').text((c) => c);
  t.append('tbody').selectAll('tr').data(panel.rows).join('tr').selectAll('td').data((r) => r).join('td').text((c) => c);
};
