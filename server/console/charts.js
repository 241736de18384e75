// Charts as inline SVG: columns over months, and bars across categories. Each chart is a figure
// whose caption names it; the SVG carries `data-chart`, a text description of every value for
// screen readers, and one `[data-bar]` group per value with its exact number in `data-value`.

import { h, s } from './dom.js';
import { t } from './i18n.js';

const WIDTH = 360;
let serial = 0;

/** The figure around a chart's SVG: caption, then the SVG with its description. */
function frame(name, title, height, bars, draw) {
  serial += 1;
  const captionId = `chart-${serial}-title`;
  const descriptionId = `chart-${serial}-description`;
  const description = bars.map((bar) => t('chart.bar', { label: bar.fullLabel ?? bar.label, value: bar.text })).join('; ');
  const svg = s(
    'svg',
    {
      'data-chart': name,
      viewBox: `0 0 ${WIDTH} ${height}`,
      role: 'img',
      'aria-labelledby': captionId,
      'aria-describedby': descriptionId,
      preserveAspectRatio: 'xMidYMid meet',
    },
    s('desc', { id: descriptionId }, description || t('chart.empty')),
  );
  if (bars.length === 0 || bars.every((bar) => bar.value === 0)) {
    svg.append(s('text', { x: WIDTH / 2, y: height / 2, 'text-anchor': 'middle', class: 'empty' }, t('chart.empty')));
  } else {
    draw(svg);
  }
  return h('figure', { class: 'chart', 'data-chart-frame': name }, h('figcaption', { id: captionId }, title), svg);
}

/** About how wide `character` is at the charts' 11px, in px (wide scripts take a full em). */
function characterWidth(character) {
  return character.codePointAt(0) > 0x2e7f ? 11 : 6.4;
}

/** Shortens `text` with an ellipsis so that it fits in `width` px. */
function fit(text, width) {
  const characters = Array.from(text);
  let used = 0;
  for (let index = 0; index < characters.length; index += 1) {
    used += characterWidth(characters[index]);
    if (used > width) return `${characters.slice(0, Math.max(index - 1, 1)).join('')}…`;
  }
  return text;
}

/**
 * A column per bar (`{label, fullLabel?, value, text, short?}`), for a series such as months.
 * `short` is the label over the column (shown when there are few enough columns).
 */
export function columns(name, title, bars) {
  const height = 200;
  const top = 20;
  const bottom = 34;
  const side = 6;
  return frame(name, title, height, bars, (svg) => {
    const max = Math.max(...bars.map((bar) => bar.value), 1);
    const slot = (WIDTH - 2 * side) / bars.length;
    const plot = height - top - bottom;
    const showValues = bars.length <= 12;
    svg.append(s('line', { class: 'axis', x1: side, x2: WIDTH - side, y1: top + plot, y2: top + plot }));
    bars.forEach((bar, index) => {
      const barHeight = bar.value > 0 ? Math.max((bar.value / max) * plot, 1.5) : 0;
      const x = side + index * slot;
      const group = s(
        'g',
        { 'data-bar': '', 'data-label': bar.fullLabel ?? bar.label, 'data-value': bar.value },
        s('title', {}, t('chart.bar', { label: bar.fullLabel ?? bar.label, value: bar.text })),
        s('rect', { class: 'bar', x: x + slot * 0.15, y: top + plot - barHeight, width: slot * 0.7, height: barHeight, rx: 2 }),
        s('text', { class: 'tick', x: x + slot / 2, y: height - bottom + 14, 'text-anchor': 'middle' }, bar.label),
      );
      if (bar.sublabel) {
        group.append(s('text', { class: 'tick minor', x: x + slot / 2, y: height - bottom + 27, 'text-anchor': 'middle' }, bar.sublabel));
      }
      if (showValues && bar.value > 0) {
        group.append(s('text', { class: 'value', x: x + slot / 2, y: top + plot - barHeight - 4, 'text-anchor': 'middle' }, bar.short ?? bar.text));
      }
      svg.append(group);
    });
  });
}

/** A horizontal bar per entry (`{label, value, text}`), for categories. */
export function rows(name, title, bars) {
  const rowHeight = 26;
  const height = Math.max(bars.length * rowHeight + 8, 80);
  const labelWidth = 150;
  const valueWidth = 78;
  return frame(name, title, height, bars, (svg) => {
    const max = Math.max(...bars.map((bar) => bar.value), 1);
    const span = WIDTH - labelWidth - valueWidth - 8;
    bars.forEach((bar, index) => {
      const y = 4 + index * rowHeight;
      const barWidth = bar.value > 0 ? Math.max((bar.value / max) * span, 1.5) : 0;
      svg.append(
        s(
          'g',
          { 'data-bar': '', 'data-label': bar.label, 'data-value': bar.value },
          s('title', {}, t('chart.bar', { label: bar.label, value: bar.text })),
          s('text', { class: 'tick', x: labelWidth - 6, y: y + rowHeight / 2 + 4, 'text-anchor': 'end' }, fit(bar.label, labelWidth - 10)),
          s('rect', { class: 'bar', x: labelWidth, y: y + 4, width: barWidth, height: rowHeight - 8, rx: 2 }),
          s('text', { class: 'value', x: labelWidth + barWidth + 5, y: y + rowHeight / 2 + 4 }, bar.text),
        ),
      );
    });
  });
}
