// Who may approve: the target's listed owners and the members of its owner group (read from
// Slack, cached briefly so a burst of clicks makes one call).
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Target } from '../config/file.js';
import type { Logger } from '../log.js';

const usergroupUsersSchema = z.looseObject({ users: z.array(z.string()) });
const GROUP_TTL_MS = 60_000;

export class OwnerDirectory {
  private readonly groups = new Map<string, { users: Promise<Set<string>>; expiresAt: number }>();

  constructor(
    private readonly slack: WebClient,
    private readonly logger: Logger,
  ) {}

  async isOwner(target: Target, userId: string): Promise<boolean> {
    if (target.owners.includes(userId)) return true;
    if (!target.ownerGroup) return false;
    return (await this.groupMembers(target.ownerGroup)).has(userId);
  }

  /** Whether `userId` is on the target's `escalateTo`: listed, or a member of a listed user group. */
  async isEscalation(target: Target, userId: string): Promise<boolean> {
    const ids = target.escalateTo ?? [];
    if (ids.includes(userId)) return true;
    for (const id of ids.filter((i) => i.startsWith('S'))) {
      if ((await this.groupMembers(id)).has(userId)) return true;
    }
    return false;
  }

  private groupMembers(groupId: string): Promise<Set<string>> {
    const now = Date.now();
    const cached = this.groups.get(groupId);
    if (cached && cached.expiresAt > now) return cached.users;
    const users = this.slack.usergroups.users
      .list({ usergroup: groupId })
      .then((res) => new Set(usergroupUsersSchema.parse(res).users))
      .catch((error: unknown) => {
        // Fail closed: nobody from the group is an owner until Slack answers again.
        this.logger.error({ err: error, groupId }, 'could not read owner group members');
        this.groups.delete(groupId);
        return new Set<string>();
      });
    this.groups.set(groupId, { users, expiresAt: now + GROUP_TTL_MS });
    return users;
  }
}
