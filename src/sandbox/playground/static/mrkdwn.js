// Slack's mrkdwn, minimally: *bold*, _italic_, ~strike~, `code`, ```blocks```, <links|labels>,
// <@mentions>, <!date^…|fallback>, :emoji: and newlines. Builds DOM nodes from text only: nothing
// the app or a person wrote is ever parsed as HTML.

// Symbols every system font has (a headless browser may have no colour emoji font), coloured by CSS.
const EMOJI = {
  white_check_mark: ['✔', 'good'], heavy_check_mark: ['✔', 'good'], x: ['✖', 'bad'], heavy_multiplication_x: ['✖', 'bad'],
  hourglass_flowing_sand: ['⧗', 'wait'], gear: ['⚙', 'wait'], large_green_circle: ['●', 'good'], red_circle: ['●', 'bad'],
  no_entry: ['⊘', 'bad'], zzz: ['z', 'muted'], white_circle: ['○', 'muted'], heavy_minus_sign: ['−', 'muted'],
  point_right: ['☞', 'wait'], warning: ['⚠', 'bad'], information_source: ['ℹ', 'muted'],
};

const INLINE =
  /`([^`\n]+)`|<([^<>\n]+)>|(?<![\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])|(?<!\w)_(?!\s)([^_\n]+?)_(?!\w)|(?<![\w~])~(?!\s)([^~\n]+?)~(?![\w~])|:([a-z0-9_+-]+):|(\n)/g;

/** Slack escapes &, < and > in message text; show them as typed. */
export function unescapeSlack(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Replaces :emoji: codes it knows in plain text. */
export function emojify(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name]?.[0] ?? all);
}

function emoji(name, fallback) {
  const known = EMOJI[name];
  if (!known) return fallback;
  const span = document.createElement('span');
  span.className = `emoji emoji-${known[1]}`;
  span.title = `:${name}:`;
  span.textContent = known[0];
  return span;
}

/** The mrkdwn text as a fragment of DOM nodes; `names` turns user ids into names. */
export function mrkdwn(text, names) {
  const fragment = document.createDocumentFragment();
  const parts = String(text).split(/```/);
  parts.forEach((part, i) => {
    if (i % 2 === 1 && i < parts.length - 1) {
      const pre = document.createElement('pre');
      pre.textContent = unescapeSlack(part.replace(/^\n/, ''));
      fragment.append(pre);
    } else {
      appendInline(fragment, i % 2 === 1 ? '```' + part : part, names);
    }
  });
  return fragment;
}

function appendInline(parent, text, names) {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) parent.append(unescapeSlack(text.slice(last, m.index)));
    last = m.index + m[0].length;
    if (m[1] !== undefined) {
      const code = document.createElement('code');
      code.textContent = unescapeSlack(m[1]);
      parent.append(code);
    } else if (m[2] !== undefined) {
      parent.append(special(m[2], names));
    } else if (m[3] !== undefined || m[4] !== undefined || m[5] !== undefined) {
      const el = document.createElement(m[3] !== undefined ? 'strong' : m[4] !== undefined ? 'em' : 's');
      appendInline(el, m[3] ?? m[4] ?? m[5], names);
      parent.append(el);
    } else if (m[6] !== undefined) {
      parent.append(emoji(m[6], m[0]));
    } else {
      parent.append(document.createElement('br'));
    }
  }
  if (last < text.length) parent.append(unescapeSlack(text.slice(last)));
}

/** What Slack writes between < and >: a mention, a channel, a special command or a link. */
function special(inner, names) {
  const [target, label] = splitOnce(inner, '|');
  const span = document.createElement('span');
  if (target.startsWith('@')) {
    span.className = 'mention';
    span.textContent = '@' + (names(target.slice(1)) ?? label ?? target.slice(1));
    return span;
  }
  if (target.startsWith('#')) {
    span.className = 'mention';
    span.textContent = '#' + (label ?? target.slice(1));
    return span;
  }
  if (target.startsWith('!')) {
    const command = target.slice(1).split('^')[0];
    span.className = command === 'date' ? 'date' : 'mention';
    span.textContent = label !== undefined ? unescapeSlack(label) : '@' + command;
    return span;
  }
  const url = unescapeSlack(target);
  if (!/^(https?:|mailto:)/i.test(url)) return unescapeSlack('<' + inner + '>');
  const a = document.createElement('a');
  a.href = url;
  a.target = '_blank';
  a.rel = 'noopener noreferrer';
  a.textContent = unescapeSlack(label ?? target);
  return a;
}

function splitOnce(text, separator) {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}
