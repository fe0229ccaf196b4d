// The fixed small view the baseline opens (about 0.2 kB; spconn's create form is about 2.8 kB).
import type { ModalView } from '@slack/types';

export const BASELINE_SMALL_VIEW: ModalView = {
  type: 'modal',
  callback_id: 'baseline',
  title: { type: 'plain_text', text: 'Baseline' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }],
};
