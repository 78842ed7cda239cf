// Client script, part 2: the SVG charts (memory over time, bar lists, lines, scatter). They draw the
// shapes the layout functions computed in Node, with axes from axes.js; every bar carries its value
// as a label, so a bar too short to see still reads.
/* global d3 */
'use strict';

(function charts() {
  const a = window.alrflow;

  /** The peak, capacity and verdict line under one memory instance's chart. */
  const memoryNote = (chart, inst) => {
    const capacity = `${a.format('bytes', inst.capacityBytes)}${inst.capacityOnScale ? ' (dashed line)' : ' (capacity off scale)'}`;
    const notes = [`peak ${a.format('bytes', inst.peakBytes)} of ${capacity}`];
    if (inst.verdictNote) notes.push(inst.verdictNote);
    else if (inst.overflowReported) notes.push('OVERFLOW reported by the simulator');
    if (inst.exceedsCapacity && !inst.overflowReported) {
      notes.push('WARNING: samples exceed capacity but the report does not flag an overflow');
    }
    const bad = inst.exceedsCapacity || inst.overflowReported;
    chart
      .append('p')
      .attr('class', bad ? 'note overflow' : 'note')
      .text(notes.join('; '));
  };

  /** One memory instance's stacked bytes over time, with its capacity line, in the Gantt's visible cycles. */
  const drawMemoryInstance = (panel, chart, level, inst, totalCycles, classColour) => {
    chart.selectAll('*').remove();
    const w = 600;
    const h = 250;
    const m = { l: 78, r: 16, t: 10, b: 50 };
    const x = d3.scaleLinear(a.visibleCycles || [0, totalCycles], [m.l, w - m.r]);
    const y = d3.scaleLinear([0, inst.yMaxBytes], [h - m.b, m.t]);
    panel.attr('data-visible-start', Math.round(x.domain()[0])).attr('data-visible-end', Math.round(x.domain()[1]));
    const svg = a.svg(chart, w, h);
    const clip = `clip-${level.level.replace(/[^a-zA-Z0-9_-]/g, '_')}`;
    svg
      .append('clipPath')
      .attr('id', clip)
      .append('rect')
      .attr('x', m.l)
      .attr('y', 0)
      .attr('width', w - m.l - m.r)
      .attr('height', h);
    const bands = svg.append('g').attr('clip-path', `url(#${clip})`);
    inst.classes.forEach((cls, k) => {
      const area = d3
        .area()
        .curve(d3.curveStepAfter)
        .x((_, i) => x(inst.cycles[i]))
        .y0((_, i) => y(k === 0 ? 0 : inst.tops[k - 1][i]))
        .y1((_, i) => y(inst.tops[k][i]));
      bands
        .append('path')
        .attr('class', 'mem-band')
        .attr('fill', classColour(cls))
        .attr('d', area(inst.cycles))
        .attr('data-tip', `${inst.label}: ${cls}`);
    });
    if (inst.capacityOnScale) {
      const cy = y(inst.capacityBytes);
      svg
        .append('line')
        .attr('class', 'capacity')
        .attr('x1', m.l)
        .attr('x2', w - m.r)
        .attr('y1', cy)
        .attr('y2', cy);
    }
    a.numericAxis(svg, x, { label: 'time', unit: 'cycles' }, 'bottom', h - m.b, 6);
    a.numericAxis(svg, y, { label: 'bytes held', unit: 'bytes' }, 'left', m.l, 5);
    memoryNote(chart, inst);
  };

  a.memoryPanel = function memoryPanel(parent, level, totalCycles, classColour) {
    const panel = parent
      .append('div')
      .attr('class', 'memory-level')
      .attr('data-level', level.level)
      .attr('data-instances', level.instances.length);
    const head = panel.append('h3').text(level.level);
    const chart = panel.append('div');
    let current = level.instances[0];
    const draw = (inst) => {
      current = inst;
      drawMemoryInstance(panel, chart, level, inst, totalCycles, classColour);
    };
    if (level.instances.length > 1) {
      const select = head.append('select').on('change', (event) => draw(level.instances[Number(event.target.value)]));
      select
        .selectAll('option')
        .data(level.instances)
        .join('option')
        .attr('value', (_, i) => i)
        .text((d) => d.label);
    }
    // The memory charts follow the Gantt's zoom, so a peak can be matched to the tasks that caused it.
    // Redrawn once the zoom settles, so scrolling through the Gantt stays smooth.
    let timer = 0;
    document.addEventListener('alrflow:zoom', () => {
      clearTimeout(timer);
      timer = setTimeout(() => draw(current), 80);
    });
    draw(level.instances[0]);
  };

  /** The value label of a bar: its value in its unit, or its note where there is no value to draw. */
  const barText = (panel, b) => {
    if (b.value <= 0 && b.note) return b.note;
    const value = a.format(panel.axis.unit, b.value);
    return b.note ? `${value} (${b.note})` : value;
  };

  /** One bar per row from the axis origin, coloured by group, with its value label after it. */
  const drawBars = (svg, panel, x, y, colour, font) => {
    const x0 = x.range()[0];
    const end = (b) => (b.value > 0 ? Math.max(x0, x(b.value)) : x0);
    const g = svg
      .selectAll('g.bar')
      .data(panel.bars)
      .join('g')
      .attr('class', 'bar')
      .attr('data-tip', (b) => `${b.label}: ${barText(panel, b)}`);
    g.append('rect')
      .attr('x', x0)
      .attr('y', (_, i) => y(i))
      .attr('height', y.bandwidth())
      .attr('width', (b) => end(b) - x0)
      .attr('fill', (b) => colour(b.group ?? ''));
    g.append('text')
      .attr('class', 'bar-value')
      .attr('x', (b) => end(b) + 4)
      .attr('y', (_, i) => y(i) + y.bandwidth() / 2)
      .attr('dy', '0.35em')
      .style('font', font)
      .text((b) => barText(panel, b));
  };

  /** A dashed vertical line at a reference value (a peer, a target), labelled above the bars. */
  const referenceLine = (svg, reference, x, font, bounds) => {
    const rx = x(reference.value);
    svg
      .append('line')
      .attr('class', 'reference')
      .attr('x1', rx)
      .attr('x2', rx)
      .attr('y1', bounds.top - 4)
      .attr('y2', bounds.bottom);
    svg
      .append('text')
      .attr('class', 'reference-label')
      .attr('x', Math.min(rx, bounds.right - 2 - a.textWidth(reference.label, font) / 2))
      .attr('y', bounds.top - 8)
      .attr('text-anchor', 'middle')
      .style('font', font)
      .text(reference.label);
  };

  a.barList = function barList(parent, panel) {
    const font = '10px sans-serif';
    const rowH = 20;
    const labelW = d3.max(panel.bars, (b) => a.textWidth(b.label, font)) || 0;
    const valueW = d3.max(panel.bars, (b) => a.textWidth(barText(panel, b), font)) || 0;
    const m = { l: Math.max(90, labelW + 18), r: valueW + 16, t: panel.reference ? 38 : 24, b: 52 };
    const w = Math.max(560, m.l + m.r + 280);
    const h = m.t + m.b + rowH * panel.bars.length;
    const values = panel.bars.map((b) => b.value);
    const positive = values.filter((v) => v > 0);
    const hi = Math.max(panel.maxValue ?? 0, d3.max(values) ?? 0, panel.reference?.value ?? 0, 1e-12);
    const lo = panel.axis.log ? Math.min(d3.min(positive) ?? 1, panel.reference?.value ?? Infinity) : 0;
    const x = a.scaleFor(panel.axis, lo, hi, [m.l, w - m.r]);
    if (!panel.axis.log && panel.maxValue === undefined) x.nice(5);
    const y = d3
      .scaleBand(
        panel.bars.map((b, i) => i),
        [m.t, h - m.b],
      )
      .padding(0.15);
    const groups = [...new Set(panel.bars.map((b) => b.group ?? ''))];
    const colour = d3.scaleOrdinal(groups, d3.schemeTableau10);
    const div = parent
      .append('div')
      .attr('class', 'bar-list')
      .attr('id', panel.id)
      .attr('data-bars', panel.bars.length);
    div.append('h3').text(panel.title);
    if (groups.length > 1) a.legend(div, groups, colour);
    const svg = a.svg(div, w, h);
    const x0 = x.range()[0];
    drawBars(svg, panel, x, y, colour, font);
    const categories = d3.axisLeft(y).tickFormat((i) => panel.bars[i].label);
    a.categoryAxis(svg, categories, panel.categoryLabel, `translate(${x0},0)`);
    svg.append('text').attr('class', 'axis-label').attr('x', 4).attr('y', 14).text(panel.categoryLabel);
    if (panel.reference) referenceLine(svg, panel.reference, x, font, { top: m.t, bottom: h - m.b, right: w });
    a.numericAxis(svg, x, panel.axis, 'bottom', h - m.b, 5);
    if (panel.note) div.append('p').attr('class', 'note').text(panel.note);
  };

  /** Each series as a line, with a point and tooltip per value when there are at most 200. */
  const drawSeries = (svg, panel, x, y, colour) => {
    const line = d3
      .line()
      .x((p) => x(p[0]))
      .y((p) => y(p[1]));
    for (const s of panel.series) {
      svg
        .append('path')
        .attr('class', 'series-line')
        .attr('fill', 'none')
        .attr('stroke', colour(s.name))
        .attr('stroke-width', 1.5)
        .attr('d', line(s.points));
      const where = (p) => (panel.xTicks ? panel.xTicks[p[0]] : `step ${p[0]}`);
      svg
        .append('g')
        .selectAll('circle')
        .data(s.points.length <= 200 ? s.points : [])
        .join('circle')
        .attr('r', 2.5)
        .attr('cx', (p) => x(p[0]))
        .attr('cy', (p) => y(p[1]))
        .attr('fill', colour(s.name))
        .attr('data-tip', (p) => `${s.name}: ${where(p)} → ${a.format(panel.yAxis.unit, p[1])}`);
    }
  };

  a.lines = function lines(parent, panel) {
    const w = 600;
    const h = 270;
    const m = { l: 78, r: 16, t: 10, b: 52 };
    const pts = panel.series.flatMap((s) => s.points);
    const [x0, x1] = panel.xDomain ?? d3.extent(pts, (p) => p[0]).map((v) => v ?? 0);
    const [y0, y1] = panel.yDomain ?? d3.extent(pts, (p) => p[1]).map((v) => v ?? 0);
    const x = a.scaleFor(panel.xAxis, x0, x1, [m.l, w - m.r]);
    const y = a.scaleFor(panel.yAxis, y0, y1, [h - m.b, m.t]);
    if (!panel.yDomain && !panel.yAxis.log) y.nice();
    const colour = d3.scaleOrdinal(
      panel.series.map((s) => s.name),
      d3.schemeTableau10,
    );
    const div = parent
      .append('div')
      .attr('class', 'line-panel')
      .attr('id', panel.id)
      .attr('data-series', panel.series.length);
    div.append('h3').text(panel.title);
    a.legend(
      div,
      panel.series.map((s) => s.name),
      colour,
    );
    const svg = a.svg(div, w, h);
    drawSeries(svg, panel, x, y, colour);
    if (panel.xTicks) {
      const ticks = d3
        .axisBottom(x)
        .tickValues(d3.range(panel.xTicks.length))
        .tickFormat((i) => panel.xTicks[i] ?? '');
      a.categoryAxis(svg, ticks, panel.xAxis.label, `translate(0,${h - m.b})`);
      svg
        .append('text')
        .attr('class', 'axis-label')
        .attr('x', (m.l + w - m.r) / 2)
        .attr('y', h - m.b + 34)
        .attr('text-anchor', 'middle')
        .text(panel.xAxis.label);
    } else a.numericAxis(svg, x, panel.xAxis, 'bottom', h - m.b, 6);
    a.numericAxis(svg, y, panel.yAxis, 'left', m.l, 5);
  };

  a.scatter = function scatter(parent, panel) {
    const w = 640;
    const h = 360;
    const m = { l: 78, r: 16, t: 12, b: 52 };
    // Linear axes get 4% of room at each end, so no point sits on an axis line.
    const padded = (axis, [lo, hi]) =>
      axis.log || lo === hi ? [lo, hi] : [lo - (hi - lo) * 0.04, hi + (hi - lo) * 0.04];
    const [x0, x1] = padded(
      panel.xAxis,
      d3.extent(panel.points, (p) => p.x).map((v) => v ?? 0),
    );
    const [y0, y1] = padded(
      panel.yAxis,
      d3.extent(panel.points, (p) => p.y).map((v) => v ?? 0),
    );
    const x = a.scaleFor(panel.xAxis, x0, x1, [m.l, w - m.r]);
    const y = a.scaleFor(panel.yAxis, y0, y1, [h - m.b, m.t]);
    const div = parent
      .append('div')
      .attr('class', 'scatter')
      .attr('id', panel.id)
      .attr('data-points', panel.points.length)
      .attr('data-front', panel.front.length);
    div.append('h3').text(panel.title);
    const svg = a.svg(div, w, h);
    const frontLine = d3
      .line()
      .x((i) => x(panel.points[i].x))
      .y((i) => y(panel.points[i].y));
    svg.append('path').attr('class', 'front').attr('d', frontLine(panel.front));
    svg
      .selectAll('circle')
      .data(panel.points)
      .join('circle')
      .attr('r', (p) => (p.highlighted ? 5 : 3.5))
      .attr('cx', (p) => x(p.x))
      .attr('cy', (p) => y(p.y))
      .attr('class', (p) => (p.highlighted ? 'pareto' : 'dominated'))
      .attr('data-tip', (p) => p.label);
    a.numericAxis(svg, x, panel.xAxis, 'bottom', h - m.b, 6);
    a.numericAxis(svg, y, panel.yAxis, 'left', m.l, 5);
    if (panel.note) div.append('p').attr('class', 'note').text(panel.note);
  };
})();
