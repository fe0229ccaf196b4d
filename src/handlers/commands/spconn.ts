// `/spconn …`: parses the text and hands it to the subcommand's own file.
import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { helpText } from '../../modals/help.js';
import type { HandlerContext } from '../context.js';
import { slashCommandSchema } from '../payloads.js';
import { auditCommand } from './audit.js';
import { createCommand } from './create.js';
import { deleteCommand } from './delete.js';
import { editCommand } from './edit.js';
import { listCommand } from './list.js';
import { parseCommand } from './parse.js';
import { privateLinksCommand } from './privatelinks.js';
import { rotateCommand } from './rotate.js';
import { commandCall } from './reply.js';
import { showCommand } from './show.js';
import { statusCommand } from './status.js';

export function spconnCommand(ctx: HandlerContext) {
  return async (args: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    const slash = slashCommandSchema.parse(args.body);
    const command = parseCommand(slash.text);
    const call = commandCall(ctx, slash, args);
    switch (command.kind) {
      case 'create':
        return createCommand(call, command.type);
      case 'list':
        return listCommand(call, command.target);
      case 'show':
        return showCommand(call, command.name, command.target);
      case 'delete':
        return deleteCommand(call, command.name, command.target);
      case 'edit':
        return editCommand(call, args.client, command.name, command.target);
      case 'rotate':
        return rotateCommand(call, command.name, command.target);
      case 'privatelinks':
        return privateLinksCommand(call, command.target);
      case 'status':
        return statusCommand(call, command.requestId);
      case 'audit':
        return auditCommand(call, command.target, command.days);
      case 'help':
        await args.ack({ response_type: 'ephemeral', text: helpText() });
        return;
      case 'usage':
        await args.ack({ response_type: 'ephemeral', text: helpText(command.problem) });
        return;
    }
  };
}
