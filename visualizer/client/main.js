// Client script, part 3: reads the page data (the layouts computed in Node, embedded as JSON) and
// draws each section present. A section that fails to draw shows its error in place (and logs it),
// so one bad chart never leaves an empty page. Marks the body with the render time when done.
/* global d3 */
'use strict';

(function main() {
  const started = performance.now();
  const data = JSON.parse(document.getElementById('alrflow-data').textContent);
  const a = window.alrflow;
  const classColour = d3.scaleOrdinal(data.tensorClasses, d3.schemeSet2);

  function guarded(id, title, draw) {
    const section = a.section(id, title);
    try {
      draw(section);
    } catch (err) {
      section
        .append('p')
        .attr('class', 'error')
        .text(`This section could not be drawn: ${err && err.message}`);
      console.error(err);
    }
  }

  if (data.summary) {
    guarded('summary', 'Summary', (s) => {
      a.table(s, data.summary);
      if (data.stages && data.stages.rows.length > 0) a.table(s, data.stages);
      if (data.levelPairs && data.levelPairs.rows.length > 0) a.table(s, data.levelPairs);
      if (data.placements && data.placements.rows.length > 0) a.table(s, data.placements);
    });
  }
  if (data.gantt) {
    guarded('schedule', 'Schedule (Gantt per unit, coloured by phase)', (s) => a.gantt(s, data.gantt));
  }
  if (data.memory) {
    guarded('memory', 'Memory over time per level, stacked by tensor class', (s) => {
      a.legend(s, data.tensorClasses, classColour);
      const grid = s.append('div').attr('class', 'grid').attr('data-levels', data.memory.levels.length);
      for (const level of data.memory.levels) a.memoryPanel(grid, level, data.memory.totalCycles, classColour);
    });
  }
  if (data.unitBars) {
    guarded('units', 'Utilisation and stalls', (s) => {
      const grid = s.append('div').attr('class', 'grid');
      for (const panel of data.unitBars) a.barList(grid, panel);
    });
  }
  if (data.compare) {
    guarded('compare', 'Comparison', (s) => {
      const grid = s.append('div').attr('class', 'grid');
      for (const panel of data.compare.bars) a.barList(grid, panel);
      a.table(s, data.compare.table);
    });
  }
  if (data.train) {
    guarded('train', 'Training', (s) => {
      a.table(s, data.train.summary);
      const grid = s.append('div').attr('class', 'grid');
      for (const panel of data.train.panels) a.lines(grid, panel);
    });
  }
  if (data.probe) {
    guarded('probe', 'Gradient probe', (s) => {
      const grid = s.append('div').attr('class', 'grid');
      for (const panel of data.probe) a.lines(grid, panel);
    });
  }
  if (data.sweep) {
    guarded('sweep', 'Design-space sweep', (s) => {
      a.scatter(s, data.sweep.scatter);
      a.table(s, data.sweep.table);
    });
  }
  // Ready after the first frame is painted, so the measured time includes layout and paint.
  requestAnimationFrame(() =>
    setTimeout(() => {
      document.body.dataset.renderMs = (performance.now() - started).toFixed(1);
      document.body.dataset.ready = 'true';
    }, 0),
  );
})();
