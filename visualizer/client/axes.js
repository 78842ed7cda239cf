// Client script, part 1 (plain browser JavaScript, inlined into the report page after d3): shared
// helpers (value formats, tooltip, legend, tables) and the axes. Every numeric axis is drawn here,
// labelled "quantity (unit)": bytes in one binary unit at round ticks (or powers of two on a log
// axis), cycles and rates in decimal words ("thousand cycles"), ratios on a log axis with plain
// numbers, fractions in percent. It computes no statistics: the layouts did that in Node.
/* global d3 */
'use strict';

const alrflow = (window.alrflow = window.alrflow || {});
const binaryUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
const decimalWords = ['', 'thousand ', 'million ', 'billion ', 'trillion '];

/** A value with its unit, for tooltips and bar labels (bytes as the CLI prints them). */
alrflow.format = function format(unit, value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  switch (unit) {
    case 'bytes': {
      let v = value;
      let i = 0;
      while (Math.abs(v) >= 1024 && i < binaryUnits.length - 1) {
        v /= 1024;
        i += 1;
      }
      return `${Number(v.toPrecision(4))} ${binaryUnits[i]}`;
    }
    case 'cycles':
      return `${d3.format(',.4~r')(value)} cycles`;
    case 'fraction':
      return d3.format('.1%')(value);
    case 'ratio':
      return `${d3.format('.3~r')(value)}×`;
    case 'per-second':
      return `${d3.format(',.4~r')(value)}/s`;
    case 'seconds':
      return `${d3.format('.3~r')(value)} s`;
    default:
      return d3.format('.4~g')(value);
  }
};

/** The axis's display unit for values up to `max`: a factor to divide by and its name. */
alrflow.unitScale = function unitScale(axis, max) {
  const m = Math.abs(max) || 1;
  switch (axis.unit) {
    case 'bytes': {
      let k = 0;
      while (k < binaryUnits.length - 1 && m >= 1024 ** (k + 1)) k += 1;
      return { factor: 1024 ** k, text: binaryUnits[k] };
    }
    case 'cycles':
    case 'per-second': {
      const k = Math.max(0, Math.min(decimalWords.length - 1, Math.floor(Math.log10(m) / 3)));
      const base = axis.unit === 'cycles' ? 'cycles' : axis.unitText || 'per second';
      return { factor: 1000 ** k, text: `${decimalWords[k]}${base}` };
    }
    case 'fraction':
      return { factor: 0.01, text: '%' };
    case 'ratio':
      return { factor: 1, text: '×' };
    case 'seconds':
      return { factor: 1, text: 's' };
    default:
      return { factor: 1, text: axis.unitText || 'value' };
  }
};

/** Log-axis ticks: powers of two for bytes (each in its own binary unit), 1-2-5 or 1-3 or decades otherwise. */
function logTicks(axis, d0, d1) {
  if (axis.unit === 'bytes') {
    const e0 = Math.ceil(Math.log2(d0));
    const e1 = Math.floor(Math.log2(d1));
    const step = Math.max(1, Math.ceil((e1 - e0 + 1) / 6));
    return d3.range(e0, e1 + 1, step).map((e) => 2 ** e);
  }
  const decades = Math.log10(d1 / d0);
  const mantissas = decades <= 1.5 ? [1, 2, 5] : decades <= 3 ? [1, 3] : [1];
  const out = [];
  for (let e = Math.floor(Math.log10(d0)); e <= Math.ceil(Math.log10(d1)); e++) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** e).toPrecision(3));
      if (v >= d0 * (1 - 1e-9) && v <= d1 * (1 + 1e-9)) out.push(v);
    }
  }
  return out;
}

/** Tick values, their format and the unit's name, for a numeric axis over [d0, d1]. */
alrflow.axisTicks = function axisTicks(axis, d0, d1, count) {
  const { factor, text } = alrflow.unitScale(axis, Math.max(Math.abs(d0), Math.abs(d1)));
  const plain = d3.format('~g');
  if (axis.log) {
    const format = axis.unit === 'bytes' ? (v) => alrflow.format('bytes', v) : (v) => plain(v / factor);
    return { values: logTicks(axis, d0, d1), format, unitText: axis.unit === 'bytes' ? 'bytes' : text };
  }
  const values = d3.ticks(d0 / factor, d1 / factor, count).map((t) => t * factor);
  return { values, format: (v) => plain(Number((v / factor).toPrecision(6))), unitText: text };
};

/** A scale for the axis over data [lo, hi] (log when asked, padded so one value still spans the axis). */
alrflow.scaleFor = function scaleFor(axis, lo, hi, range) {
  if (axis.log) {
    const a = lo > 0 ? lo : 1;
    const b = hi > a ? hi : a * 2;
    return d3.scaleLog([a / 1.15, b * 1.15], range);
  }
  return d3.scaleLinear(lo === hi ? [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1] : [lo, hi], range);
};

/** Writes an axis label, rotated for a left axis and split onto two lines where one is too long. */
function axisLabel(svg, text, orient, x, y, room) {
  const label = svg.append('text').attr('class', 'axis-label').attr('text-anchor', 'middle');
  label.attr('transform', orient === 'left' ? `translate(${x},${y}) rotate(-90)` : `translate(${x},${y})`).text(text);
  const cut = text.lastIndexOf(' (');
  if (label.node().getComputedTextLength() > room && cut > 0) {
    label.text(null);
    label
      .append('tspan')
      .attr('x', 0)
      .attr('dy', orient === 'left' ? '-1.1em' : 0)
      .text(text.slice(0, cut));
    label
      .append('tspan')
      .attr('x', 0)
      .attr('dy', '1.1em')
      .text(text.slice(cut + 1));
  }
  return label;
}

/**
 * A numeric axis at `at` (y for bottom/top, x for left), labelled "quantity (unit[, log scale])".
 * The group carries data-axis="numeric", data-unit and data-label for the browser test.
 */
alrflow.numericAxis = function numericAxis(svg, scale, axis, orient, at, count = 5) {
  const [d0, d1] = scale.domain();
  const spec = alrflow.axisTicks(axis, Math.min(d0, d1), Math.max(d0, d1), count);
  const make = { bottom: d3.axisBottom, top: d3.axisTop, left: d3.axisLeft }[orient];
  const text = `${axis.label} (${spec.unitText}${axis.log ? ', log scale' : ''})`;
  const g = svg
    .append('g')
    .attr('class', 'axis')
    .attr('data-axis', 'numeric')
    .attr('data-unit', axis.unit)
    .attr('data-label', text)
    .attr('transform', orient === 'left' ? `translate(${at},0)` : `translate(0,${at})`)
    .call(make(scale).tickValues(spec.values).tickFormat(spec.format));
  const [r0, r1] = scale.range();
  const mid = (r0 + r1) / 2;
  if (orient === 'left') axisLabel(svg, text, 'left', at + g.node().getBBox().x - 6, mid, Math.abs(r1 - r0));
  else axisLabel(svg, text, orient, mid, orient === 'bottom' ? at + 34 : at - 26, Math.abs(r1 - r0));
  return g;
};

/** A category axis (bar labels, layer names) with its label; data-axis="category". */
alrflow.categoryAxis = function categoryAxis(svg, axisGenerator, label, transform) {
  return svg
    .append('g')
    .attr('class', 'axis')
    .attr('data-axis', 'category')
    .attr('data-label', label)
    .attr('transform', transform)
    .call(axisGenerator);
};

alrflow.section = function section(id, title) {
  const el = d3.select('#alrflow-main').append('section').attr('id', id);
  el.append('h2').text(title);
  return el;
};

/** One tooltip div for the whole page; elements with a data-tip attribute show it on hover. */
alrflow.tooltip = d3
  .select('body')
  .append('div')
  .attr('id', 'tooltip')
  .attr('class', 'tooltip')
  .style('display', 'none');
alrflow.showTip = function showTip(text, clientX, clientY) {
  alrflow.tooltip
    .style('display', 'block')
    .text(text)
    .style('left', `${clientX + window.scrollX + 12}px`)
    .style('top', `${clientY + window.scrollY + 12}px`);
};
alrflow.hideTip = function hideTip() {
  alrflow.tooltip.style('display', 'none');
};
d3.select(document)
  .on('mouseover.tip', (event) => {
    const target = event.target.closest && event.target.closest('[data-tip]');
    if (target) alrflow.showTip(target.getAttribute('data-tip'), event.clientX, event.clientY);
  })
  .on('mouseout.tip', (event) => {
    if (event.target.closest && event.target.closest('[data-tip]')) alrflow.hideTip();
  });

alrflow.svg = function svg(parent, width, height) {
  return parent.append('svg').attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`);
};

/** Width in pixels of a text in a font, measured on a canvas (for margins that fit their labels). */
alrflow.textWidth = function textWidth(text, font = '10px sans-serif') {
  const ctx = (alrflow.measureCtx = alrflow.measureCtx || document.createElement('canvas').getContext('2d'));
  ctx.font = font;
  return ctx.measureText(text).width;
};

alrflow.legend = function legend(parent, names, colour) {
  const div = parent.append('div').attr('class', 'legend');
  for (const name of names) {
    const item = div.append('span').attr('class', 'legend-item');
    item.append('span').attr('class', 'swatch').style('background', colour(name));
    item.append('span').text(name);
  }
};

alrflow.table = function table(parent, panel) {
  const div = parent.append('div').attr('class', 'table').attr('id', panel.id);
  div.append('h3').text(panel.title);
  const t = div.append('table');
  t.append('thead')
    .append('tr')
    .selectAll('th')
    .data(panel.columns)
    .join('th')
    .text((c) => c);
  t.append('tbody')
    .selectAll('tr')
    .data(panel.rows)
    .join('tr')
    .selectAll('td')
    .data((r) => r)
    .join('td')
    .text((c) => c);
  if (panel.note) div.append('p').attr('class', 'note').text(panel.note);
};
