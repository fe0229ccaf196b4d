// Sample connections: a source of generated data Atlas offers for trying pipelines out. There are
// no fields: the connection's name picks the data set, so the form offers the data sets instead of a name.
import { z } from 'zod';
import { escapeMrkdwn, option, plain, type AnyBlock } from '../modals/blocks.js';
import { selectedValue, type ViewStateValues } from '../modals/viewState.js';
import type { ConnectionType } from './types.js';

export const SAMPLE_BLOCKS = { dataset: 'sample_dataset' } as const;
export const SAMPLE_ACTIONS = { dataset: 'sample_dataset' } as const;

/** The sample data sets Atlas documents (its spec's StreamsSampleConnections names `sample_stream_solar`). */
export const SAMPLE_DATA_SETS = [{ name: 'sample_stream_solar', label: 'Solar panels (sample_stream_solar)' }] as const;

export const sampleFormSchema = z.object({ dataset: z.string() });
export type SampleForm = z.infer<typeof sampleFormSchema>;

const options = SAMPLE_DATA_SETS.map((d) => option(d.label, d.name));

export const sampleConnection: ConnectionType<SampleForm> = {
  id: 'sample',
  label: 'Sample data',
  atlasType: 'Sample',
  notes: 'A sample connection streams generated documents (e.g. solar panel readings) for trying pipelines out. It is named after its data set.',
  formBlocks: (): AnyBlock[] => [
    {
      type: 'input',
      block_id: SAMPLE_BLOCKS.dataset,
      label: plain('Sample data set'),
      hint: plain('The connection gets the data set’s name; pipelines use it in $source.'),
      element: { type: 'static_select', action_id: SAMPLE_ACTIONS.dataset, options, initial_option: options[0] },
    },
  ],
  parseForm(values: ViewStateValues) {
    const dataset = selectedValue(values, SAMPLE_BLOCKS.dataset, SAMPLE_ACTIONS.dataset);
    if (!SAMPLE_DATA_SETS.some((d) => d.name === dataset)) {
      return { ok: false, errors: { [SAMPLE_BLOCKS.dataset]: `Choose one of the sample data sets Atlas offers: ${SAMPLE_DATA_SETS.map((d) => d.name).join(', ')}.` } };
    }
    return { ok: true, value: { dataset: dataset! } };
  },
  notEditable: 'A Sample connection has nothing to edit: it has no fields, and its name is its data set. `/spconn create sample` adds another data set.',
  namedBy: { blockId: SAMPLE_BLOCKS.dataset, name: (form) => form.dataset },
  atlasBody: (name) => ({ name, type: 'Sample' }),
  secretValues: () => [],
  summary: (form) => [['Data set', `\`${escapeMrkdwn(form.dataset)}\``]],
  describe: (connection) => [['Data set', `\`${escapeMrkdwn(connection.name)}\``]],
};
