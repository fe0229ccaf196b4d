// The playground page: a #platform channel with threads and ephemeral messages, a message box
// for /spconn, the modal the app opened, and the emulated Atlas project. State arrives by
// Server-Sent Events; every action is a small JSON call that the server turns into what Slack
// would send the app.
import { applyValues, el, readValues, renderBlocks, textObject } from './blocks.js';
import { mrkdwn } from './mrkdwn.js';

const $ = (selector) => document.querySelector(selector);

let state = null;
let me = new URLSearchParams(location.search).get('as') || localStorage.getItem('spconn-playground-as') || '';
let events = null;
let drawn = { messages: '', modalKey: '', atlas: '', people: '', home: '' };
/** Which tab the person looks at: the #platform channel or spconn's Home tab (SPEC §12). */
let tab = 'channel';

// ---- talking to the playground server ----

async function call(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) {
    toast(answer.error ?? `The playground answered HTTP ${res.status}.`);
    throw new Error(answer.error ?? String(res.status));
  }
  return answer;
}

function connect() {
  if (events) events.close();
  const url = me ? `/api/events?as=${encodeURIComponent(me)}` : null;
  if (!url) return;
  events = new EventSource(url);
  events.onmessage = (event) => {
    state = JSON.parse(event.data);
    document.body.classList.remove('disconnected');
    render();
  };
  events.onerror = () => document.body.classList.add('disconnected');
}

async function start() {
  const { people } = await fetch('/api/people').then((r) => r.json());
  // The first visit starts as the requester, whose turn it is.
  if (!people.some((p) => p.id === me)) me = people[0].id;
  switchTo(me);
  $('#composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('#composer-input');
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    call('/api/command', { as: me, text }).catch(() => {});
  });
  for (const button of document.querySelectorAll('.tabs .tab')) button.addEventListener('click', () => showTab(button.dataset.tab));
  for (const chip of document.querySelectorAll('[data-suggest-command]')) {
    chip.addEventListener('click', () => {
      const input = $('#composer-input');
      input.value = chip.dataset.suggestCommand;
      input.focus();
    });
  }
}

function switchTo(person) {
  me = person;
  localStorage.setItem('spconn-playground-as', me);
  const url = new URL(location.href);
  url.searchParams.set('as', me);
  history.replaceState(null, '', url);
  drawn = { messages: '', modalKey: '', atlas: '', people: '', home: '' };
  connect();
  // Each person has their own Home: opening it as someone else is a new app_home_opened.
  if (tab === 'home') call('/api/home-open', { as: me }).catch(() => {});
}

function showTab(which) {
  tab = which;
  for (const button of document.querySelectorAll('.tabs .tab')) button.setAttribute('aria-pressed', button.dataset.tab === tab ? 'true' : 'false');
  $('#home').hidden = tab !== 'home';
  for (const selector of ['#timeline', '#dms', '#composer', '.command-chips']) $(selector).hidden = tab === 'home';
  if (tab === 'home') call('/api/home-open', { as: me }).catch(() => {});
}

// ---- drawing ----

const names = (id) => {
  if (id === 'U0SPCONNBOT') return 'spconn';
  const person = state?.people.find((p) => p.id === id);
  return person ? person.name : undefined;
};

function render() {
  renderPeople();
  renderMessages();
  renderModal();
  renderAtlas();
  renderHome();
}

function renderHome() {
  const key = JSON.stringify(state.home);
  if (key === drawn.home) return;
  drawn.home = key;
  $('#home').replaceChildren(
    state.home
      ? renderBlocks(state.home.blocks, { names, onButton: (blockId, element, button) => clickInHome(blockId, element, button) })
      : el('p', { className: 'empty' }, 'spconn has not published a Home for you yet.'),
  );
}

async function clickInHome(blockId, element, button) {
  if (element.confirm && !(await confirmDialog(element.confirm))) return;
  button.disabled = true;
  try {
    await call('/api/home-action', { as: me, blockId, actionId: element.action_id });
  } catch {
    // toast() has said why.
  } finally {
    button.disabled = false;
  }
}

function renderPeople() {
  const key = JSON.stringify([state.people, me]);
  if (key === drawn.people) return;
  drawn.people = key;
  $('#people').replaceChildren(
    ...state.people.map((p) =>
      el('button', { type: 'button', className: `person${p.id === me ? ' active' : ''}`, dataset: { person: p.id }, 'aria-pressed': p.id === me ? 'true' : 'false', onclick: () => switchTo(p.id) }, el('strong', {}, p.name), el('span', { className: 'role' }, p.role)),
    ),
  );
  const person = state.people.find((p) => p.id === me);
  $('#composer-input').placeholder = `Message #${state.channel.name} as ${person?.name ?? me} — try /spconn create https`;
}

function renderMessages() {
  const key = JSON.stringify([state.messages, state.directMessages]);
  if (key === drawn.messages) return;
  drawn.messages = key;
  const timeline = $('#timeline');
  const atBottom = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 40;
  const openThreads = new Set([...timeline.querySelectorAll('details.thread:not([open])')].map((d) => d.dataset.parent));
  timeline.replaceChildren(
    ...(state.messages.length ? state.messages.map((m) => message(m, openThreads)) : [el('p', { className: 'empty' }, 'Nothing here yet. Type /spconn create https below to ask for a connection.')]),
  );
  $('#dms').replaceChildren(...(state.directMessages.length ? [el('h2', {}, 'Direct messages from spconn'), ...state.directMessages.map((m) => message(m, openThreads))] : []));
  if (atBottom) timeline.scrollTop = timeline.scrollHeight;
}

function message(m, collapsed) {
  const node = el(
    'article',
    { className: `message${m.ephemeral ? ' ephemeral' : ''}`, dataset: { ts: m.ts, channel: m.channel } },
    el(
      'div',
      { className: 'message-meta' },
      el('span', { className: 'author' }, m.author),
      m.author === 'spconn' ? el('span', { className: 'app-badge' }, 'APP') : undefined,
      el('time', {}, new Date(Number(m.ts) * 1000).toLocaleTimeString()),
      m.edited ? el('span', { className: 'edited' }, '(edited)') : undefined,
      m.ephemeral ? el('span', { className: 'only-you' }, 'Only visible to you') : undefined,
    ),
    m.blocks.length ? renderBlocks(m.blocks, { names, onButton: (blockId, element, button) => clickInMessage(m, blockId, element, button) }) : el('div', { className: 'message-text' }, mrkdwn(m.text, names)),
  );
  if (m.replies?.length) {
    const thread = el(
      'details',
      { className: 'thread', dataset: { parent: m.ts }, open: !collapsed.has(m.ts) },
      el('summary', {}, `${m.replies.length} ${m.replies.length === 1 ? 'reply' : 'replies'}`),
      ...m.replies.map((r) => message(r, collapsed)),
    );
    node.append(thread);
  }
  return node;
}

async function clickInMessage(m, blockId, element, button) {
  if (element.confirm && !(await confirmDialog(element.confirm))) return;
  button.disabled = true;
  try {
    await call('/api/message-action', { as: me, message: { channel: m.channel, ts: m.ts, ephemeral: m.ephemeral }, blockId, actionId: element.action_id });
  } catch {
    // toast() has said why.
  } finally {
    button.disabled = false;
  }
}

/** Slack's confirm dialog on a button: resolves true for the confirm button. */
function confirmDialog(confirm) {
  return new Promise((resolve) => {
    const layer = $('#confirm-layer');
    const done = (answer) => {
      layer.hidden = true;
      layer.replaceChildren();
      resolve(answer);
    };
    layer.replaceChildren(
      el(
        'div',
        { className: 'dialog', role: 'alertdialog', 'aria-modal': 'true' },
        el('h2', {}, confirm.title?.text ?? 'Are you sure?'),
        el('p', {}, textObject(confirm.text, names)),
        el(
          'div',
          { className: 'dialog-buttons' },
          el('button', { type: 'button', className: 'slack-button', dataset: { confirm: 'deny' }, onclick: () => done(false) }, confirm.deny?.text ?? 'Cancel'),
          el('button', { type: 'button', className: `slack-button ${confirm.style === 'danger' ? 'danger' : 'primary'}`, dataset: { confirm: 'confirm' }, onclick: () => done(true) }, confirm.confirm?.text ?? 'Yes'),
        ),
      ),
    );
    layer.hidden = false;
  });
}

function renderModal() {
  const modal = state.modal;
  const layer = $('#modal-layer');
  const key = modal ? JSON.stringify([modal.viewId, modal.hash, modal.errors, modal.problem ?? '']) : '';
  if (key === drawn.modalKey) return;
  const previous = layer.querySelector('#modal');
  // Slack keeps what was typed when the same view is redrawn (an update, inline errors).
  const kept = previous && modal && previous.dataset.viewId === modal.viewId ? readValues(previous) : null;
  const focused = document.activeElement?.id;
  drawn.modalKey = key;
  if (!modal) {
    layer.hidden = true;
    layer.replaceChildren();
    return;
  }
  const submitting = { busy: false };
  const values = () => readValues(layer.querySelector('#modal'));
  const body = renderBlocks(modal.blocks, {
    names,
    onButton: (blockId, element) => call('/api/view-action', { as: me, viewId: modal.viewId, values: values(), blockId, actionId: element.action_id }).catch(() => {}),
    modal: {
      errors: modal.errors,
      onDispatch: (blockId, actionId) => call('/api/view-action', { as: me, viewId: modal.viewId, values: values(), blockId, actionId }).catch(() => {}),
      onSuggest: (blockId, actionId, typed) =>
        call('/api/view-suggest', { as: me, viewId: modal.viewId, values: values(), blockId, actionId, typed })
          .then((a) => a.options)
          .catch(() => []),
    },
  });
  const close = () => call('/api/view-close', { as: me, viewId: modal.viewId }).catch(() => {});
  const form = el(
    'form',
    {
      id: 'modal',
      className: 'modal',
      role: 'dialog',
      'aria-modal': 'true',
      dataset: { viewId: modal.viewId },
      onsubmit: async (event) => {
        event.preventDefault();
        if (submitting.busy) return;
        submitting.busy = true;
        const button = form.querySelector('button[type=submit]');
        if (button) button.disabled = true;
        try {
          await call('/api/view-submit', { as: me, viewId: modal.viewId, values: values() });
        } catch {
          // toast() has said why.
        } finally {
          submitting.busy = false;
          if (button) button.disabled = false;
        }
      },
    },
    el('header', { className: 'modal-header' }, el('h2', {}, modal.title?.text ?? ''), el('button', { type: 'button', className: 'modal-x', 'aria-label': 'Close', onclick: close }, '×')),
    el('div', { className: 'modal-body' }, body),
    modal.problem ? el('div', { className: 'modal-problem', role: 'alert' }, modal.problem) : undefined,
    el(
      'footer',
      { className: 'modal-footer' },
      el('button', { type: 'button', className: 'slack-button', onclick: close }, modal.close?.text ?? (modal.depth > 0 ? 'Back' : 'Cancel')),
      modal.submit ? el('button', { type: 'submit', className: 'slack-button primary' }, modal.submit.text) : undefined,
    ),
  );
  layer.replaceChildren(form);
  layer.hidden = false;
  if (kept) applyValues(form, kept);
  if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
}

function renderAtlas() {
  const atlas = state.atlas;
  const key = JSON.stringify(atlas);
  if (key === drawn.atlas) return;
  drawn.atlas = key;
  $('#atlas-project').textContent = `project ${atlas.projectId} · instance ${atlas.instance}`;
  $('#atlas-connections').replaceChildren(
    ...(atlas.connections.length
      ? atlas.connections.map((c) =>
          el(
            'li',
            { className: 'atlas-item', dataset: { name: c.name, state: c.state } },
            el('div', { className: 'item-title' }, el('strong', {}, c.name), ` ${c.type} `, badge(c.state)),
            ...c.details.map(([label, text]) => el('div', { className: 'item-detail' }, `${label}: ${text}`)),
            c.state === 'PENDING' ? controls([['READY', 'Make READY'], ['FAILED', 'Fail']], (s) => call('/api/atlas/connection', { name: c.name, state: s }), 'connectionControl') : undefined,
          ),
        )
      : [el('li', { className: 'empty' }, 'No connections yet.')]),
  );
  $('#atlas-links').replaceChildren(
    ...(atlas.privateLinks.length
      ? atlas.privateLinks.map((l) =>
          el(
            'li',
            { className: 'atlas-item', dataset: { linkId: l.id, state: l.state } },
            el('div', { className: 'item-title' }, el('code', {}, l.id), ' ', badge(l.state)),
            el('div', { className: 'item-detail' }, `${l.region} · ${l.dnsDomain}`),
            el('div', { className: 'item-detail' }, l.serviceEndpointId),
            l.interfaceEndpointId ? el('div', { className: 'item-detail' }, `interface endpoint ${l.interfaceEndpointId}`) : undefined,
            l.errorMessage ? el('div', { className: 'item-detail error' }, l.errorMessage) : undefined,
            ['IDLE', 'WORKING', ''].includes(l.state)
              ? controls([['DONE', 'Make ready (DONE)'], ['FAILED', 'Fail']], (s) => call('/api/atlas/private-link', { id: l.id, state: s }), 'linkControl')
              : undefined,
          ),
        )
      : [el('li', { className: 'empty' }, 'No Private Link connections.')]),
  );
  $('#atlas-processors').replaceChildren(
    ...(atlas.processors.length
      ? atlas.processors.map((p) =>
          el(
            'li',
            { className: 'atlas-item', dataset: { processor: p.name, state: p.state } },
            el('div', { className: 'item-title' }, el('strong', {}, p.name), ' ', badge(p.state)),
            el('div', { className: 'item-detail' }, `uses ${p.connections.join(', ') || 'no connection'}`),
            controls(p.state === 'STARTED' ? [['STOPPED', 'Stop']] : [['STARTED', 'Start']], (s) => call('/api/atlas/processor', { name: p.name, state: s }), 'processorControl'),
          ),
        )
      : [el('li', { className: 'empty' }, 'No stream processors.')]),
  );
  $('#atlas-faults').replaceChildren(...atlas.faults.map((f) => el('li', {}, `HTTP ${f.status} for the next ${f.remaining} ${f.remaining === 1 ? 'call' : 'calls'} (${f.where})`)));
  $('#atlas-calls').replaceChildren(
    ...atlas.recentCalls.map((c) => el('li', { className: c.status >= 400 ? 'failed-call' : '' }, el('code', {}, `${c.status} ${c.method} ${c.path}`), c.operation ? ` ${c.operation}` : '')),
  );
}

function badge(text) {
  return el('span', { className: `badge state-${String(text).toLowerCase()}` }, text || '—');
}

function controls(choices, act, dataKey) {
  return el(
    'div',
    { className: 'item-controls' },
    ...choices.map(([value, label]) =>
      el('button', { type: 'button', className: `slack-button small${value === 'FAILED' ? ' danger' : ''}`, dataset: { [dataKey]: value }, onclick: () => act(value).catch(() => {}) }, label),
    ),
  );
}

function toast(text) {
  const node = el('div', { className: 'toast', role: 'status' }, text);
  $('#toasts').append(node);
  setTimeout(() => node.remove(), 6000);
}

for (const button of document.querySelectorAll('[data-fault]')) {
  button.addEventListener('click', () => call('/api/atlas/fault', { status: Number(button.dataset.fault), times: Number($('#fault-times').value) || 1 }).catch(() => {}));
}
for (const button of document.querySelectorAll('[data-secret-version]')) {
  button.addEventListener('click', () =>
    call('/api/secrets/new-version', { name: button.dataset.secretVersion })
      .then((r) => toast(`New version ${r.versionId} of ${button.dataset.secretVersion} is AWSCURRENT.${r.rotations ? ` ${r.rotations} rotation request(s) opened.` : ''}`))
      .catch(() => {}),
  );
}
for (const button of document.querySelectorAll('[data-skip-hours]')) {
  button.addEventListener('click', () =>
    call('/api/clock/skip', { hours: Number(button.dataset.skipHours) })
      .then((r) => {
        $('#clock-note').textContent = `The app's clock is ${r.skippedMs / 3_600_000} hours ahead.`;
        toast(`Skipped ${button.dataset.skipHours} h: ${r.posted} reminder(s) or escalation(s) posted, ${r.expired} request(s) expired.`);
      })
      .catch(() => {}),
  );
}
for (const button of document.querySelectorAll('[data-outside]')) {
  button.addEventListener('click', () => {
    const action = button.dataset.outside;
    const body = { action, name: $('#outside-name').value.trim(), ...(action === 'delete' ? {} : { url: $('#outside-url').value.trim() }) };
    call('/api/atlas/outside-change', body)
      .then((r) => toast(r.status >= 400 ? `Atlas refused it (${r.status}): ${r.error}` : `Changed in Atlas from outside: ${r.posted} drift alert(s) posted.`))
      .catch(() => {});
  });
}
$('#clear-faults').addEventListener('click', () => call('/api/atlas/clear-faults', {}).catch(() => {}));

start().catch((err) => toast(`The playground could not start: ${err.message}`));
