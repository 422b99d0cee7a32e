// The privacy officer's console: reads /privacy/v1 (read-only) and renders it. No framework, no build
// step; helmet's CSP allows only this file as script. Everything inserted into the page goes through
// textContent or attributes, never innerHTML, since log fields come from partners.

const API = '/privacy/v1';
const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);
const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Amsterdam' });

/** An element with attributes and children (strings become text nodes). */
function el(tag, attrs = {}, ...children) {
  const node = tag.startsWith('svg:') ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c));
  return node;
}

const time = (iso) => (iso ? el('time', { datetime: iso }, when.format(new Date(iso))) : '');
const list = (items) => (items && items.length ? items.join(', ') : '–');

/** Table rows from cells; a cell `{ header }` becomes the row's header. An empty table says so. */
function fill(tbody, rows, empty = 'None.') {
  const columns = tbody.parentElement.tHead.rows[0].cells.length;
  const body = rows.map((cells) => el('tr', {}, ...cells.map((c, i) => (i === 0 && c?.header ? el('th', { scope: 'row' }, c.header) : el('td', {}, c)))));
  tbody.replaceChildren(...(body.length ? body : [el('tr', { class: 'empty' }, el('td', { colspan: columns }, empty))]));
}

class ApiError extends Error {}

/** One request to the privacy API; a problem+json answer becomes an error carrying its detail. */
async function api(method, path, body, accept = 'application/json') {
  const res = await fetch(API + path, {
    method,
    headers: { accept, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (!res.ok) {
    const problem = await res.json().catch(() => ({}));
    const fields = (problem.errors ?? []).map((e) => `${e.path}: ${e.message}`).join('; ');
    throw new ApiError(`${problem.title ?? res.statusText} (${res.status})${problem.detail ? ': ' + problem.detail : ''}${fields ? ' — ' + fields : ''}`);
  }
  return accept === 'text/csv' ? res.blob() : res.json();
}

function showError(target, err) {
  target.textContent = err instanceof ApiError ? err.message : `The hub could not be reached: ${err.message}`;
  target.hidden = false;
  target.dataset.state = 'error';
}

/** The day after a date: the API's `to` is exclusive, the form's "to" is inclusive. */
function dayAfter(date) {
  const d = new Date(date + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

// --- the search form -------------------------------------------------------------------------------

function person() {
  const bsn = $('bsn').value.trim();
  const name = $('name').value.trim();
  const dateOfBirth = $('dateOfBirth').value;
  if (bsn && !/^[0-9]{9}$/.test(bsn)) throw new ApiError('A BSN has nine digits.');
  if ((name && !dateOfBirth) || (!name && dateOfBirth)) throw new ApiError('A name and a date of birth go together.');
  return { ...(bsn ? { bsn } : {}), ...(name ? { name, dateOfBirth } : {}) };
}

function criteria() {
  const q = person();
  for (const field of ['partner', 'purpose', 'type', 'caseRef']) {
    const v = $(field).value.trim();
    if (v) q[field] = v;
  }
  if ($('from').value) q.from = $('from').value;
  if ($('to').value) q.to = dayAfter($('to').value);
  const limit = Number($('limit').value);
  if (Number.isInteger(limit) && limit > 0) q.limit = Math.min(limit, 10_000);
  return q;
}

const formError = () => $('form-error');
function clearFormError() {
  formError().hidden = true;
  formError().textContent = '';
}

async function search(event) {
  event?.preventDefault();
  clearFormError();
  const summary = $('results-summary');
  try {
    const { disclosures } = await api('POST', '/search', criteria());
    renderResults(disclosures);
  } catch (err) {
    showError(formError(), err);
    summary.textContent = 'The search failed.';
  }
}

function renderResults(rows) {
  const table = $('results-table');
  $('results-summary').textContent = rows.length === 0 ? 'No disclosures match.' : `${rows.length} disclosure record${rows.length === 1 ? '' : 's'} (one per delivery and person concerned).`;
  table.hidden = rows.length === 0;
  fill(
    table.tBodies[0],
    rows.map((r) => [
      el('button', { type: 'button', class: 'link', 'data-seq': r.seq, 'aria-label': `Open record ${r.seq}`, onclick: () => openRecord(r.seq) }, `#${r.seq}`),
      time(r.occurredAt),
      r.sender,
      r.recipient,
      r.type,
      r.purpose,
      r.caseRef,
      r.subject?.role ?? '–',
      list(r.categories),
    ]),
  );
  addPartners(rows.flatMap((r) => [r.sender, r.recipient]));
  $('results').scrollIntoView({ block: 'start' });
}

async function exportCsv() {
  clearFormError();
  try {
    const blob = await api('POST', '/search', criteria(), 'text/csv');
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: `disclosures-${new Date().toISOString().slice(0, 10)}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    showError(formError(), err);
  }
}

// --- one record ------------------------------------------------------------------------------------

function facts(target, pairs) {
  target.replaceChildren(...pairs.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v === undefined || v === '' ? '–' : v)]));
}

async function openRecord(seq) {
  const section = $('detail');
  try {
    const { record: r, status } = await api('GET', `/records/${encodeURIComponent(seq)}`);
    $('detail-h').textContent = `Record #${r.seq}: ${r.sender} → ${r.recipient}`;
    facts($('detail-facts'), [
      ['When', time(r.occurredAt)],
      ['Logged', time(r.loggedAt)],
      ['From', r.sender],
      ['To', r.recipient],
      ['Message type', r.type],
      ['Purpose', r.purpose],
      ['Legal basis', r.legalBasis],
      ['Policy (processing activity)', `${r.processingActivity.id} v${r.processingActivity.version}`],
      ['Case reference', r.caseRef],
      ['Person', r.subject ? `${r.subject.role} · BSN pseudonym ${short(r.subject.bsn)} · name pseudonym ${short(r.subject.nameDob)}` : 'no person named'],
      ['Categories', list(r.categories)],
      ['Message id', el('code', {}, r.messageId)],
      ['Delivery id', el('code', {}, r.deliveryId)],
      ['Trace id', el('code', {}, r.traceId)],
      ['Ciphertext digest', el('code', {}, r.ciphertextDigest)],
      // A record written before manifests had entries of their own carries its manifest itself.
      ['Manifest', r.manifestSeq === undefined ? 'in this record itself (written before manifests were logged once per delivery)' : el('span', {}, `logged once for the delivery, as record #${r.manifestSeq}; digest `, el('code', {}, r.manifestDigest))],
      ['Retained until', time(r.retainUntil)],
    ]);
    $('detail-disclosed-count').textContent = `(${r.manifest.disclosed.length} fields)`;
    $('detail-withheld-count').textContent = `(${r.manifest.withheld.length} fields)`;
    fill($('detail-disclosed').tBodies[0], r.manifest.disclosed.map((d) => [el('code', {}, d.path), d.category, d.transform]), 'Nothing was disclosed.');
    fill($('detail-withheld').tBodies[0], r.manifest.withheld.map((w) => [el('code', {}, w.path), w.category]), 'Nothing was withheld: the policy let every field of this message through.');
    fill($('detail-status').tBodies[0], status.map((s) => [`#${s.seq}`, s.event, time(s.occurredAt), s.detail ?? '']), 'No later status yet.');
    section.hidden = false;
    section.focus();
  } catch (err) {
    showError($('results-summary'), err);
  }
}

const short = (pseudonym) => (pseudonym ? pseudonym.slice(0, 12) + '…' : '–');

// --- the report for a person (GDPR art. 15) -------------------------------------------------------

async function report() {
  clearFormError();
  try {
    const who = person();
    if (!who.bsn && !who.name) throw new ApiError('For a report, enter the person: a BSN, or a name and a date of birth.');
    const r = await api('POST', '/report', who);
    renderReport(r);
  } catch (err) {
    showError(formError(), err);
  }
}

function renderReport(r) {
  const byRecipient = new Map();
  for (const d of r.disclosures) {
    const agg = byRecipient.get(d.to) ?? { categories: new Set(), count: 0, first: d.when, last: d.when };
    d.categories.forEach((c) => agg.categories.add(c));
    agg.count++;
    if (d.when < agg.first) agg.first = d.when;
    if (d.when > agg.last) agg.last = d.when;
    byRecipient.set(d.to, agg);
  }
  $('report-meta').replaceChildren(
    `Drawn up ${when.format(new Date(r.generatedAt))} (Dutch time) from the hub's disclosure log, for the person entered (found by pseudonym). `,
    r.disclosures.length === 0 ? 'The log holds no disclosures about this person.' : `${r.disclosures.length} disclosure${r.disclosures.length === 1 ? '' : 's'} to ${byRecipient.size} recipient${byRecipient.size === 1 ? '' : 's'}.`,
  );
  fill(
    $('report-recipients').tBodies[0],
    [...byRecipient].sort(([a], [b]) => a.localeCompare(b)).map(([to, a]) => [{ header: to }, list([...a.categories].sort()), a.count, time(a.first), time(a.last)]),
  );
  fill($('report-disclosures').tBodies[0], r.disclosures.map((d) => [time(d.when), d.from, d.to, list(d.categories), d.purpose, d.legalBasis, d.type, d.caseRef, d.role ?? '–', time(d.keptUntil)]));
  const section = $('report');
  section.hidden = false;
  document.body.classList.add('report-open');
  section.focus();
}

function closeReport() {
  $('report').hidden = true;
  document.body.classList.remove('report-open');
}

// --- the chain, and who is overdue to be told -----------------------------------------------------

async function verify() {
  const status = $('chain-status');
  status.dataset.state = 'pending';
  status.textContent = 'Verifying…';
  try {
    const v = await api('GET', '/log/verify');
    status.dataset.state = v.intact ? 'intact' : 'broken';
    status.replaceChildren(
      ...(v.intact
        ? [el('strong', {}, 'Intact'), `, ${v.records} records, root `, el('code', { class: 'hash' }, v.root), `. Checked against ${v.checkpoints} signed checkpoint${v.checkpoints === 1 ? '' : 's'}.`, ...(v.checkpoint ? [` Latest checkpoint: ${v.checkpoint.treeSize} records, signed `, time(v.checkpoint.signedAt), '.'] : [])]
        : [el('strong', {}, 'Not intact'), `: the first bad record is #${v.firstBadRecord}. ${v.reason} (${v.records} records read before it).`]),
    );
  } catch (err) {
    showError(status, err);
  }
}

async function overdue() {
  const summary = $('overdue-summary');
  try {
    const { today, overdue: rows } = await api('GET', '/informing/overdue');
    summary.textContent = rows.length === 0 ? `Nobody is overdue to be told (${today}).` : `${rows.length} person${rows.length === 1 ? '' : 's'} overdue to be told of the meeting (${today}).`;
    $('overdue-table').hidden = rows.length === 0;
    fill(
      $('overdue-table').tBodies[0],
      rows.map((r) => [r.caseRef, r.role, r.status === 'postponed' ? `postponed${r.reasonGiven ? ' (reason given)' : ''}` : r.status, r.reviewDate ?? '–', time(r.recordedAt), el('code', {}, short(r.subject.bsn ?? r.subject.nameDob))]),
    );
  } catch (err) {
    showError(summary, err);
  }
}

// --- the chart ---------------------------------------------------------------------------------------

// Distinguishable colours (Okabe-Ito and Tableau), each series keeps its colour while the page is open.
const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000', '#8c564b', '#7f7f7f', '#bcbd22', '#17becf'];

function days(from, to) {
  const out = [];
  for (let d = from; d <= to && out.length < 732; d = dayAfter(d)) out.push(d);
  return out;
}

function niceMax(n) {
  if (n <= 5) return Math.max(n, 1);
  const step = 10 ** Math.floor(Math.log10(n));
  return Math.ceil(n / step) * step;
}

async function chart(event) {
  event?.preventDefault();
  const caption = $('chart-caption');
  const from = $('chart-from').value;
  const to = $('chart-to').value;
  const query = new URLSearchParams({ ...(from ? { from } : {}), ...(to ? { to: dayAfter(to) } : {}) });
  try {
    const { series } = await api('GET', `/stats${query.size ? '?' + query : ''}`);
    drawChart(series);
  } catch (err) {
    showError(caption, err);
  }
}

function drawChart(series) {
  const area = $('chart-area');
  const caption = $('chart-caption');
  fill($('chart-table').tBodies[0], series.map((s) => [s.day, s.recipient, s.purpose, s.disclosures]));
  addPartners(series.map((s) => s.recipient));
  if (series.length === 0) {
    area.replaceChildren();
    caption.textContent = 'No disclosures in this period.';
    return;
  }
  const keys = [...new Set(series.map((s) => `${s.recipient} · ${s.purpose}`))].sort();
  const colour = new Map(keys.map((k, i) => [k, PALETTE[i % PALETTE.length]]));
  const sorted = series.map((s) => s.day).sort();
  const axis = days(sorted[0], sorted.at(-1));
  const totals = new Map();
  const cell = new Map();
  for (const s of series) {
    totals.set(s.day, (totals.get(s.day) ?? 0) + s.disclosures);
    cell.set(`${s.day}|${s.recipient} · ${s.purpose}`, s);
  }
  const top = niceMax(Math.max(...totals.values()));

  const W = 760, H = 300, left = 48, right = 12, topPad = 12, bottom = 56;
  const plotW = W - left - right, plotH = H - topPad - bottom;
  const slot = plotW / axis.length;
  const barW = Math.max(1, Math.min(48, slot * 0.7));
  const y = (n) => topPad + plotH - (n / top) * plotH;
  const svg = el('svg:svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc', class: 'chart' });
  svg.append(el('svg:title', { id: 'chart-title' }, 'Disclosures per day, stacked per recipient and purpose'));
  svg.append(el('svg:desc', { id: 'chart-desc' }, `${series.reduce((n, s) => n + s.disclosures, 0)} disclosures from ${axis[0]} to ${axis.at(-1)}; the table below the chart holds the same figures.`));

  const ticks = top <= 5 ? top : 5;
  for (let i = 0; i <= ticks; i++) {
    const v = (top / ticks) * i;
    svg.append(el('svg:line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: i === 0 ? 'axis' : 'grid' }));
    svg.append(el('svg:text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick' }, Number.isInteger(v) ? v : v.toFixed(1)));
  }
  const labelEvery = Math.ceil(axis.length / Math.floor(plotW / 70));
  axis.forEach((day, i) => {
    const x = left + slot * i + (slot - barW) / 2;
    let stacked = 0;
    for (const key of keys) {
      const s = cell.get(`${day}|${key}`);
      if (!s) continue;
      const h = y(stacked) - y(stacked + s.disclosures);
      svg.append(
        el('svg:rect', { x, y: y(stacked + s.disclosures), width: barW, height: h, fill: colour.get(key), class: 'bar', 'data-day': day, 'data-recipient': s.recipient, 'data-purpose': s.purpose, 'data-count': s.disclosures },
          el('svg:title', {}, `${day}: ${s.recipient}, ${s.purpose}: ${s.disclosures}`)),
      );
      stacked += s.disclosures;
    }
    if (i % labelEvery === 0) svg.append(el('svg:text', { x: left + slot * i + slot / 2, y: H - bottom + 18, 'text-anchor': 'middle', class: 'tick' }, day));
  });
  svg.append(el('svg:text', { x: 12, y: topPad + plotH / 2, transform: `rotate(-90 12 ${topPad + plotH / 2})`, 'text-anchor': 'middle', class: 'label' }, 'disclosures'));

  const legend = el('ul', { class: 'legend', 'aria-label': 'Legend' },
    keys.map((k) => el('li', {}, el('svg:svg', { width: 14, height: 14, 'aria-hidden': 'true' }, el('svg:rect', { width: 14, height: 14, fill: colour.get(k) })), ' ', k)));
  area.replaceChildren(svg, legend);
  caption.textContent = `Disclosures (deliveries) per day from ${axis[0]} to ${axis.at(-1)}, stacked per recipient and purpose.`;
}

// --- the audit trail -----------------------------------------------------------------------------

async function auditTrail() {
  const table = $('audit-table');
  try {
    const { audit } = await api('GET', '/audit?limit=100');
    table.hidden = false;
    $('audit-summary').textContent = `The latest ${audit.length} question${audit.length === 1 ? '' : 's'}, newest first.`;
    fill(table.tBodies[0], audit.map((a) => [time(a.at), a.officer, a.action, a.results, el('code', {}, JSON.stringify(a.query))]), 'Nothing asked yet.');
  } catch (err) {
    showError($('audit-summary'), err);
  }
}

// --- partners for the search's suggestions ---------------------------------------------------------

const knownPartners = new Set();
function addPartners(ids) {
  const before = knownPartners.size;
  ids.forEach((id) => id && knownPartners.add(id));
  if (knownPartners.size !== before) $('partners').replaceChildren(...[...knownPartners].sort().map((id) => el('option', { value: id })));
}

// --- wiring ---------------------------------------------------------------------------------------

$('search-form').addEventListener('submit', search);
$('search-form').addEventListener('reset', clearFormError);
$('export-csv').addEventListener('click', exportCsv);
$('make-report').addEventListener('click', report);
$('print-report').addEventListener('click', () => window.print());
$('close-report').addEventListener('click', closeReport);
$('close-detail').addEventListener('click', () => ($('detail').hidden = true));
$('verify-again').addEventListener('click', verify);
$('chart-form').addEventListener('submit', chart);
$('load-audit').addEventListener('click', auditTrail);
document.body.dataset.ready = 'true';
await Promise.all([verify(), overdue(), chart()]);
document.body.dataset.loaded = 'true';
