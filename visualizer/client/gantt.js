// Client script, part 2: the schedule's Gantt chart on a canvas (SVG would need one element per task,
// far too heavy for 50,000 tasks), with d3.zoom on the time axis, an SVG axis above it, and tooltips
// found by binary search over the layout's per-row bars, which are sorted by start.
/* global d3 */
'use strict';

const ganttRowH = 16;
const ganttLabelW = 120;
const ganttAxisH = 52;

/** Index of the first bar in [from, to) whose start is >= cycle. */
function ganttLowerBound(bars, from, to, cycle) {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bars.startCycles[mid] < cycle) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The page elements: legend, axis, row labels and the canvas. */
function ganttDom(parent, layout, colour) {
  const { rows, bars, phases } = layout;
  const width = Math.max(720, Math.min(1400, document.documentElement.clientWidth - 40));
  const plotW = width - ganttLabelW;
  const plotH = rows.length * ganttRowH;
  const root = parent
    .append('div')
    .attr('id', 'gantt')
    .attr('data-bars', bars.row.length)
    .attr('data-rows', rows.length)
    .attr('data-total-cycles', layout.totalCycles);
  window.alrflow.legend(root, phases, colour);
  const axisSvg = window.alrflow.svg(root, width, ganttAxisH).attr('class', 'gantt-axis');
  const stage = root
    .append('div')
    .attr('class', 'gantt-stage')
    .style('position', 'relative')
    .style('height', `${plotH}px`);
  const labels = window.alrflow.svg(stage, ganttLabelW, plotH).style('position', 'absolute').style('left', '0px');
  labels
    .selectAll('text')
    .data(rows)
    .join('text')
    .attr('x', 4)
    .attr('y', (_, i) => i * ganttRowH + ganttRowH * 0.75)
    .text((r) => r.label);
  const dpr = window.devicePixelRatio || 1;
  const canvas = stage
    .append('canvas')
    .attr('width', plotW * dpr)
    .attr('height', plotH * dpr)
    .style('width', `${plotW}px`)
    .style('height', `${plotH}px`)
    .style('position', 'absolute')
    .style('left', `${ganttLabelW}px`);
  const ctx = canvas.node().getContext('2d');
  ctx.scale(dpr, dpr);
  return { root, axisSvg, canvas, ctx, plotW, plotH };
}

/** Draws the bars of one row that intersect [d0, d1] under scale x; returns how many were filled. */
function ganttDrawRow(ctx, layout, colour, x, r, d0, d1) {
  const { rows, bars, phases } = layout;
  const row = rows[r];
  const end = row.firstBar + row.barCount;
  let drawn = 0;
  let lastPx = -1;
  for (
    let i = ganttLowerBound(bars, row.firstBar, end, d0 - row.maxDurationCycles);
    i < end && bars.startCycles[i] <= d1;
    i++
  ) {
    if (bars.endCycles[i] < d0) continue;
    const px0 = x(bars.startCycles[i]);
    const pxW = x(bars.endCycles[i]) - px0;
    // Many sub-pixel bars land on one pixel column when zoomed out; one fill per column is enough.
    if (pxW < 1 && Math.floor(px0) === lastPx) continue;
    lastPx = Math.floor(px0);
    ctx.fillStyle = colour(phases[bars.phase[i]]);
    ctx.fillRect(px0, r * ganttRowH + 1, Math.max(pxW, 1), ganttRowH - 2);
    if (pxW > 30) {
      ctx.fillStyle = '#fff';
      ctx.fillText(`mb${bars.microBatch[i]}`, px0 + 3, r * ganttRowH + ganttRowH - 4, pxW - 4);
    }
    drawn += 1;
  }
  return drawn;
}

/** The bar under (mx, my) in canvas pixels, with 2 px of slack for thin bars; -1 if none. */
function ganttHit(layout, x, mx, my) {
  const { rows, bars } = layout;
  const row = rows[Math.floor(my / ganttRowH)];
  if (!row || row.barCount === 0) return -1;
  const cycle = x.invert(mx);
  const slack = x.invert(mx + 2) - cycle;
  const end = row.firstBar + row.barCount;
  for (
    let i = ganttLowerBound(bars, row.firstBar, end, cycle - row.maxDurationCycles - slack);
    i < end && bars.startCycles[i] <= cycle + slack;
    i++
  ) {
    if (bars.endCycles[i] >= cycle - slack) return i;
  }
  return -1;
}

function ganttDescribe(layout, i) {
  const { rows, bars, phases, strings } = layout;
  const s = (k) => (k < 0 ? '–' : strings[k]);
  const cycles = bars.endCycles[i] - bars.startCycles[i];
  return [
    `${s(bars.op[i])} (${phases[bars.phase[i]]}) · ${rows[bars.row[i]].label}`,
    `node ${s(bars.node[i])}, layer ${s(bars.layer[i])}`,
    `tile ${s(bars.tile[i])}, iteration ${bars.iteration[i]}, micro-batch ${bars.microBatch[i]}`,
    `${cycles} cycles (${bars.startCycles[i]}–${bars.endCycles[i]}), ${window.alrflow.format('bytes', bars.bytes[i])}`,
  ].join('\n');
}

/** The time axis over the plot, redrawn for the current zoom. */
function ganttAxis(axisSvg, x, plotW) {
  axisSvg.selectAll('*').remove();
  const axisX = x.copy().range([ganttLabelW, ganttLabelW + plotW]);
  window.alrflow.numericAxis(axisSvg, axisX, { label: 'time', unit: 'cycles' }, 'top', ganttAxisH - 1, 8);
  axisSvg
    .append('text')
    .attr('class', 'axis-label')
    .attr('x', 4)
    .attr('y', ganttAxisH - 6)
    .text('core, unit');
}

/** How to use the chart, and which iterations the report's tasks cover. */
function ganttNotes(root, layout) {
  root.append('p').attr('class', 'note').text('Scroll to zoom the time axis, drag to pan, hover a bar for its task.');
  if (layout.iterationsShown < layout.iterationsTotal) {
    root
      .append('p')
      .attr('class', 'note')
      .attr('id', 'gantt-partial')
      .text(
        `The report holds tasks of the first ${layout.iterationsShown} of ${layout.iterationsTotal} iterations; the view starts on them (zoom out for the whole run).`,
      );
  }
}

/** The tooltip of the bar under the pointer (`currentX` gives the zoomed time scale). */
function ganttHover(canvas, root, layout, currentX) {
  canvas
    .on('mousemove', (event) => {
      const [mx, my] = d3.pointer(event);
      const i = ganttHit(layout, currentX(), mx, my);
      root.attr('data-hover-bar', i);
      if (i < 0) window.alrflow.hideTip();
      else window.alrflow.showTip(ganttDescribe(layout, i), event.clientX, event.clientY);
    })
    .on('mouseleave', () => window.alrflow.hideTip());
}

/** Bar positions, descriptions and a redraw, for tests and scripting. */
function ganttApi(canvas, layout, currentX, draw) {
  return {
    /** Viewport coordinates of bar i's centre under the current zoom (for tests and scripting). */
    barCenter(i) {
      const rect = canvas.node().getBoundingClientRect();
      const mid = (layout.bars.startCycles[i] + layout.bars.endCycles[i]) / 2;
      return { x: rect.left + currentX()(mid), y: rect.top + layout.bars.row[i] * ganttRowH + ganttRowH / 2 };
    },
    describe: (i) => ganttDescribe(layout, i),
    redraw: draw,
  };
}

window.alrflow.gantt = function gantt(parent, layout) {
  const colour = d3.scaleOrdinal(layout.phases, d3.schemeTableau10);
  const { root, axisSvg, canvas, ctx, plotW, plotH } = ganttDom(parent, layout, colour);
  const x0 = d3.scaleLinear([0, layout.totalCycles], [0, plotW]);
  let x = x0;
  let pending = false;

  function draw() {
    pending = false;
    const t = performance.now();
    ctx.clearRect(0, 0, plotW, plotH);
    ctx.font = '10px sans-serif';
    const [d0, d1] = x.domain();
    let drawn = 0;
    for (let r = 0; r < layout.rows.length; r++) drawn += ganttDrawRow(ctx, layout, colour, x, r, d0, d1);
    ganttAxis(axisSvg, x, plotW);
    window.alrflow.visibleCycles = [d0, d1];
    document.dispatchEvent(new CustomEvent('alrflow:zoom'));
    root
      .attr('data-visible-start', Math.round(d0))
      .attr('data-visible-end', Math.round(d1))
      .attr('data-drawn-bars', drawn)
      .attr('data-draw-ms', (performance.now() - t).toFixed(1));
  }

  const zoom = d3
    .zoom()
    .scaleExtent([1, Math.max(2, layout.totalCycles / 20)])
    .translateExtent([
      [0, 0],
      [plotW, plotH],
    ])
    .extent([
      [0, 0],
      [plotW, plotH],
    ])
    .on('zoom', (event) => {
      x = event.transform.rescaleX(x0);
      if (!pending) {
        pending = true;
        requestAnimationFrame(draw);
      }
    });
  canvas.call(zoom).on('dblclick.zoom', null);
  ganttHover(canvas, root, layout, () => x);
  ganttNotes(root, layout);

  window.alrflow.ganttApi = ganttApi(canvas, layout, () => x, draw);
  if (layout.timelineEndCycles > 0 && layout.timelineEndCycles < layout.totalCycles) {
    canvas.call(zoom.transform, d3.zoomIdentity.scale(layout.totalCycles / layout.timelineEndCycles));
  }
  draw();
};
