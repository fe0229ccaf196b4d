// Block Kit as the app sends it, drawn with DOM nodes: header, section (text, fields), context,
// divider, actions (buttons), and in modals input blocks with plain_text_input, static_select,
// external_select, radio_buttons and checkboxes. Every text goes in as text, never as HTML.
import { emojify, mrkdwn } from './mrkdwn.js';

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (key === 'className' || key === 'textContent' || key === 'value' || key === 'checked') node[key] = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((c) => c !== undefined && c !== null && c !== false));
  return node;
}

/** A text object: mrkdwn through the mrkdwn renderer, plain_text as text. */
export function textObject(obj, names) {
  if (!obj || typeof obj.text !== 'string') return document.createTextNode('');
  if (obj.type === 'mrkdwn') return mrkdwn(obj.text, names);
  return document.createTextNode(obj.emoji === false ? obj.text : emojify(obj.text));
}

const plain = (obj) => (obj && typeof obj.text === 'string' ? emojify(obj.text) : '');

/**
 * Draws a list of blocks. `ctx`: `names(id)`, `onButton(blockId, element)`, and in a modal
 * `modal: { errors, onDispatch(blockId, actionId), onSuggest(blockId, actionId, typed) }`.
 */
export function renderBlocks(blocks, ctx) {
  const root = el('div', { className: 'blocks' });
  for (const block of blocks ?? []) {
    const node = renderBlock(block, ctx);
    if (node) root.append(node);
  }
  return root;
}

function renderBlock(block, ctx) {
  switch (block.type) {
    case 'header':
      return el('h3', { className: 'block-header' }, plain(block.text));
    case 'divider':
      return el('hr', { className: 'block-divider' });
    case 'section':
      return el(
        'div',
        { className: 'block-section' },
        block.text ? el('div', { className: 'section-text' }, textObject(block.text, ctx.names)) : undefined,
        Array.isArray(block.fields) ? el('div', { className: 'section-fields' }, ...block.fields.map((f) => el('div', { className: 'field' }, textObject(f, ctx.names)))) : undefined,
        block.accessory ? renderElement(block.accessory, block.block_id, ctx) : undefined,
      );
    case 'context':
      return el(
        'div',
        { className: 'block-context' },
        ...(block.elements ?? []).map((e) => (e.type === 'image' ? el('span', { className: 'image-alt' }, `[${e.alt_text ?? 'image'}]`) : el('span', {}, textObject(e, ctx.names)))),
      );
    case 'actions':
      return el('div', { className: 'block-actions', dataset: { blockId: block.block_id } }, ...(block.elements ?? []).map((e) => renderElement(e, block.block_id, ctx)));
    case 'input':
      return ctx.modal ? renderInput(block, ctx) : undefined;
    case 'image':
      return el('div', { className: 'image-alt' }, `[${block.alt_text ?? 'image'}]`);
    default:
      return el('div', { className: 'block-unknown' }, `(${block.type} block)`);
  }
}

function renderElement(element, blockId, ctx) {
  if (element.type === 'button') {
    return el(
      'button',
      {
        type: 'button',
        className: `slack-button ${element.style ?? ''}`,
        dataset: { actionId: element.action_id, blockId },
        onclick: (event) => ctx.onButton(blockId, element, event.currentTarget),
      },
      plain(element.text),
    );
  }
  if (ctx.modal && ['static_select', 'external_select', 'radio_buttons', 'checkboxes'].includes(element.type)) {
    return renderControl(element, blockId, true, ctx);
  }
  return el('span', { className: 'block-unknown' }, `(${element.type})`);
}

function renderInput(block, ctx) {
  const { errors } = ctx.modal;
  const error = errors[block.block_id];
  const element = block.element ?? {};
  return el(
    'div',
    { className: `block-input${error ? ' has-error' : ''}`, dataset: { blockId: block.block_id } },
    el('label', { className: 'input-label', for: inputId(block.block_id, element.action_id) }, plain(block.label), block.optional ? el('span', { className: 'optional' }, ' (optional)') : undefined),
    renderControl(element, block.block_id, block.dispatch_action === true, ctx),
    error ? el('div', { className: 'field-error', role: 'alert' }, error) : undefined,
    block.hint ? el('div', { className: 'input-hint' }, plain(block.hint)) : undefined,
  );
}

export const inputId = (blockId, actionId) => `input-${blockId}-${actionId}`;

const optionsOf = (element) => [...(element.options ?? []), ...(element.option_groups ?? []).flatMap((g) => g.options ?? [])];

/** A form control that knows its block, action and element type, so values can be read back. */
function renderControl(element, blockId, dispatches, ctx) {
  const data = { blockId, actionId: element.action_id, elementType: element.type };
  const id = inputId(blockId, element.action_id);
  const dispatch = dispatches ? () => ctx.modal.onDispatch(blockId, element.action_id) : undefined;
  switch (element.type) {
    case 'plain_text_input': {
      const props = {
        id,
        className: 'control',
        dataset: { ...data, ...(element.typed_value_kept ? { typedValueKept: 'true' } : {}) },
        placeholder: plain(element.placeholder) || undefined,
        maxlength: element.max_length,
        value: element.initial_value ?? '',
        autocomplete: 'off',
        spellcheck: 'false',
      };
      return element.multiline ? el('textarea', { ...props, rows: 3 }) : el('input', { ...props, type: 'text' });
    }
    case 'static_select': {
      const select = el('select', { id, className: 'control', dataset: data, onchange: dispatch }, el('option', { value: '' }, plain(element.placeholder) || 'Select an item'));
      const groups = element.option_groups ?? [{ options: element.options ?? [] }];
      for (const group of groups) {
        const parent = group.label ? el('optgroup', { label: plain(group.label) }) : select;
        for (const o of group.options ?? []) parent.append(el('option', { value: o.value }, plain(o.text)));
        if (parent !== select) select.append(parent);
      }
      select.value = element.initial_option?.value ?? '';
      return select;
    }
    case 'external_select':
      return externalSelect(element, id, data, dispatch, ctx);
    case 'radio_buttons':
    case 'checkboxes': {
      const type = element.type === 'radio_buttons' ? 'radio' : 'checkbox';
      const initial = new Set(type === 'radio' ? [element.initial_option?.value] : (element.initial_options ?? []).map((o) => o.value));
      return el(
        'fieldset',
        { id, className: 'control choices', dataset: data },
        ...optionsOf(element).map((o) =>
          el(
            'label',
            { className: 'choice' },
            el('input', { type, name: id, value: o.value, checked: initial.has(o.value), dataset: { text: plain(o.text) }, onchange: dispatch }),
            ' ',
            plain(o.text),
            o.description ? el('span', { className: 'choice-description' }, plain(o.description)) : undefined,
          ),
        ),
      );
    }
    default:
      return el('div', { className: 'block-unknown' }, `(${element.type} is not drawn by the playground)`);
  }
}

/** A text box whose options come from the app (block_suggestion) as the person types. */
function externalSelect(element, id, data, dispatch, ctx) {
  const wrapper = el('div', { className: 'control external-select', dataset: data });
  const input = el('input', { id, type: 'text', className: 'external-input', placeholder: plain(element.placeholder) || 'Type to search', autocomplete: 'off' });
  const list = el('ul', { className: 'suggestions', role: 'listbox', hidden: true });
  const choose = (option) => {
    wrapper.dataset.selected = JSON.stringify(option);
    input.value = option ? option.text.text : '';
    list.hidden = true;
    if (dispatch) dispatch();
  };
  if (element.initial_option) {
    wrapper.dataset.selected = JSON.stringify({ text: { type: 'plain_text', text: plain(element.initial_option.text) }, value: element.initial_option.value });
    input.value = plain(element.initial_option.text);
  }
  let asked = 0;
  const ask = async () => {
    const typed = input.value;
    if (typed.length < (element.min_query_length ?? 3)) return;
    const mine = ++asked;
    const options = await ctx.modal.onSuggest(data.blockId, data.actionId, typed);
    if (mine !== asked) return;
    list.replaceChildren(
      ...(options.length ? options : [null]).map((o) =>
        o ? el('li', {}, el('button', { type: 'button', className: 'suggestion', dataset: { value: o.value }, onclick: () => choose(o) }, o.text.text)) : el('li', { className: 'no-options' }, 'No options'),
      ),
    );
    list.hidden = false;
  };
  let timer;
  input.addEventListener('input', () => {
    delete wrapper.dataset.selected;
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener('focus', ask);
  wrapper.append(input, list);
  return wrapper;
}

/** `view.state.values` as Slack would build it from the controls in `root`. */
export function readValues(root) {
  const values = {};
  for (const control of root.querySelectorAll('[data-element-type]')) {
    const { blockId, actionId, elementType } = control.dataset;
    let state;
    if (elementType === 'plain_text_input') state = { type: elementType, value: control.value === '' ? null : control.value };
    else if (elementType === 'static_select') {
      const option = control.selectedOptions[0];
      state = { type: elementType, selected_option: control.value ? { text: { type: 'plain_text', text: option.textContent }, value: control.value } : null };
    } else if (elementType === 'external_select') state = { type: elementType, selected_option: control.dataset.selected ? JSON.parse(control.dataset.selected) : null };
    else if (elementType === 'radio_buttons') {
      const checked = control.querySelector('input:checked');
      state = { type: elementType, selected_option: checked ? { text: { type: 'plain_text', text: checked.dataset.text }, value: checked.value } : null };
    } else if (elementType === 'checkboxes') {
      state = { type: elementType, selected_options: [...control.querySelectorAll('input:checked')].map((c) => ({ text: { type: 'plain_text', text: c.dataset.text }, value: c.value })) };
    }
    if (state) (values[blockId] ??= {})[actionId] = state;
  }
  return values;
}

/** Puts values read from an earlier drawing of the same view back, as Slack keeps input across updates. */
export function applyValues(root, values) {
  for (const control of root.querySelectorAll('[data-element-type]')) {
    const { blockId, actionId, elementType } = control.dataset;
    const state = values[blockId]?.[actionId];
    if (!state || state.type !== elementType) continue;
    if (elementType === 'plain_text_input') control.value = state.value ?? '';
    else if (elementType === 'static_select') control.value = state.selected_option?.value ?? '';
    else if (elementType === 'external_select') {
      if (state.selected_option) control.dataset.selected = JSON.stringify(state.selected_option);
      else delete control.dataset.selected;
      control.querySelector('input').value = state.selected_option?.text.text ?? '';
    } else {
      const chosen = new Set(elementType === 'radio_buttons' ? [state.selected_option?.value] : state.selected_options.map((o) => o.value));
      for (const input of control.querySelectorAll('input')) input.checked = chosen.has(input.value);
    }
  }
}
